// app/detail/ws_compression.cpp — see ws_compression.hpp.
#include "app/detail/ws_compression.hpp"

#include <algorithm>
#include <cstring>

#include "app/detail/connection.hpp"
#include "app/router.hpp"

namespace sluice::detail {

namespace {

core::DeflateLevel core_level(Compression::Level l) noexcept {
    return l == Compression::Level::fast ? core::DeflateLevel::fast : core::DeflateLevel::normal;
}

std::size_t compressor_slot(Compression::Level level, std::uint8_t window_bits) noexcept {
    return (level == Compression::Level::fast ? 0u : 8u) + static_cast<std::size_t>(window_bits - 8);
}

}  // namespace

// ---- WsDeflateTerms ---------------------------------------------------------------------------

proto::DeflateAgreement WsDeflateTerms::agreement() const noexcept {
    proto::DeflateAgreement a;
    a.server_no_context_takeover = !server_takeover();
    a.client_no_context_takeover = !client_takeover();
    a.server_max_window_bits = server_window_bits();
    a.client_max_window_bits = client_window_bits();
    return a;
}

void WsDeflateTerms::set(std::uint8_t profile, const proto::DeflateAgreement& a) noexcept {
    profile_ = static_cast<std::uint8_t>(profile + 1);
    bits_ = static_cast<std::uint8_t>((a.server_max_window_bits - 8) | (a.client_max_window_bits - 8) << 3 |
                                      (a.server_no_context_takeover ? kServerReset : 0) |
                                      (a.client_no_context_takeover ? kClientReset : 0));
}

// ---- CompressionTable -------------------------------------------------------------------------

std::string CompressionTable::build(const Compression& server_wide, const std::vector<RouteCompression>& overrides,
                                    const Router& router, std::size_t targets) {
    profiles_.assign(1, server_wide);
    by_target_.assign(targets, server_wide.enabled ? 0 : -1);
    for (const RouteCompression& o : overrides) {
        const RouteMatch m = router.match("GET", o.path, true);
        if (m.status != RouteStatus::found || m.target >= targets)
            return "compression for '" + o.path + "': no WebSocket route has that path";
        if (profiles_.size() >= 250) return "compression: at most 249 routes may have their own setting";
        profiles_.push_back(o.compression);
        by_target_[m.target] =
            o.compression.enabled ? static_cast<std::int16_t>(profiles_.size() - 1) : std::int16_t{-1};
    }
    return {};
}

int CompressionTable::profile_of(std::uint32_t target) const noexcept {
    return target < by_target_.size() ? by_target_[target] : -1;
}

bool CompressionTable::negotiate(std::uint32_t target, std::span<const proto::HttpHeader> headers,
                                 WsDeflateTerms& terms, std::span<char> answer,
                                 std::string_view& answer_out) const noexcept {
    const int id = profile_of(target);
    if (id < 0) return false;
    const Compression& c = profiles_[static_cast<std::size_t>(id)];
    proto::DeflateSettings s;
    s.enabled = true;
    s.server_max_window_bits = c.window_bits;
    s.client_max_window_bits = 15;  // we inflate any window: no offer is declined for it
    // shared: both directions reset per message, so no window outlives a message (§7.1.1).
    s.server_no_context_takeover = c.memory == Compression::Memory::shared;
    s.client_no_context_takeover = c.memory == Compression::Memory::shared;
    proto::DeflateAgreement a;
    if (!proto::choose_deflate(headers, s, a)) return false;
    const std::size_t n = proto::write_deflate_answer(a, answer);
    if (n == 0) return false;
    terms.set(static_cast<std::uint8_t>(id), a);
    answer_out = std::string_view(answer.data(), n);
    return true;
}

std::string validate_compression(const Settings& s, const Router& router, std::size_t targets) {
    const auto window_ok = [](const Compression& c) { return c.window_bits >= 8 && c.window_bits <= 15; };
    if (!window_ok(s.compression))
        return "compression window_bits must be between 8 and 15 (got " + std::to_string(s.compression.window_bits) +
               ")";
    for (const RouteCompression& o : s.route_compression) {
        if (!window_ok(o.compression))
            return "compression for '" + o.path + "': window_bits must be between 8 and 15 (got " +
                   std::to_string(o.compression.window_bits) + ")";
    }
    CompressionTable table;
    return table.build(s.compression, s.route_compression, router, targets);
}

// ---- DeflateScratch ---------------------------------------------------------------------------

proto::WsDeflate& DeflateScratch::compressor(Compression::Level level, std::uint8_t window_bits) {
    auto& slot = compressors_[compressor_slot(level, window_bits)];
    if (!slot) {
        proto::DeflateAgreement a;
        a.server_no_context_takeover = true;
        a.client_no_context_takeover = true;
        a.server_max_window_bits = window_bits;
        slot = std::make_unique<proto::WsDeflate>(proto::Role::server, a, core_level(level));
    }
    return *slot;
}

proto::WsDeflate& DeflateScratch::inflater(std::uint8_t window_bits) {
    auto& slot = inflaters_[static_cast<std::size_t>(window_bits - 8)];
    if (!slot) {
        proto::DeflateAgreement a;
        a.server_no_context_takeover = true;
        a.client_no_context_takeover = true;
        a.client_max_window_bits = window_bits;
        slot = std::make_unique<proto::WsDeflate>(proto::Role::server, a);
    }
    return *slot;
}

std::span<std::uint8_t> DeflateScratch::output(std::size_t size) {
    if (output_.size() < size) output_.resize(size);
    return {output_.data(), size};
}

std::span<std::uint8_t> DeflateScratch::grow(void* self, std::size_t produced) noexcept {
    auto& s = *static_cast<DeflateScratch*>(self);
    const std::size_t next = std::min(std::max<std::size_t>(s.inflated_.size() * 2, 4096), s.limit_);
    if (next > s.inflated_.size()) {
#if defined(__cpp_exceptions)
        try {
            s.inflated_.resize(next);
        } catch (...) {
            return {s.inflated_.data(), produced};  // refused: treated as the limit (1009)
        }
#else
        (void)produced;  // without exceptions a refused allocation ends the program
        s.inflated_.resize(next);
#endif
    }
    return s.inflated_;
}

proto::WsDeflateResult DeflateScratch::inflate(proto::WsDeflate& codec, std::span<const std::uint8_t> payload,
                                               std::size_t limit) {
    limit_ = limit;
    // A first guess from the payload (text and JSON inflate 3-10x); then it doubles.
    const std::size_t first = std::min(limit, std::max<std::size_t>(payload.size() * 4, 4096));
    if (inflated_.size() < first) inflated_.resize(first);
    std::span<std::uint8_t> out(inflated_.data(), std::min(inflated_.size(), limit));
    return codec.decompress(payload, out, proto::WsOutputGrowth{this, &DeflateScratch::grow});
}

void DeflateScratch::trim_output() noexcept {
    if (output_.capacity() > kKeep) std::vector<std::uint8_t>().swap(output_);
}

void DeflateScratch::trim_inflated() noexcept {
    if (inflated_.capacity() > kKeep) std::vector<std::uint8_t>().swap(inflated_);
}

// ---- PublishDeflate ---------------------------------------------------------------------------

std::optional<SendResult> PublishDeflate::send_to(Connection& c) {
    const WsDeflateTerms terms = c.deflate_terms();
    if (!terms.on()) return std::nullopt;
    const Compression& profile = table_.profile(terms.profile());
    if (payload_.size() < profile.threshold) return std::nullopt;
    Frame& f = frames_[compressor_slot(profile.level, terms.server_window_bits())];
    if (!f.tried) {
        f.tried = true;
        proto::WsDeflate& codec = scratch_.compressor(profile.level, terms.server_window_bits());
        const std::span<std::uint8_t> out = scratch_.output(codec.compress_bound(payload_.size()));
        const proto::WsDeflateResult r = codec.compress(payload_, out);
        if (r.status == proto::WsDeflateStatus::ok && r.size < payload_.size()) {
            // RFC 6455 §5.2 server frame, RFC 7692 §6.1: RSV1 on it (one frame: FIN).
            std::uint8_t header[proto::kMaxFrameHeader];
            const std::size_t h = proto::encode_frame_header(header, op_, true, r.size);
            proto::mark_compressed(header);
            f.bytes = core::SharedBytes::create(&pool_, h + r.size);
            if (f.bytes) {
                std::memcpy(f.bytes.writable().data(), header, h);
                std::memcpy(f.bytes.writable().data() + h, out.data(), r.size);
                f.size = h + r.size;
                f.header = h;
            }
        }
        scratch_.trim_output();
    }
    if (!f.bytes) return std::nullopt;  // not worth it (or no memory): the plain frame
    return c.send_shared(f.bytes, f.size, f.header, true);
}

}  // namespace sluice::detail
