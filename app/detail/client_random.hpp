// app/detail/client_random.hpp — the client's two random needs (RFC 6455 §4.1, §5.3, §10.3).
//
//   handshake key   16 bytes straight from the OS (getrandom; getentropy elsewhere), fresh for
//                   every connection: §4.1 item 7, "randomly selected ... for each connection"
//   masking keys    one per frame from a xoshiro256** generator per thread, seeded from the OS
//                   on the thread's first use: §5.3 asks for keys an application cannot
//                   predict, and a system call per frame would cost more than the frame
//                   (make bench ARGS=client, 2026-12-05, one core: 5.7 ns per key from the
//                   generator, 365 ns from getrandom(4))
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace sluice::detail {

// Fills `out` from the OS's random source. False only if the OS refuses (then no key is made).
bool os_random(std::span<std::uint8_t> out) noexcept;

// A fresh masking key from this thread's generator (seeded from os_random on first use).
std::array<std::uint8_t, 4> next_client_mask() noexcept;

// xoshiro256** (Blackman and Vigna, public domain algorithm): fast, 256 bits of state, and
// never a constant sequence once seeded from the OS. Owns its state; one per thread.
class MaskGenerator {
 public:
    explicit MaskGenerator(const std::array<std::uint64_t, 4>& seed) noexcept : s_(seed) {}
    std::uint64_t next() noexcept;

 private:
    std::array<std::uint64_t, 4> s_;
};

}  // namespace sluice::detail
