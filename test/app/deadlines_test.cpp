// test/app/deadlines_test.cpp — every state of a connection has a deadline, counted from
// when its event arrived (never from a clock read before the reactor slept), over real sockets.
#include "test/support/test_server.hpp"

#include <doctest/doctest.h>

#include <coroutine>
#include <optional>
#include <string>
#include <thread>

#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Context;
using sluice::SendResult;
using sluice::Server;
using sluice::Task;
using sluice::test::eventually;
using sluice::test::HttpReply;
using sluice::test::read_http_response;
using sluice::test::TcpClient;
using sluice::test::TestServer;
using sluice::test::WsTestClient;

namespace {
// An awaitable that never resumes its coroutine (the frame is destroyed with its connection).
struct NeverReady {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept {}
};
}  // namespace

TEST_SUITE("app") {

// The reactor slept in epoll_wait with no timer armed; a deadline armed by the accept then
// counted from the time before the sleep and had passed before the request could be read.
TEST_CASE("clock: after an idle spell longer than every timeout, the next clients are served") {
    TestServer s([](Server& srv) { srv.handshake_timeout(300ms).header_timeout(300ms).idle_timeout(300ms); });
    for (int round = 0; round < 2; ++round) {
        CAPTURE(round);
        std::this_thread::sleep_for(700ms);   // the server's loop sleeps: nothing is armed
        WsTestClient ws;
        REQUIRE(ws.connect(s.port(), "/ws"));
        REQUIRE(ws.send_text("after the silence"));
        CHECK(ws.receive() == "after the silence");
        std::this_thread::sleep_for(700ms);
        TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
        HttpReply r = read_http_response(c, 1000ms);
        REQUIRE(r.ok);
        CHECK(r.body == "hello");
    }
}

TEST_CASE("clock: the first request of a connection opened after a silence has its whole handshake_timeout") {
    TestServer s([](Server& srv) { srv.handshake_timeout(400ms).header_timeout(10'000ms); });
    std::this_thread::sleep_for(600ms);
    TcpClient c(s.port());
    std::this_thread::sleep_for(150ms);   // well inside the 400 ms, counted from the accept
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c, 1000ms);
    REQUIRE(r.ok);
    CHECK(r.body == "hello");
}

TEST_CASE("body_timeout: a stalled request body gets 408 and a close") {
    TestServer s([](Server& srv) { srv.body_timeout(300ms).idle_timeout(60'000ms); });
    TcpClient c(s.port());
    REQUIRE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"));
    HttpReply r = read_http_response(c, 5000ms);
    REQUIRE(r.ok);
    CHECK(r.status == 408);
    CHECK(r.header("Connection") == "close");
    CHECK(c.wait_eof(2000ms));
}

TEST_CASE("body_timeout: a body trickled a byte at a time is not extended by the trickle") {
    TestServer s([](Server& srv) { srv.body_timeout(300ms); });
    TcpClient c(s.port());
    REQUIRE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    REQUIRE(sluice::test::trickle_until_answer(c, [](int i) { return i % 2 == 0 ? "1\r\n" : "x\r\n"; }, "408"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 408);
    CHECK(c.wait_eof());
}

TEST_CASE("body_timeout: a body that arrives in time is served, and one stalled body disturbs no other") {
    TestServer s([](Server& srv) { srv.body_timeout(2000ms); });
    TcpClient stalled(s.port());
    REQUIRE(stalled.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\na"));
    TcpClient good(s.port());
    REQUIRE(good.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"));
    std::this_thread::sleep_for(100ms);
    REQUIRE(good.send_all("cde"));
    HttpReply r = read_http_response(good, 1000ms);
    REQUIRE(r.ok);
    CHECK(r.body == "abcde");
    HttpReply late = read_http_response(stalled, 5000ms);
    REQUIRE(late.ok);
    CHECK(late.status == 408);
}

TEST_CASE("response_timeout: a handler that never answers gets 503 and a close; a prompt one is untouched") {
    TestServer s([](Server& srv) {
        srv.response_timeout(300ms);
        srv.route("/never", [](Context&) -> Task {
            co_await NeverReady{};   // like a lookup that never completes
        });
    });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /never HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c, 5000ms);
    REQUIRE(r.ok);
    CHECK(r.status == 503);
    CHECK(c.wait_eof(2000ms));
    TcpClient ok(s.port());
    REQUIRE(ok.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(read_http_response(ok, 1000ms).body == "hello");
}

TEST_CASE("backpressure_timeout: an HTTP stream whose reader never reads is closed") {
    static const std::string chunk(64 * 1024, 's');
    TestServer s([](Server& srv) {
        srv.max_backpressure(16 * 1024).backpressure_timeout(200ms);
        srv.route("/flood", [](Context& c) -> Task {
            c.begin_stream(200, "text/plain");
            while (co_await c.send(chunk) != SendResult::closed) {
            }
        });
    });
    TcpClient c(s.port());
    c.set_receive_buffer(4096);
    REQUIRE(c.send_all("GET /flood HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(eventually([&] { return s.server.connection_count() == 0; }, 20000ms));
}

TEST_CASE("message_timeout: a WebSocket frame trickled a byte at a time is closed 1008, not kept alive by the trickle") {
    TestServer s([](Server& srv) { srv.message_timeout(300ms).idle_timeout(60'000ms); });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    // A masked text frame of 100 bytes, its header and payload sent one byte every 20 ms.
    std::string frame = "\x81\xE4";
    frame += std::string("\x01\x02\x03\x04", 4);
    frame += std::string(100, 'a');
    std::optional<std::uint16_t> code;
    for (std::size_t i = 0; i < frame.size() && !code; ++i) {
        if (!ws.send_raw(frame.substr(i, 1))) break;
        code = ws.wait_close(20ms);
    }
    if (!code) code = ws.wait_close(2000ms);
    CHECK(code == 1008);
}

TEST_CASE("message_timeout: messages that arrive whole, and a fragmented one in time, are untouched") {
    TestServer s([](Server& srv) { srv.message_timeout(400ms); });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    for (int i = 0; i < 5; ++i) {
        REQUIRE(ws.send_text("tick"));
        CHECK(ws.receive() == "tick");
        std::this_thread::sleep_for(150ms);   // quiet between messages: the idle deadline, not this one
    }
    // Two fragments 100 ms apart: complete well inside the deadline.
    REQUIRE(ws.send_raw(std::string("\x01\x83\0\0\0\0abc", 9)));
    std::this_thread::sleep_for(100ms);
    REQUIRE(ws.send_raw(std::string("\x80\x83\0\0\0\0def", 9)));
    CHECK(ws.receive() == "abcdef");
}

TEST_CASE("max_connections: connections that have closed stop counting (sequential churn at the limit)") {
    TestServer s([](Server& srv) { srv.max_connections(3); });
    for (int i = 0; i < 20; ++i) {
        CAPTURE(i);
        WsTestClient ws;
        REQUIRE(ws.connect(s.port(), "/ws"));
        REQUIRE(ws.send_text("x"));
        CHECK(ws.receive() == "x");
        REQUIRE(ws.send_close(1000));
        CHECK(ws.wait_close() == 1000);
        CHECK(ws.tcp.wait_eof());
        TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        CHECK(read_http_response(c, 1000ms).body == "hello");
        CHECK(c.wait_eof());
    }
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
}

}  // TEST_SUITE
