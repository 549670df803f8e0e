// Benchmarks of the client's randomness (app/detail/client_random.hpp): why masking keys come
// from a per-thread generator seeded from the OS rather than from the OS for every frame.
#include <array>
#include <cstdint>

#include "app/detail/client_random.hpp"
#include "perf/micro/bench.hpp"

namespace {
using sluice::bench::do_not_optimize;
}  // namespace

// One masking key (§5.3) from the thread's xoshiro256** generator: what every client frame costs.
SLUICE_BENCH("client/mask key, xoshiro256** (per frame)", 4) {
    for (auto _ : state) do_not_optimize(sluice::detail::next_client_mask());
}

// The same 4 bytes straight from getrandom(2): one system call per frame.
SLUICE_BENCH("client/mask key, getrandom(4) (per frame, rejected)", 4) {
    std::array<std::uint8_t, 4> key{};
    for (auto _ : state) {
        sluice::detail::os_random(key);
        do_not_optimize(key);
    }
}

// The handshake key (§4.1 item 7): 16 bytes from getrandom, once per connection.
SLUICE_BENCH("client/handshake nonce, getrandom(16) (per connection)", 16) {
    std::array<std::uint8_t, 16> nonce{};
    for (auto _ : state) {
        sluice::detail::os_random(nonce);
        do_not_optimize(nonce);
    }
}
