// Benchmarks of app/'s pure parts: route matching, the output queue's coalescing of small
// frames and its iovec gather, and walking a topic's subscribers.
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "app/detail/output_queue.hpp"
#include "app/router.hpp"
#include "app/detail/topics.hpp"
#include "core/block_pool.hpp"
#include "perf/micro/bench.hpp"

namespace {

using sluice::bench::do_not_optimize;

sluice::Router demo_router() {
    sluice::Router r;
    const char* statics[] = {"/", "/ws", "/chat", "/data", "/multiplex", "/broadcast", "/game",
                             "/trading", "/collab", "/resilient", "/healthz", "/echo"};
    std::uint32_t id = 0;
    for (const char* p : statics) (void)r.add_http("GET", p, id++);
    (void)r.add_http("GET", "/room/:id", id++);
    (void)r.add_http("GET", "/static/*", id++);
    return r;
}

}  // namespace

SLUICE_BENCH("app/router static /trading", 8) {
    const sluice::Router r = demo_router();
    for (auto _ : state) do_not_optimize(r.match("GET", "/trading", false).target);
}

SLUICE_BENCH("app/router param /room/:id", 9) {
    const sluice::Router r = demo_router();
    for (auto _ : state) do_not_optimize(r.match("GET", "/room/lobby", false).target);
}

SLUICE_BENCH("app/router wildcard /static/*", 20) {
    const sluice::Router r = demo_router();
    for (auto _ : state) do_not_optimize(r.match("GET", "/static/css/site.css", false).target);
}

// 32 frames of 64 bytes queued by copy (coalesced into one block), gathered and consumed:
// what one loop iteration of an echo connection does with its output.
SLUICE_BENCH("app/output_queue 32x64B copy+gather+consume", 32 * 64) {
    sluice::core::BlockPool pool(16 * 1024);
    sluice::detail::OutputQueue q(&pool);
    const std::array<std::uint8_t, 64> frame{};
    for (auto _ : state) {
        for (int i = 0; i < 32; ++i) q.append_copy(frame);
        struct iovec iov[64];
        const int n = q.gather(iov, 64);
        do_not_optimize(n);
        q.consume(q.size());
    }
}

// One broadcast frame queued by reference on a subscriber, then written (consumed).
SLUICE_BENCH("app/output_queue shared frame", 128) {
    sluice::core::BlockPool pool(16 * 1024);
    sluice::detail::OutputQueue q(&pool);
    sluice::core::SharedBytes frame = sluice::core::SharedBytes::create(&pool, 128);
    for (auto _ : state) {
        q.append_shared(frame, 128);
        q.consume(128);
    }
}

SLUICE_BENCH("app/topics for_each 1000 subscribers", 1000) {
    sluice::detail::TopicRegistry topics;
    std::vector<int> subscribers(1000);
    for (int& s : subscribers) topics.subscribe("ticker", &s);
    for (auto _ : state) {
        int sum = 0;
        topics.for_each("ticker", [&sum](void* s) { sum += *static_cast<int*>(s); });
        do_not_optimize(sum);
    }
}

SLUICE_BENCH("app/topics subscribe+unsubscribe", 1) {
    sluice::detail::TopicRegistry topics;
    int a = 0, b = 0;
    topics.subscribe("ticker", &a);   // keeps the topic alive: no erase/insert per op
    for (auto _ : state) topics.unsubscribe(topics.subscribe("ticker", &b));
}
