// app/detail/client_random.cpp — see client_random.hpp.
#include "app/detail/client_random.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#if defined(__linux__)
#include <sys/random.h>
#else
#include <unistd.h>
#endif

namespace sluice::detail {

bool os_random(std::span<std::uint8_t> out) noexcept {
    std::size_t done = 0;
    while (done < out.size()) {
#if defined(__linux__)
        const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
#else
        const std::size_t n = out.size() - done < 256 ? out.size() - done : 256;   // getentropy's limit
        if (::getentropy(out.data() + done, n) != 0) return false;
        done += n;
#endif
    }
    return true;
}

std::uint64_t MaskGenerator::next() noexcept {
    const auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

namespace {

MaskGenerator seeded_generator() noexcept {
    std::array<std::uint64_t, 4> seed{};
    std::array<std::uint8_t, sizeof seed> bytes{};
    if (!os_random(bytes)) {
        // No OS randomness (never seen on Linux >= 3.17): the clock and an address still
        // differ per run, and the state must not be all zero (xoshiro would stay at zero).
        const auto a = reinterpret_cast<std::uintptr_t>(&bytes);
        const auto t = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        bytes.fill(0x5A);
        std::memcpy(bytes.data(), &a, sizeof a);
        std::memcpy(bytes.data() + 8, &t, sizeof t);
    }
    std::memcpy(seed.data(), bytes.data(), sizeof seed);
    if ((seed[0] | seed[1] | seed[2] | seed[3]) == 0) seed[0] = 1;
    return MaskGenerator(seed);
}

}  // namespace

std::array<std::uint8_t, 4> next_client_mask() noexcept {
    thread_local MaskGenerator generator = seeded_generator();
    const std::uint64_t v = generator.next() >> 32;   // the high bits are xoshiro's best
    return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 24)};
}

}  // namespace sluice::detail
