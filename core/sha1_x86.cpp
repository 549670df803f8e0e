// core/sha1_x86.cpp — SHA-1's block function on the x86 SHA extensions (see core/sha1.hpp).
//
// The state lives in two registers: ABCD with A in the highest 32-bit lane, and E in the
// highest lane of another. Each sha1rnds4 performs four rounds of FIPS 180-4 §6.1.2 step 3
// with the function and constant of its round group (immediate 0..3 = rounds 0-19, 20-39,
// 40-59, 60-79). sha1nexte derives the next four rounds' E from the A of four rounds
// earlier (rotated by 30) and adds the next four message words; sha1msg1, an XOR and
// sha1msg2 compute the schedule W[t] = rotl1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) four words
// at a time. Elsewhere than x86-64 this file provides only the "not available" answer.
#include "core/sha1.hpp"

#include "core/cpu.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SLUICE_SHA1_X86 1
#endif

namespace sluice::core::sha1_detail {

#if defined(SLUICE_SHA1_X86)

// compress_sha_ni also shuffles with pshufb (SSSE3) and extracts with pextrd (SSE4.1).
bool has_sha_extensions() noexcept {
    const CpuFeatures& cpu = cpu_features();
    return cpu.sha && cpu.ssse3 && cpu.sse41;
}

namespace {
// Four rounds with the round group's function; sha1rnds4 takes it as an immediate.
__attribute__((target("sha,sse4.1"))) inline __m128i four_rounds(__m128i abcd, __m128i e, int group) noexcept {
    switch (group) {
        case 0: return _mm_sha1rnds4_epu32(abcd, e, 0);
        case 1: return _mm_sha1rnds4_epu32(abcd, e, 1);
        case 2: return _mm_sha1rnds4_epu32(abcd, e, 2);
        default: return _mm_sha1rnds4_epu32(abcd, e, 3);
    }
}
}  // namespace

__attribute__((target("sha,sse4.1,ssse3"))) void compress_sha_ni(std::uint32_t h[5], const std::uint8_t* blocks,
                                                                   std::size_t count) noexcept {
    // Reverses the 16 bytes of a load: four big-endian words, the first in the highest lane.
    const __m128i byte_swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0x1B);
    __m128i e_lane = _mm_set_epi32(static_cast<int>(h[4]), 0, 0, 0);
    for (; count > 0; --count, blocks += 64) {
        const __m128i abcd_before = abcd, e_before = e_lane;
        __m128i w[4];   // a ring of four groups of four message words
        for (int i = 0; i < 4; ++i) {
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * i)), byte_swap);
        }
        __m128i e = _mm_add_epi32(e_lane, w[0]);   // rounds 0-3: E plus W0..W3
        __m128i abcd_four_ago = abcd;
        abcd = four_rounds(abcd, e, 0);
        // Unrolled whole: the ring's indices and sha1rnds4's immediate become constants.
#pragma GCC unroll 19
        for (int group = 1; group < 20; ++group) {
            // The schedule for group+3 needs groups -1..+2 of it: computed from the ring before
            // the slot of group-1 is overwritten with it.
            if (group + 3 < 20) {
                const int g = group - 1;
                w[g & 3] = _mm_sha1msg2_epu32(
                    _mm_xor_si128(_mm_sha1msg1_epu32(w[g & 3], w[(g + 1) & 3]), w[(g + 2) & 3]), w[(g + 3) & 3]);
            }
            e = _mm_sha1nexte_epu32(abcd_four_ago, w[group & 3]);
            abcd_four_ago = abcd;
            abcd = four_rounds(abcd, e, group / 5);
        }
        e_lane = _mm_sha1nexte_epu32(abcd_four_ago, e_before);   // E of the last round, plus the old E
        abcd = _mm_add_epi32(abcd, abcd_before);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_shuffle_epi32(abcd, 0x1B));
    h[4] = static_cast<std::uint32_t>(_mm_extract_epi32(e_lane, 3));
}

#else

bool has_sha_extensions() noexcept { return false; }

void compress_sha_ni(std::uint32_t h[5], const std::uint8_t* blocks, std::size_t count) noexcept {
    compress_scalar(h, blocks, count);   // never chosen here; kept so callers link everywhere
}

#endif

}  // namespace sluice::core::sha1_detail
