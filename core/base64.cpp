#include "core/base64.hpp"

#include <array>

namespace sluice::core {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kNotInAlphabet = 0xFF;

// Reverse table: character -> 6-bit value, kNotInAlphabet for everything outside the alphabet
// (including '=', which the decoder handles by position).
consteval std::array<std::uint8_t, 256> make_reverse() noexcept {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table) v = kNotInAlphabet;
    for (std::size_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    return table;
}
constexpr std::array<std::uint8_t, 256> kReverse = make_reverse();

inline std::uint32_t value_of(char c) noexcept { return kReverse[static_cast<unsigned char>(c)]; }

}  // namespace

std::size_t base64_encode(std::span<const std::uint8_t> in, std::span<char> out) noexcept {
    const std::size_t needed = base64_encoded_size(in.size());
    if (out.size() < needed) return 0;
    const std::uint8_t* p = in.data();
    char* o = out.data();
    std::size_t n = in.size();
    for (; n >= 3; n -= 3, p += 3, o += 4) {
        const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        o[0] = kAlphabet[(v >> 18) & 63];
        o[1] = kAlphabet[(v >> 12) & 63];
        o[2] = kAlphabet[(v >> 6) & 63];
        o[3] = kAlphabet[v & 63];
    }
    if (n == 1) {  // §4 case (2): 8 bits -> two characters and "=="
        const std::uint32_t v = std::uint32_t{p[0]} << 16;
        o[0] = kAlphabet[(v >> 18) & 63];
        o[1] = kAlphabet[(v >> 12) & 63];
        o[2] = '=';
        o[3] = '=';
    } else if (n == 2) {  // §4 case (3): 16 bits -> three characters and "="
        const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8);
        o[0] = kAlphabet[(v >> 18) & 63];
        o[1] = kAlphabet[(v >> 12) & 63];
        o[2] = kAlphabet[(v >> 6) & 63];
        o[3] = '=';
    }
    return needed;
}

std::optional<std::size_t> base64_decode(std::string_view in, std::span<std::uint8_t> out) noexcept {
    const std::size_t n = in.size();
    if (n % 4 != 0) return std::nullopt;
    if (n == 0) return std::size_t{0};
    std::size_t pad = 0;
    if (in[n - 1] == '=') pad = in[n - 2] == '=' ? 2 : 1;
    const std::size_t size = n / 4 * 3 - pad;
    if (out.size() < size) return std::nullopt;

    const char* p = in.data();
    std::uint8_t* o = out.data();
    const std::size_t full = pad == 0 ? n / 4 : n / 4 - 1;  // quanta without padding
    for (std::size_t q = 0; q < full; ++q, p += 4, o += 3) {
        const std::uint32_t a = value_of(p[0]), b = value_of(p[1]), c = value_of(p[2]), d = value_of(p[3]);
        if (((a | b | c | d) & 0xC0) != 0) return std::nullopt;  // kNotInAlphabet (0xFF) has these bits
        const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
        o[0] = static_cast<std::uint8_t>(v >> 16);
        o[1] = static_cast<std::uint8_t>(v >> 8);
        o[2] = static_cast<std::uint8_t>(v);
    }
    if (pad == 2) {  // "xx==": 12 bits, the low 4 must be zero (§3.5)
        const std::uint32_t a = value_of(p[0]), b = value_of(p[1]);
        if (((a | b) & 0xC0) != 0 || (b & 0x0F) != 0) return std::nullopt;
        o[0] = static_cast<std::uint8_t>((a << 2) | (b >> 4));
    } else if (pad == 1) {  // "xxx=": 18 bits, the low 2 must be zero (§3.5)
        const std::uint32_t a = value_of(p[0]), b = value_of(p[1]), c = value_of(p[2]);
        if (((a | b | c) & 0xC0) != 0 || (c & 0x03) != 0) return std::nullopt;
        o[0] = static_cast<std::uint8_t>((a << 2) | (b >> 4));
        o[1] = static_cast<std::uint8_t>((b << 4) | (c >> 2));
    }
    return size;
}

}  // namespace sluice::core
