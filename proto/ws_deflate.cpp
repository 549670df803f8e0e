#include "proto/ws_deflate.hpp"

namespace sluice::proto {

namespace {

// §7.2.2: appended to a message's payload before inflating; it is the empty stored block
// the sender's sync flush ended with and removed (§7.2.1).
constexpr std::uint8_t kTrailer[4] = {0x00, 0x00, 0xff, 0xff};

}  // namespace

WsError check_rsv1(bool negotiated, Opcode opcode, bool rsv1) noexcept {
    if (!rsv1) return WsError::none;
    if (!negotiated) return WsError::reserved_bits;  // RFC 6455 §5.2
    if (is_control(opcode) || opcode == Opcode::continuation) return WsError::compressed_bit_misplaced;
    return WsError::none;
}

WsError ws_error_of(WsDeflateStatus s) noexcept {
    switch (s) {
        case WsDeflateStatus::ok: return WsError::none;
        case WsDeflateStatus::too_big: return WsError::message_too_large;
        case WsDeflateStatus::corrupt:
        case WsDeflateStatus::truncated: return WsError::invalid_compressed_data;
        case WsDeflateStatus::output_too_small:
        case WsDeflateStatus::out_of_memory: return WsError::out_of_memory;
    }
    return WsError::out_of_memory;
}

WsDeflate::WsDeflate(Role role, const DeflateAgreement& agreed, core::DeflateLevel level) noexcept
    : agreed_(agreed),
      reset_ours_(role == Role::server ? agreed.server_no_context_takeover : agreed.client_no_context_takeover),
      reset_theirs_(role == Role::server ? agreed.client_no_context_takeover : agreed.server_no_context_takeover),
      deflater_(level, role == Role::server ? agreed.server_max_window_bits : agreed.client_max_window_bits),
      inflater_(role == Role::server ? agreed.client_max_window_bits : agreed.server_max_window_bits) {}

std::size_t WsDeflate::compress_bound(std::size_t message_size) const noexcept {
    return deflater_.max_output(message_size);
}

WsDeflateResult WsDeflate::compress(std::span<const std::uint8_t> message, std::span<std::uint8_t> out) noexcept {
    if (reset_ours_) deflater_.reset();
    const core::DeflateResult r = deflater_.deflate(message, out, core::DeflateFlush::sync);
    if (r.status == core::DeflateStatus::out_of_memory) return {WsDeflateStatus::out_of_memory, 0};
    if (r.status != core::DeflateStatus::ok || r.produced < 4) {
        deflater_.reset();  // the peer saw nothing of this message: start a clean stream
        return {WsDeflateStatus::output_too_small, 0};
    }
    // §7.2.1: the sync flush ended with 00 00 ff ff; those four bytes are not sent.
    return {WsDeflateStatus::ok, r.produced - 4};
}

WsDeflateResult WsDeflate::decompress(std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) noexcept {
    return decompress(payload, out, WsOutputGrowth{});
}

WsDeflateResult WsDeflate::decompress(std::span<const std::uint8_t> payload, std::span<std::uint8_t> out,
                                      const WsOutputGrowth& growth) noexcept {
    // A BFINAL block ended the previous stream (§7.2.3.4): go on from its window, or forget it.
    if (reset_theirs_) inflater_.reset();
    else if (inflater_.finished()) inflater_.restart();
    std::size_t produced = 0;
    for (std::span<const std::uint8_t> part : {payload, std::span<const std::uint8_t>(kTrailer)}) {
        while (!inflater_.finished()) {  // after the final block the rest is not DEFLATE data
            const core::InflateResult r = inflater_.inflate(part, out.subspan(produced));
            produced += r.produced;
            part = part.subspan(r.consumed);
            if (r.status == core::InflateStatus::error) {
                const bool oom = r.error == core::InflateError::out_of_memory;
                inflater_.reset();
                if (oom) return {WsDeflateStatus::out_of_memory, produced};
                return {WsDeflateStatus::corrupt, produced, r.error};
            }
            if (r.status != core::InflateStatus::output_full) break;
            const std::span<std::uint8_t> bigger =
                growth.grow != nullptr ? growth.grow(growth.context, produced) : std::span<std::uint8_t>{};
            if (bigger.size() <= produced) {
                inflater_.reset();  // the connection fails (1009); leave a clean state anyway
                return {WsDeflateStatus::too_big, produced};
            }
            out = bigger;
        }
    }
    if (!inflater_.at_block_boundary()) {
        inflater_.reset();
        return {WsDeflateStatus::truncated, produced};
    }
    return {WsDeflateStatus::ok, produced};
}

void WsDeflate::release() noexcept {
    deflater_.release();
    inflater_.release();
}

}  // namespace sluice::proto
