// test/support/test_server.hpp — a Server on an ephemeral port (127.0.0.1) with the routes
// most integration tests use: GET /hello, POST /echo (answers its body), /ws (coroutine echo).
// The tests in test/app/ share it instead of each building its own.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "app/server.hpp"
#include "test/support/ws_test_client.hpp"

namespace sluice::test {

// Polls a condition (not a timing assertion: the budget only bounds a broken run).
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds budget = std::chrono::milliseconds(5000)) {
    const auto end = std::chrono::steady_clock::now() + budget;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// Echoes every message, text as text and binary as binary, until the client leaves.
inline Task echo_task(Context& ctx) {
    while (auto m = co_await ctx.receive()) {
        if (m->is_text()) {
            co_await ctx.send(m->text());
        } else {
            co_await ctx.send_binary(m->bytes());
        }
    }
}

// Sends `piece(i)` for i = 0, 1, ... with a short read after each, until the server answers
// (its bytes contain `answer`) or closes; false if it never did within `max_pieces`. For
// deadlines that a trickle must not extend.
template <class Piece>
bool trickle_until_answer(TcpClient& c, Piece&& piece, std::string_view answer, int max_pieces = 400) {
    for (int i = 0; i < max_pieces; ++i) {
        if (!c.send_all(piece(i))) break;
        c.read_some(c.pending, std::chrono::milliseconds(25));
        if (c.pending.find(answer) != std::string::npos || c.eof()) return true;
    }
    return c.pending.find(answer) != std::string::npos || c.eof();
}

// Owns a started Server; `configure` adds settings and routes before start().
struct TestServer {
    Server server;
    explicit TestServer(std::function<void(Server&)> configure = {}) {
        server.port(0);
        server.http("GET", "/hello", [](Context& c) { c.respond(200, "hello"); });
        server.http("POST", "/echo", [](Context& c) { c.respond(200, c.body()); });
        server.route("/ws", echo_task);
        if (configure) configure(server);
        REQUIRE_MESSAGE(server.start(), server.last_error());
    }
    std::uint16_t port() const { return server.bound_port(); }
};

}  // namespace sluice::test
