// proto/ws_unmask.hpp — RFC 6455 §5.3: client-to-server masking.
//
//   transformed-octet-i = original-octet-i XOR masking-key-octet-(i MOD 4)
//
// Masking and unmasking are the same XOR. `offset` is how many payload bytes of this frame
// came before `bytes`, so a payload that arrives in pieces is unmasked piece by piece with
// the key rotated to the right byte (any split, any alignment).
//
// unmask() picks the widest implementation this CPU runs: AVX2 (32 bytes per step; chosen
// at run time with a target attribute unless the build already enables AVX2), SSE2 (16
// bytes, always present on x86-64) or the portable scalar loop (8 bytes at a time through a
// 64-bit word). All variants are declared here so tests check each one against the
// byte-at-a-time reference; on a CPU or architecture without the SIMD variant, that
// function falls back to the scalar one (and the *_available() call says so).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace sluice::proto {

// XOR with the key; `offset` = how many payload bytes came before (key rotation).
void unmask(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key, std::uint64_t offset) noexcept;

// The reference: one byte at a time, exactly the formula above.
void unmask_bytewise(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                     std::uint64_t offset) noexcept;
// Portable: 8 bytes per step through a std::uint64_t (memcpy loads, no pointer punning).
void unmask_scalar(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                   std::uint64_t offset) noexcept;
// 16 bytes per step with SSE2 intrinsics (x86 only; scalar elsewhere).
void unmask_sse2(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                 std::uint64_t offset) noexcept;
// 32 bytes per step with AVX2 intrinsics when the CPU has AVX2 (scalar/SSE2 otherwise).
void unmask_avx2(std::span<std::uint8_t> bytes, std::array<std::uint8_t, 4> key,
                 std::uint64_t offset) noexcept;

// The scalar loop, inline: XOR `n` bytes at `p` with the 4-byte `key` (already rotated to
// this position), 8 bytes per step; true if every unmasked byte is below 0x80. The receiver
// calls it for short payloads (one pass unmasks and proves a text ASCII, so valid UTF-8);
// unmask_scalar() is built on it.
inline bool unmask_words_ascii(std::uint8_t* p, std::size_t n, const std::uint8_t* key) noexcept {
    std::uint32_t k32;
    std::memcpy(&k32, key, 4);
    const std::uint64_t k64 = (static_cast<std::uint64_t>(k32) << 32) | k32;  // any endianness
    std::uint64_t high = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {  // steps are multiples of 4: the tail's rotation is unchanged
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        w ^= k64;
        std::memcpy(p + i, &w, 8);
        high |= w;
    }
    for (; i < n; ++i) {
        p[i] = static_cast<std::uint8_t>(p[i] ^ key[i & 3]);
        high |= p[i];
    }
    return (high & 0x8080808080808080ull) == 0;
}

bool unmask_sse2_available() noexcept;  // compiled in (x86 with SSE2)
bool unmask_avx2_available() noexcept;  // compiled in and the CPU reports AVX2

}  // namespace sluice::proto
