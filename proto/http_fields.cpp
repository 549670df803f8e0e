#include "proto/http_fields.hpp"

#include <cstdint>
#include <cstring>

namespace sluice::proto {

namespace {
constexpr char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// lower() on 8 bytes at once, exact for every byte value: a byte's high bit is set in
// ge_a when its low 7 bits are >= 'A', in gt_z when they are > 'Z'; bytes >= 0x80 are
// masked out, so only 'A'..'Z' get 0x20 added.
std::uint64_t lower8(std::uint64_t x) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    const std::uint64_t low7 = x & (0x7f * ones);
    const std::uint64_t ge_a = low7 + (0x80 - 'A') * ones;
    const std::uint64_t gt_z = low7 + (0x7f - 'Z') * ones;
    const std::uint64_t upper = (ge_a ^ gt_z) & ~x & (0x80 * ones);
    return x | (upper >> 2);
}
}  // namespace

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    std::size_t i = 0;
    for (; i + 8 <= a.size(); i += 8) {  // header names are mostly 6..25 bytes: 8 at a time
        std::uint64_t x, y;
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        if (x != y && lower8(x) != lower8(y)) return false;
    }
    for (; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::optional<std::string_view> find_header(std::span<const HttpHeader> headers,
                                            std::string_view name) noexcept {
    for (const HttpHeader& h : headers) {
        if (ascii_iequals(h.name, name)) return h.value;
    }
    return std::nullopt;
}

std::size_t count_headers(std::span<const HttpHeader> headers, std::string_view name) noexcept {
    std::size_t n = 0;
    for (const HttpHeader& h : headers) n += ascii_iequals(h.name, name) ? 1U : 0U;
    return n;
}

bool headers_have_token(std::span<const HttpHeader> headers, std::string_view name,
                        std::string_view token) noexcept {
    for (const HttpHeader& h : headers) {
        if (!ascii_iequals(h.name, name)) continue;
        bool found = false;
        for_each_list_element(h.value, [&](std::string_view element) {
            found = ascii_iequals(element, token);
            return !found;
        });
        if (found) return true;
    }
    return false;
}

}  // namespace sluice::proto
