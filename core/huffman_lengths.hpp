// core/huffman_lengths.hpp — length-limited Huffman code lengths for the DEFLATE encoder.
//
// RFC 1951 §3.2.7 caps literal/length and distance codes at 15 bits and the code length
// code at 7, and §3.2.2 defines the code itself from the lengths alone (canonical codes),
// so an encoder needs only good lengths within the cap:
//
//   1. Huffman's lengths, built with two queues over the used symbols sorted by frequency
//      (leaves in order, merged nodes in order of creation: O(n) after the sort);
//   2. if the deepest leaf exceeds the cap, every length above it is set to the cap and the
//      Kraft sum (sum of 2^-length, which must be 1) is brought back to exactly 1: codes are
//      lengthened, longest first below the cap, while it is above 1, then shortened, longest
//      first, while there is room. The result is a complete code, within a few bits of
//      optimal in practice (package-merge would be optimal; this is simpler and fast);
//   3. the lengths are handed out again by frequency: the rarest symbols get the longest.
//
// A complete code is always produced (decoders such as zlib refuse incomplete ones): when
// fewer than two symbols are used, one or two unused symbols get a 1-bit code as well.
// No allocation: the work arrays are on the stack (n <= 286).
#pragma once

#include <cstdint>

namespace sluice::core {

inline constexpr unsigned kMaxHuffmanSymbols = 288;

// Fills lengths[0..n) (0 for unused symbols) for freq[0..n), no length above max_bits.
// Requires 2 <= n <= kMaxHuffmanSymbols and 2^max_bits >= n.
void huffman_lengths(const std::uint32_t* freq, unsigned n, unsigned max_bits, std::uint8_t* lengths) noexcept;

// §3.2.2: canonical codes from lengths, bit-reversed for DEFLATE's LSB-first packing.
void canonical_codes_reversed(const std::uint8_t* lengths, unsigned n, std::uint16_t* codes) noexcept;

}  // namespace sluice::core
