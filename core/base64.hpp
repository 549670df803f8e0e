// core/base64.hpp — Base64, RFC 4648 §4 (the standard alphabet, with '=' padding).
//
// sluice uses Base64 in the WebSocket handshake (RFC 6455 §4.1: the 16-byte
// Sec-WebSocket-Key; §4.2.2: the 20-byte Sec-WebSocket-Accept). Both directions work on
// caller-supplied spans and never allocate.
//
//   in:   M        a        n            3 bytes = 24 bits
//        010011 010110 000101 101110     4 groups of 6 bits
//   out:   T      W      F      u        4 characters (§4 Table 1)
//
// The decoder is strict (RFC 4648 §3.3, §3.5): every character must be in the alphabet,
// '=' may appear only as the last one or two characters of the last quantum, the length
// must be a multiple of 4, and the unused bits before the padding must be zero, so each
// byte string has exactly one accepted encoding. No whitespace, no URL-safe alphabet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sluice::core {

// Characters needed to encode n bytes: 4 * ceil(n / 3) (RFC 4648 §4, padded).
constexpr std::size_t base64_encoded_size(std::size_t n) noexcept { return (n + 2) / 3 * 4; }

// Upper bound of bytes a decode of n characters can produce (exact when unpadded).
constexpr std::size_t base64_decoded_max_size(std::size_t n) noexcept { return n / 4 * 3; }

// Encodes `in` into `out` and returns the characters written (base64_encoded_size).
// Precondition: out.size() >= base64_encoded_size(in.size()); if out is too small nothing
// is written and 0 is returned. Does not own either span.
std::size_t base64_encode(std::span<const std::uint8_t> in, std::span<char> out) noexcept;

// Decodes `in` into `out` and returns the bytes written, or nullopt when `in` is not a
// canonical RFC 4648 §4 encoding (bad character, bad padding, non-zero trailing bits,
// length % 4 != 0) or `out` is too small for the result. On nullopt, out's contents are
// unspecified. Does not own either span.
std::optional<std::size_t> base64_decode(std::string_view in, std::span<std::uint8_t> out) noexcept;

}  // namespace sluice::core
