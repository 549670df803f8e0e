// test/app/handshake_allocations_test.cpp — how many heap allocations the server's thread makes
// from a connection's accept to its 101 (and the on_open after it), and for an echo once open.
//
// This file replaces the global operator new/delete for the whole test binary with a
// malloc/free pair that counts, only on a thread that marked itself (the server's loop, from
// a handler) and only while a test switches counting on. Everything else is unchanged.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "app/server.hpp"
#include "net/reactor.hpp"
#include "test/support/ws_test_client.hpp"

// These operator delete call free() on what these operator new got from malloc(): a
// matched pair that g++ cannot see through when it inlines them into this file's callers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

std::atomic<bool> g_counting{false};
std::atomic<std::size_t> g_allocations{0};
thread_local bool t_counted_thread = false;   // set on the server's loop by a handler

void* counted_malloc(std::size_t n) {
    if (t_counted_thread && g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n == 0 ? 1 : n);
}

}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using sluice::Context;
using sluice::Server;
using sluice::test::WsTestClient;

TEST_SUITE("app") {

// Warmed first (the pools, the worker's lists and the spare ActiveStates exist), as a busy
// server is: what is left is what each new connection costs.
TEST_CASE("handshake: accept -> 101 -> on_open allocates once, an echo none (callback route)") {
    Server server;
    server.port(0).threads(1);
    server.route("/a", sluice::WsCallbacks{.on_open = [](Context&) { t_counted_thread = true; },
                                           .on_message = [](Context& ctx, const sluice::Message& m) {
                                               (void)ctx.send_now(m.text());
                                           }});
    REQUIRE_MESSAGE(server.start(), server.last_error());
    {
        std::vector<WsTestClient> warm(8);
        for (auto& w : warm) {
            REQUIRE(w.connect(server.bound_port(), "/a"));
            REQUIRE(w.send_text("warm"));
            REQUIRE(w.receive() == "warm");
        }
        for (auto& w : warm) {
            REQUIRE(w.send_close(1000));
            REQUIRE(w.wait_close() == 1000);
        }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));   // the warm ones are buried
    WsTestClient c;
    g_allocations = 0;
    g_counting = true;
    REQUIRE(c.connect(server.bound_port(), "/a"));   // returns with the 101 read
    std::this_thread::sleep_for(std::chrono::milliseconds(50));   // on_open and the flush are done
    g_counting = false;
    const std::size_t handshake = g_allocations.exchange(0);
    // Once: the request copy's block after on_open (RequestCopy::retain, the trimmed copy).
    // Not: the peer at accept (the first request's copy takes it), the request's copy while
    // the upgrade and on_open run (borrowed from the thread, request_copy.hpp), the
    // Connection (a freed slot, slot_pool.hpp), the HTTP exchange (a freed one's block is
    // reused, http_exchange.cpp), the ActiveState and its queue (a spare), log lines (no log).
    // On Linux the kqueue backend runs over test/kqueue_emulation, which keeps each fd's
    // registration in a hash map of its own (one node per new fd); a real kqueue keeps it in
    // the kernel. That one node is the emulation's, not the server's.
    const bool emulated_kqueue = sluice::net::Reactor{}.backend() == sluice::net::Backend::kqueue;
    CHECK(handshake <= (emulated_kqueue ? 2u : 1u));
    MESSAGE("accept -> 101 -> on_open: " << handshake << " allocations");
    REQUIRE(c.send_text("hello"));   // warm the message path once, then count one echo
    REQUIRE(c.receive() == "hello");
    g_counting = true;
    REQUIRE(c.send_text("again"));
    REQUIRE(c.receive() == "again");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    g_counting = false;
    CHECK(g_allocations.load() == 0);   // the leased state is a spare: nothing new per message
    REQUIRE(c.send_close(1000));
    CHECK(c.wait_close() == 1000);
    server.stop();
}

}  // TEST_SUITE
