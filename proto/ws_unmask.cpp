#include "proto/ws_unmask.hpp"

#include "core/cpu.hpp"

#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SLUICE_X86 1
#endif

namespace sluice::proto {

namespace {

// The key rotated so that rotated[0] applies to bytes[0].
std::array<std::uint8_t, 4> rotate(std::array<std::uint8_t, 4> key, std::uint64_t offset) noexcept {
    const std::size_t r = static_cast<std::size_t>(offset & 3);
    return {key[r], key[(r + 1) & 3], key[(r + 2) & 3], key[(r + 3) & 3]};
}

// 8 bytes per step (the ASCII answer is not needed here).
void scalar_rotated(std::uint8_t* p, std::size_t n, const std::array<std::uint8_t, 4>& k) noexcept {
    static_cast<void>(unmask_words_ascii(p, n, k.data()));
}

#if defined(__SSE2__)
void sse2_rotated(std::uint8_t* p, std::size_t n, const std::array<std::uint8_t, 4>& k) noexcept {
    std::int32_t word;
    std::memcpy(&word, k.data(), 4);
    const __m128i mask = _mm_set1_epi32(word);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i), _mm_xor_si128(v, mask));
    }
    scalar_rotated(p + i, n - i, k);
}
#endif

#if defined(SLUICE_X86)
#if defined(__AVX2__)
#define SLUICE_AVX2_TARGET
#else
#define SLUICE_AVX2_TARGET __attribute__((target("avx2")))
#endif
SLUICE_AVX2_TARGET void avx2_rotated(std::uint8_t* p, std::size_t n,
                                     const std::array<std::uint8_t, 4>& k) noexcept {
    std::int32_t word;
    std::memcpy(&word, k.data(), 4);
    const __m256i mask = _mm256_set1_epi32(word);
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + i), _mm256_xor_si256(v, mask));
    }
    scalar_rotated(p + i, n - i, k);
}
#endif

}  // namespace

void unmask_bytewise(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                     std::uint64_t offset) noexcept {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<std::uint8_t>(bytes[i] ^ key[static_cast<std::size_t>((offset + i) & 3)]);
    }
}

void unmask_scalar(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                   std::uint64_t offset) noexcept {
    scalar_rotated(bytes.data(), bytes.size(), rotate(key, offset));
}

void unmask_sse2(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                 std::uint64_t offset) noexcept {
#if defined(__SSE2__)
    sse2_rotated(bytes.data(), bytes.size(), rotate(key, offset));
#else
    unmask_scalar(bytes, key, offset);
#endif
}

void unmask_avx2(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                 std::uint64_t offset) noexcept {
#if defined(SLUICE_X86)
    if (core::cpu_has_avx2()) {
        avx2_rotated(bytes.data(), bytes.size(), rotate(key, offset));
        return;
    }
#endif
    unmask_sse2(bytes, key, offset);
}

bool unmask_sse2_available() noexcept {
#if defined(__SSE2__)
    return true;
#else
    return false;
#endif
}

bool unmask_avx2_available() noexcept {
#if defined(SLUICE_X86)
    return core::cpu_has_avx2();
#else
    return false;
#endif
}

// §5.3: octet i XOR key octet ((offset + i) mod 4); the same for masking and unmasking.
void unmask(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key, std::uint64_t offset) noexcept {
    const auto k = rotate(key, offset);
    const std::size_t n = bytes.size();
#if defined(SLUICE_X86)
    if (n >= 64 && core::cpu_has_avx2()) {
        avx2_rotated(bytes.data(), n, k);
        return;
    }
#endif
#if defined(__SSE2__)
    if (n >= 16) {
        sse2_rotated(bytes.data(), n, k);
        return;
    }
#endif
    scalar_rotated(bytes.data(), n, k);
}

}  // namespace sluice::proto
