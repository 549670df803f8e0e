// test/app/connection_test.cpp — what an idle, upgraded WebSocket connection costs (sizes,
// not timings), and that its upgrade request stays readable for its whole life.
#include "app/detail/connection.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "app/detail/worker.hpp"
#include "app/server.hpp"
#include "test/support/ws_test_client.hpp"

using sluice::Context;
using sluice::Server;
using sluice::Task;
using sluice::test::WsTestClient;

namespace {

// A coroutine that answers every message with what it reads of its upgrade request, long
// after the upgrade (the HTTP exchange is freed by then).
Task describe(Context& ctx) {
    while (auto m = co_await ctx.receive()) {
        std::string out = std::string(ctx.method()) + " " + std::string(ctx.path()) + "?" + std::string(ctx.query()) +
                          " id=" + std::string(ctx.param("id")) + " x=" + std::string(ctx.header("x-extra").value_or("-")) +
                          " proto=" + std::string(ctx.subprotocol()) + " body=" + std::string(ctx.body()) +
                          " responded=" + (ctx.responded() ? "1" : "0") + " peer=" +
                          std::string(ctx.peer_address().substr(0, 10));
        co_await ctx.send(out);
    }
}

}  // namespace

TEST_SUITE("app") {

// The idle representation: a Connection with its WebSocket session inline, no HTTP
// exchange and no extras. 2026-11 it was 1000 B, plus a 280 B session (with a 125 B control
// array) and a 152 B request copy with two vectors. The bounds catch a regression.
// 2026-12: 520 B with the session and the output queue inline; now those are leased
// (ActiveState) and an idle one keeps a pointer. 2026-12-05: 288 -> 184 B (the request copy a
// pointer, a coroutine's adapter allocated, the timer's callback 16 B), then 176 -> 160 B (Context
// a base of the connection, not a member with a pointer back; the Timer's arming order and heap
// index 32 bits each: 48 -> 40 B). app/README.md lists every byte.
TEST_CASE("connection: the idle WebSocket representation stays small") {
    using sluice::detail::Connection;
    CHECK(sizeof(Connection) <= 160);
    CHECK(sizeof(sluice::detail::ActiveState) <= 240);                   // leased while busy only
    CHECK(sizeof(sluice::proto::WsSession<Connection::Hooks>) <= 176);   // inside ActiveState
    CHECK(sizeof(sluice::detail::RequestCopy) <= 8);                     // inside: a pointer to its one block
    CHECK(sizeof(sluice::net::Timer) <= 40);                             // inside: the deadline (a 16 B callback)
    CHECK(sluice::detail::kAdapterStorage <= 16);                        // inside: a callback route's adapter
}

// How many of this worker's connections hold an ActiveState now (on its loop thread).
std::string leased_now() {
    std::size_t leased = 0;
    const auto& all = sluice::detail::current_worker()->connections();
    for (const sluice::detail::Connection* c : all) if (c->leased()) ++leased;
    return "leased=" + std::to_string(leased) + " of " + std::to_string(all.size());
}

TEST_CASE("connection: an idle WebSocket holds no leased state after an echo, and leases it again for the next") {
    Server server;
    server.port(0);
    server.route("/echo", sluice::WsCallbacks{.on_message = [](Context& ctx, const sluice::Message& m) {
                     if (m.text() != "count") {
                         (void)ctx.send_now(m.text());
                         return;
                     }
                     // Counted from a timer: this read is over, so this connection is idle too.
                     ctx.after(std::chrono::milliseconds(30), [&ctx] { (void)ctx.send_now(leased_now()); });
                 }});
    REQUIRE_MESSAGE(server.start(), server.last_error());
    WsTestClient a;
    WsTestClient b;
    REQUIRE(a.connect(server.bound_port(), "/echo"));
    REQUIRE(b.connect(server.bound_port(), "/echo"));
    for (int i = 0; i < 3; ++i) {   // each echo leases, writes and gives back
        REQUIRE(a.send_text("hello " + std::to_string(i)));
        CHECK(a.receive() == "hello " + std::to_string(i));
    }
    REQUIRE(b.send_text(std::string(70000, 'x')));   // a message over several reads
    CHECK(b.receive() == std::string(70000, 'x'));
    REQUIRE(a.send_text("count"));
    CHECK(a.receive() == "leased=0 of 2");
    REQUIRE(b.send_close(1000));   // an idle one closes as any other: the session is made again
    CHECK(b.wait_close() == 1000);
    REQUIRE(a.send_close(1000));
    CHECK(a.wait_close() == 1000);
    server.stop();
}

TEST_CASE("RFC 6455 4.2.2: a WebSocket coroutine reads its upgrade request for the whole conversation") {
    Server server;
    server.port(0);
    server.route("/room/:id", describe, {"chat.v1"});
    REQUIRE_MESSAGE(server.start(), server.last_error());
    WsTestClient ws;
    REQUIRE(ws.connect(server.bound_port(), "/room/42?q=1", {"chat.v1"}, "X-Extra: yes\r\n"));
    CHECK(ws.status == 101);
    const std::string want = "GET /room/42?q=1 id=42 x=yes proto=chat.v1 body= responded=0 peer=127.0.0.1:";
    for (int i = 0; i < 3; ++i) {
        REQUIRE(ws.send_text("?"));
        CHECK(ws.receive() == want);
    }
    REQUIRE(ws.send_close(1000));
    CHECK(ws.wait_close() == 1000);
    server.stop();
}

// A callback route names at on_open what it reads later (WsCallbacks::keep_headers): the
// rest of the handshake is dropped when on_open returns, so an idle one keeps no copy.
TEST_CASE("RFC 6455 4.2.2: a callback route reads the header fields it kept, and only those, after on_open") {
    Server server;
    server.port(0);
    std::string at_open;
    server.route("/room/:id",
                 sluice::WsCallbacks{.on_open = [&](Context& ctx) { at_open = std::string(ctx.header("x-other").value_or("-")); },
                                     .on_message =
                                         [](Context& ctx, const sluice::Message&) {
                                             (void)ctx.send_now(std::string(ctx.path()) + " id=" + std::string(ctx.param("id")) +
                                                                " x=" + std::string(ctx.header("x-extra").value_or("-")) +
                                                                " other=" + std::string(ctx.header("x-other").value_or("-")) +
                                                                " host=" + std::string(ctx.header("host").value_or("-")) +
                                                                " proto=" + std::string(ctx.subprotocol()) + " peer=" +
                                                                std::string(ctx.peer_address().substr(0, 10)));
                                         },
                                     .keep_headers = {"X-Extra"}},
                 {"chat.v1"});
    REQUIRE_MESSAGE(server.start(), server.last_error());
    WsTestClient ws;
    REQUIRE(ws.connect(server.bound_port(), "/room/42?q=1", {"chat.v1"}, "X-Extra: yes\r\nX-Other: seen\r\n"));
    CHECK(ws.status == 101);
    REQUIRE(ws.send_text("?"));
    CHECK(ws.receive() == "/room/42 id=42 x=yes other=- host=- proto=chat.v1 peer=127.0.0.1:");
    CHECK(at_open == "seen");   // during on_open the whole request is there
    REQUIRE(ws.send_close(1000));
    CHECK(ws.wait_close() == 1000);
    server.stop();
}

// An idle callback WebSocket keeps its peer's address only when its on_close may ask for it:
// without on_close the socket is asked (getpeername) and says the same; with on_close the copy
// keeps it, so a peer that reset the connection is still named there.
TEST_CASE("connection: the peer's address, asked of the socket or kept for on_close, is the one seen at on_open") {
    Server server;
    server.port(0);
    std::mutex m;
    std::condition_variable cv;
    std::string open_asked, open_kept, closed_kept;
    server.route("/asked", sluice::WsCallbacks{.on_open = [&](Context& ctx) {
                                                  std::lock_guard lock(m);
                                                  open_asked = std::string(ctx.peer_address());
                                              },
                                              .on_message =
                                                  [](Context& ctx, const sluice::Message&) {
                                                      (void)ctx.send_now(std::string(ctx.peer_address()));
                                                  }});
    server.route("/kept", sluice::WsCallbacks{.on_open = [&](Context& ctx) {
                                                 std::lock_guard lock(m);
                                                 open_kept = std::string(ctx.peer_address());
                                             },
                                             .on_close = [&](Context& ctx, std::uint16_t, std::string_view) {
                                                 std::lock_guard lock(m);
                                                 closed_kept = std::string(ctx.peer_address());
                                                 cv.notify_all();
                                             }});
    REQUIRE_MESSAGE(server.start(), server.last_error());
    WsTestClient asked;
    REQUIRE(asked.connect(server.bound_port(), "/asked"));
    REQUIRE(asked.send_text("?"));
    const std::string said = asked.receive().value_or("(none)");
    {
        std::lock_guard lock(m);
        CHECK(said == open_asked);
        CHECK(said.rfind("127.0.0.1:", 0) == 0);
    }
    {
        WsTestClient kept;
        REQUIRE(kept.connect(server.bound_port(), "/kept"));
        const linger reset{1, 0};   // close() sends a RST: the server's socket has no peer after it
        REQUIRE(::setsockopt(kept.tcp.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0);
    }
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return !closed_kept.empty(); }));
    CHECK(closed_kept == open_kept);
    CHECK(open_kept.rfind("127.0.0.1:", 0) == 0);
    lock.unlock();
    REQUIRE(asked.send_close(1000));
    CHECK(asked.wait_close() == 1000);
    server.stop();
}

}  // TEST_SUITE
