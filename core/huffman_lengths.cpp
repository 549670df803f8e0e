#include "core/huffman_lengths.hpp"

#include <algorithm>
#include <array>

#include "core/deflate_format.hpp"

namespace sluice::core {

void huffman_lengths(const std::uint32_t* freq, unsigned n, unsigned max_bits, std::uint8_t* lengths) noexcept {
    // Used symbols as (frequency << 16 | symbol), sorted: by frequency, ties by symbol.
    // (The work arrays are written before they are read: no zero-filling, it showed in profiles.)
    std::array<std::uint64_t, kMaxHuffmanSymbols> leaf;
    unsigned m = 0;
    for (unsigned s = 0; s < n; ++s) {
        lengths[s] = 0;
        if (freq[s] != 0) leaf[m++] = (std::uint64_t{freq[s]} << 16) | s;
    }
    // Fewer than two used symbols: a complete code needs two (one bit each).
    for (unsigned s = 0; m < 2 && s < n; ++s) {
        if (freq[s] == 0) leaf[m++] = s;  // frequency 0, sorts first
    }
    std::sort(leaf.begin(), leaf.begin() + m);

    // Two queues: leaves [0, m) in order, merged nodes [m, 2m - 1) in order of creation.
    std::array<std::uint64_t, 2 * kMaxHuffmanSymbols> weight;
    std::array<std::uint16_t, 2 * kMaxHuffmanSymbols> parent;
    for (unsigned i = 0; i < m; ++i) weight[i] = leaf[i] >> 16;
    unsigned next_leaf = 0;
    unsigned next_node = m;
    for (unsigned node = m; node < 2 * m - 1; ++node) {
        std::uint64_t sum = 0;
        for (int k = 0; k < 2; ++k) {
            unsigned pick;
            if (next_leaf < m && (next_node >= node || weight[next_leaf] <= weight[next_node])) {
                pick = next_leaf++;
            } else {
                pick = next_node++;
            }
            parent[pick] = static_cast<std::uint16_t>(node);
            sum += weight[pick];
        }
        weight[node] = sum;
    }
    // Depths, from the root (the last node) down: a parent always comes after its children.
    std::array<std::uint8_t, 2 * kMaxHuffmanSymbols> depth;
    std::array<unsigned, 64> count{};
    depth[2 * m - 2] = 0;  // the root
    for (unsigned node = 2 * m - 2; node-- > 0;) {
        const unsigned d = depth[parent[node]] + 1u;
        depth[node] = static_cast<std::uint8_t>(d > 63 ? 63 : d);
        if (node < m) ++count[std::min(d, max_bits)];
    }
    // Kraft sum in units of 2^-max_bits; a complete code has exactly 2^max_bits.
    const std::uint64_t full = std::uint64_t{1} << max_bits;
    std::uint64_t kraft = 0;
    for (unsigned len = 1; len <= max_bits; ++len) kraft += std::uint64_t{count[len]} << (max_bits - len);
    while (kraft > full) {  // lengthen the longest code below the cap
        unsigned len = max_bits - 1;
        while (count[len] == 0) --len;
        --count[len];
        ++count[len + 1];
        kraft -= std::uint64_t{1} << (max_bits - len - 1);
    }
    while (kraft < full) {  // shorten the longest code that still fits in the room left
        unsigned len = max_bits;
        while (len > 1 && (count[len] == 0 || (std::uint64_t{1} << (max_bits - len)) > full - kraft)) --len;
        if (len <= 1) break;  // cannot happen: a code at max_bits always fits
        --count[len];
        ++count[len - 1];
        kraft += std::uint64_t{1} << (max_bits - len);
    }
    // Hand the lengths out: the rarest symbols (first in `leaf`) get the longest codes.
    unsigned i = 0;
    for (unsigned len = max_bits; len >= 1; --len) {
        for (unsigned k = 0; k < count[len]; ++k) lengths[leaf[i++] & 0xFFFF] = static_cast<std::uint8_t>(len);
    }
}

void canonical_codes_reversed(const std::uint8_t* lengths, unsigned n, std::uint16_t* codes) noexcept {
    std::array<unsigned, 16> count{};
    for (unsigned s = 0; s < n; ++s) ++count[lengths[s]];
    count[0] = 0;
    std::array<std::uint32_t, 16> next{};
    for (unsigned len = 1, code = 0; len <= deflate_format::kMaxBits; ++len) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    for (unsigned s = 0; s < n; ++s) {
        const unsigned len = lengths[s];
        codes[s] = len == 0 ? 0 : static_cast<std::uint16_t>(deflate_format::reverse_bits(next[len]++, len));
    }
}

}  // namespace sluice::core
