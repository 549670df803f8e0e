// core/deflate_format.hpp — the constants of the DEFLATE format (RFC 1951) that both
// directions share: the length and distance alphabets (§3.2.5), the order of the code
// length code lengths (§3.2.7) and the fixed code lengths (§3.2.6). Facts of the format,
// written out from the RFC's tables; no state, nothing to own.
#pragma once

#include <array>
#include <cstdint>

namespace sluice::core::deflate_format {

inline constexpr unsigned kMaxBits = 15;          // §3.2.7: literal/length and distance codes
inline constexpr unsigned kMaxCodeLengthBits = 7;  // §3.2.7: the code length code (3-bit lengths)
inline constexpr unsigned kEndOfBlock = 256;
inline constexpr unsigned kNumLitLen = 286;  // symbols 0..285 occur (286, 287 never do)
inline constexpr unsigned kNumDist = 30;     // symbols 0..29 occur (30, 31 never do)
inline constexpr unsigned kNumCodeLength = 19;
inline constexpr unsigned kMinMatch = 3;
inline constexpr unsigned kMaxMatch = 258;
inline constexpr unsigned kMaxDistance = 32768;

// §3.2.5: lengths 3..258 as symbols 257..285 (index symbol - 257): base and extra bits.
inline constexpr std::array<std::uint16_t, 29> kLengthBase = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
inline constexpr std::array<std::uint8_t, 29> kLengthExtra = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

// §3.2.5: distances 1..32768 as symbols 0..29: base and extra bits.
inline constexpr std::array<std::uint16_t, 30> kDistBase = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
    6145, 8193, 12289, 16385, 24577};
inline constexpr std::array<std::uint8_t, 30> kDistExtra = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// §3.2.7: the order in which HCLEN code length code lengths are sent.
inline constexpr std::array<std::uint8_t, 19> kCodeLengthOrder = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// §3.2.6: the fixed literal/length code lengths (288 symbols) and distance lengths (5 bits).
constexpr unsigned fixed_litlen_length(unsigned symbol) noexcept {
    if (symbol < 144) return 8;
    if (symbol < 256) return 9;
    if (symbol < 280) return 7;
    return 8;
}
inline constexpr unsigned kFixedDistLength = 5;

// Reverses the low `length` bits of `code`: Huffman codes are defined MSB first, but
// DEFLATE packs bits LSB first (§3.1.1), so tables and writers use the reversed code.
constexpr std::uint32_t reverse_bits(std::uint32_t code, unsigned length) noexcept {
    std::uint32_t out = 0;
    for (unsigned i = 0; i < length; ++i) {
        out = (out << 1) | (code & 1);
        code >>= 1;
    }
    return out;
}

}  // namespace sluice::core::deflate_format
