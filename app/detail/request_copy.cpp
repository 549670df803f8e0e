// app/detail/request_copy.cpp — see app/detail/request_copy.hpp for the layout.
#include "app/detail/request_copy.hpp"

#include <cstring>
#include <new>
#include <utility>

#include "proto/http_fields.hpp"

namespace sluice::detail {

namespace {

// A length is one byte below 255, else 255 and then four bytes (native order).
constexpr std::size_t kLongLen = 255;
constexpr std::size_t kLongLenBytes = 1 + sizeof(std::uint32_t);
constexpr std::size_t kFixedHead = 2 * sizeof(std::uint32_t) + 1;   // size, headers_end, flags

std::size_t len_bytes(std::size_t n) noexcept { return n < kLongLen ? 1 : kLongLenBytes; }

void put_len(std::string& out, std::size_t n) {
    if (n < kLongLen) {
        out.push_back(static_cast<char>(n));
        return;
    }
    char b[kLongLenBytes];
    b[0] = static_cast<char>(kLongLen);
    const auto v = static_cast<std::uint32_t>(n);
    std::memcpy(b + 1, &v, sizeof v);
    out.append(b, sizeof b);
}

void put_pair(std::string& out, std::string_view name, std::string_view value) {
    put_len(out, name.size());
    put_len(out, value.size());
    out.append(name).append(value);
}

// Reads a length at `at`, advancing it.
std::size_t load_len(const char* all, std::size_t& at) noexcept {
    const auto first = static_cast<unsigned char>(all[at]);
    if (first < kLongLen) {
        at += 1;
        return first;
    }
    std::uint32_t v = 0;
    std::memcpy(&v, all + at + 1, sizeof v);
    at += kLongLenBytes;
    return v;
}

std::uint32_t load_u32(const unsigned char* p) noexcept {
    std::uint32_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Where a change is built before its block is made: reused, so a warmed thread allocates
// only the block itself.
thread_local std::string t_request_scratch;
// A borrowed copy's block (request_copy.hpp): one at a time per thread, kept for the next.
thread_local std::string t_borrowed_block;

constexpr std::uint8_t kFreshFlags = 1;   // keep-alive (RequestCopy::kKeepAlive)

}  // namespace

struct RequestCopy::Parts {
    std::array<std::size_t, 5> lens{};   // peer, method, target, path, query
    std::string_view data;               // from the peer's first byte to the end
    std::size_t headers_begin = 0;
    std::size_t headers_end = 0;         // where the params begin
    std::uint8_t flags = kFreshFlags;
};

RequestCopy::Parts RequestCopy::decode() const noexcept {
    Parts p;
    if (block_ == nullptr) return p;
    const std::uint32_t size = load_u32(block_);
    p.headers_end = load_u32(block_ + 4);
    p.flags = block_[8];
    const char* const rest = reinterpret_cast<const char*>(block_ + kFixedHead);
    std::size_t at = 0;
    for (std::size_t& n : p.lens) {
        n = load_len(rest, at);
        p.headers_begin += n;
    }
    p.data = std::string_view(rest + at, size - (kFixedHead - sizeof(std::uint32_t)) - at);
    return p;
}

std::uint8_t RequestCopy::flags() const noexcept { return block_ == nullptr ? kFreshFlags : block_[8]; }

bool RequestCopy::borrowed() const noexcept {
    return block_ != nullptr && block_ == reinterpret_cast<const unsigned char*>(t_borrowed_block.data());
}

void RequestCopy::release() noexcept {
    if (borrowed()) {
        block_ = nullptr;   // the thread's buffer: kept for the next
        return;
    }
    ::operator delete(std::exchange(block_, nullptr));
}

void RequestCopy::rebuild(const std::array<std::size_t, 5>& lens, std::string_view data, std::size_t headers_end,
                          std::uint8_t flag_bits, bool borrow) {
    std::size_t lens_size = 0;
    for (std::size_t n : lens) lens_size += len_bytes(n);
    const std::size_t total = kFixedHead + lens_size + data.size();
    if (borrow) release();   // `data` is the scratch, never the old block: it may go first
    unsigned char* fresh = nullptr;
    if (borrow) {
        t_borrowed_block.resize(total);   // grows once per thread, then reused
        fresh = reinterpret_cast<unsigned char*>(t_borrowed_block.data());
    } else {
        fresh = static_cast<unsigned char*>(::operator new(total));
    }
    const auto size = static_cast<std::uint32_t>(total - sizeof(std::uint32_t));
    const auto end = static_cast<std::uint32_t>(headers_end);
    std::memcpy(fresh, &size, sizeof size);
    std::memcpy(fresh + 4, &end, sizeof end);
    fresh[8] = flag_bits;
    std::size_t at = kFixedHead;
    for (std::size_t n : lens) {
        if (n < kLongLen) {
            fresh[at++] = static_cast<unsigned char>(n);
        } else {
            fresh[at] = static_cast<unsigned char>(kLongLen);
            const auto v = static_cast<std::uint32_t>(n);
            std::memcpy(fresh + at + 1, &v, sizeof v);
            at += kLongLenBytes;
        }
    }
    if (!data.empty()) std::memcpy(fresh + at, data.data(), data.size());   // data may view the old block
    release();
    block_ = fresh;
}

void RequestCopy::set_peer(std::string_view peer) {
    rebuild({peer.size(), 0, 0, 0, 0}, peer, peer.size(), kFreshFlags);
}

void RequestCopy::assign(const proto::HttpRequest& req, std::string_view peer_if_none, bool borrow) {
    const std::string_view kept_peer = peer();
    const std::string_view peer_now = kept_peer.empty() ? peer_if_none : kept_peer;
    std::string& s = t_request_scratch;
    s.assign(peer_now);
    s.append(req.method).append(req.target).append(req.path).append(req.query);
    for (const auto& h : req.headers) put_pair(s, h.name, h.value);
    std::uint8_t f = 0;
    if (req.keep_alive) f |= kKeepAlive;
    if (req.version == proto::HttpVersion::http10) f |= kHttp10;
    if (req.method == "HEAD") f |= kHead;
    rebuild({peer_now.size(), req.method.size(), req.target.size(), req.path.size(), req.query.size()}, s, s.size(), f,
            borrow);
}

void RequestCopy::own() {
    if (!borrowed()) return;
    const Parts p = decode();
    std::string& s = t_request_scratch;
    s.assign(p.data);
    rebuild(p.lens, s, p.headers_end, p.flags);
}

void RequestCopy::add_param(std::string_view name, std::string_view value) {
    const RouteParam one{name, value};
    add_params(std::span<const RouteParam>(&one, 1));
}

void RequestCopy::add_params(std::span<const RouteParam> params) {
    if (params.empty()) return;   // most routes: nothing to add, nothing allocated
    // Values may view this block (a router match on path()): it lives until rebuild() is done.
    const Parts p = decode();
    std::string& s = t_request_scratch;
    s.assign(p.data);
    for (const RouteParam& r : params) put_pair(s, r.name, r.value);
    rebuild(p.lens, s, p.headers_end, p.flags, borrowed());   // a borrowed copy stays borrowed
}

void RequestCopy::clear() noexcept {
    if (block_ == nullptr) return;
    // In place, nothing allocated: the lens of method .. query become 0 (a byte each, never
    // more than before), the peer moves left to follow them; the block keeps its size.
    const Parts p = decode();
    const std::size_t peer_len_at = kFixedHead;
    std::size_t at = peer_len_at + len_bytes(p.lens[0]);
    for (std::size_t i = 1; i < p.lens.size(); ++i) block_[at++] = 0;
    std::memmove(block_ + at, p.data.data(), p.lens[0]);
    const auto size = static_cast<std::uint32_t>(at + p.lens[0] - sizeof(std::uint32_t));
    const auto end = static_cast<std::uint32_t>(p.lens[0]);
    std::memcpy(block_, &size, sizeof size);
    std::memcpy(block_ + 4, &end, sizeof end);
    block_[8] = kFreshFlags;
}

void RequestCopy::retain(std::span<const std::string> headers, bool keep_peer) {
    const auto kept = [headers](std::string_view name) {
        for (const std::string& h : headers) {
            if (proto::ascii_iequals(h, name)) return true;
        }
        return false;
    };
    const Parts p = decode();
    const std::size_t peer_dropped = keep_peer ? 0 : p.lens[0];
    std::string& s = t_request_scratch;
    s.assign(p.data.substr(peer_dropped, p.headers_begin - peer_dropped));
    std::size_t at = p.headers_begin;
    while (at < p.headers_end) {
        const std::size_t n = load_len(p.data.data(), at);
        const std::size_t v = load_len(p.data.data(), at);
        const std::string_view name = p.data.substr(at, n);
        if (kept(name)) put_pair(s, name, p.data.substr(at + n, v));
        at += n + v;
    }
    const std::size_t params_at = s.size();
    s.append(p.data.substr(p.headers_end));
    std::array<std::size_t, 5> lens = p.lens;
    lens[0] -= peer_dropped;
    rebuild(lens, s, params_at, p.flags);
}

std::string_view RequestCopy::part(std::size_t i) const noexcept {
    const Parts p = decode();
    std::size_t at = 0;
    for (std::size_t k = 0; k < i; ++k) at += p.lens[k];
    return p.data.substr(at, p.lens[i]);
}

template <class Match>
std::optional<std::string_view> RequestCopy::find(std::string_view data, std::size_t from, std::size_t to,
                                                  Match match) noexcept {
    while (from < to) {
        const std::size_t n = load_len(data.data(), from);
        const std::size_t v = load_len(data.data(), from);
        if (match(data.substr(from, n))) return data.substr(from + n, v);
        from += n + v;
    }
    return std::nullopt;
}

std::optional<std::string_view> RequestCopy::header(std::string_view name) const noexcept {
    const Parts p = decode();
    return find(p.data, p.headers_begin, p.headers_end,
                [name](std::string_view n) { return proto::ascii_iequals(n, name); });
}

std::optional<std::string_view> RequestCopy::param(std::string_view name) const noexcept {
    const Parts p = decode();
    return find(p.data, p.headers_end, p.data.size(), [name](std::string_view n) { return n == name; });
}

std::size_t RequestCopy::header_count() const noexcept {
    const Parts p = decode();
    std::size_t count = 0;
    find(p.data, p.headers_begin, p.headers_end, [&count](std::string_view) {
        ++count;
        return false;
    });
    return count;
}

}  // namespace sluice::detail
