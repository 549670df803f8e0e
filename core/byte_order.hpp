// core/byte_order.hpp — big-endian ("network byte order") loads and stores, and the two
// 64-bit word loads of the bulk scanners (host order; little-endian for RFC 1951's bit order).
//
// RFC 6455 §5.2: "Multibyte length quantities are expressed in network byte order", and
// FIPS 180-4 §3.1 reads message words big-endian. These helpers read or write a value at
// an unaligned address of a byte array. Each goes through std::memcpy into a local
// integer (never a pointer cast, which would break strict aliasing and alignment); the
// compilers fold memcpy + byte swap into one `movbe` or `mov` + `bswap`.
//
// Does not own anything: every function works on the caller's bytes, which must hold at
// least 2, 4 or 8 bytes at `p`.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace sluice::core {

namespace detail {
// Converts between host order and big-endian order (a no-op on big-endian hosts).
template <typename T>
constexpr T host_to_be(T v) noexcept {
    if constexpr (std::endian::native == std::endian::big) {
        return v;
    } else if constexpr (sizeof(T) == 2) {
        return static_cast<T>(__builtin_bswap16(v));
    } else if constexpr (sizeof(T) == 4) {
        return static_cast<T>(__builtin_bswap32(v));
    } else {
        return static_cast<T>(__builtin_bswap64(v));
    }
}

template <typename T>
inline T load_be(const std::uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return host_to_be(v);
}

template <typename T>
inline void store_be(std::uint8_t* p, T v) noexcept {
    v = host_to_be(v);
    std::memcpy(p, &v, sizeof v);
}
}  // namespace detail

// Reads 2, 4 or 8 bytes at p, most significant byte first.
inline std::uint16_t load_be16(const std::uint8_t* p) noexcept { return detail::load_be<std::uint16_t>(p); }
inline std::uint32_t load_be32(const std::uint8_t* p) noexcept { return detail::load_be<std::uint32_t>(p); }
inline std::uint64_t load_be64(const std::uint8_t* p) noexcept { return detail::load_be<std::uint64_t>(p); }

// Writes v into 2, 4 or 8 bytes at p, most significant byte first.
inline void store_be16(std::uint8_t* p, std::uint16_t v) noexcept { detail::store_be(p, v); }
inline void store_be32(std::uint8_t* p, std::uint32_t v) noexcept { detail::store_be(p, v); }
inline void store_be64(std::uint8_t* p, std::uint64_t v) noexcept { detail::store_be(p, v); }

// Eight bytes as one word in host order: for scans that only compare or mask bytes (UTF-8's
// ASCII test, LZ77's match length), where the order of the bytes in the word does not matter.
inline std::uint64_t load_host64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Eight bytes, the first the least significant (RFC 1951 §3.1.1 packs bits from the LSB).
inline std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    const std::uint64_t v = load_host64(p);
    if constexpr (std::endian::native == std::endian::big) return __builtin_bswap64(v);
    return v;
}

}  // namespace sluice::core
