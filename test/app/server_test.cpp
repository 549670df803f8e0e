// test/app/server_test.cpp — the engine over real sockets (127.0.0.1, port 0).
#include "app/server.hpp"
#include "app/client.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <set>
#include <stdexcept>
#include <sstream>
#include <thread>
#include <vector>

#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Context;
using sluice::Message;
using sluice::SendResult;
using sluice::Server;
using sluice::Task;
using sluice::test::HttpReply;
using sluice::test::read_http_response;
using sluice::test::TcpClient;
using sluice::test::WsTestClient;

using sluice::test::TestServer;
using sluice::test::echo_task;

TEST_SUITE("app") {

TEST_CASE("RFC 9112 9.3: keep-alive serves several requests on one connection") {
    TestServer s;
    TcpClient c(s.port());
    for (int i = 0; i < 3; ++i) {
        REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.status == 200);
        CHECK(r.body == "hello");
        CHECK(r.header("Content-Length") == "5");
        CHECK(r.header("Date").has_value());
    }
}

TEST_CASE("RFC 9112 9.3.2: pipelined requests are answered in order") {
    TestServer s;
    TcpClient c(s.port());
    REQUIRE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
                       "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nthr\r\n2\r\nee\r\n0\r\n\r\n"));
    HttpReply a = read_http_response(c), b = read_http_response(c), d = read_http_response(c);
    REQUIRE((a.ok && b.ok && d.ok));
    CHECK(a.body == "one");
    CHECK(b.body == "hello");
    CHECK(d.body == "three");
}

TEST_CASE("RFC 9112 2.2: a request split byte by byte is answered once whole") {
    TestServer s;
    TcpClient c(s.port());
    const std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde";
    for (char ch : req) REQUIRE(c.send_all(std::string_view(&ch, 1)));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.body == "abcde");
}

TEST_CASE("RFC 9110 15.5.5 and 15.5.6: unknown path 404, wrong method 405 with Allow") {
    TestServer s;
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 404);
    REQUIRE(c.send_all("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 405);
    CHECK(r.header("Allow") == "GET, HEAD");
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));   // the connection survived both
    CHECK(read_http_response(c).status == 200);
}

TEST_CASE("RFC 9110 9.3.2: HEAD gets the head of GET without a body") {
    TestServer s;
    TcpClient c(s.port());
    REQUIRE(c.send_all("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c, 5000ms, true);
    REQUIRE(r.ok);
    CHECK(r.status == 200);
    CHECK(r.header("Content-Length") == "5");
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    r = read_http_response(c);
    CHECK(r.body == "hello");   // no stray body bytes were sent after the HEAD answer
}

TEST_CASE("RFC 6455 4.2.2: upgrade 101 and a coroutine echo, text and binary") {
    TestServer s;
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    CHECK(ws.status == 101);
    REQUIRE(ws.send_text("hello"));
    CHECK(ws.receive() == "hello");
    const std::uint8_t bin[] = {0, 1, 2, 255};
    REQUIRE(ws.send_binary(bin));
    CHECK(ws.receive() == std::string("\x00\x01\x02\xff", 4));
    REQUIRE(ws.send_close(1000));
    CHECK(ws.wait_close() == 1000);
    CHECK(ws.tcp.wait_eof());
}

}  // TEST_SUITE

using sluice::test::eventually;

TEST_SUITE("app") {

TEST_CASE("RFC 6455 4.2.2: a callback route echoes; on_open and on_close run once") {
    std::atomic<int> opened{0}, closed{0};
    std::atomic<int> close_code{0};
    TestServer s([&](Server& srv) {
        srv.route("/cb", sluice::WsCallbacks{
                             .on_open = [&](Context&) { ++opened; },
                             .on_message = [](Context& c, const Message& m) { c.send_now(m.text()); },
                             .on_drain = {},
                             .on_ping = {}, .on_pong = {}, .on_dropped = {}, .on_close = [&](Context&, std::uint16_t code, std::string_view) {
                                 close_code = code;
                                 ++closed;
                             }});
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/cb"));
    for (int i = 0; i < 5; ++i) {
        const std::string text = "message " + std::to_string(i);
        REQUIRE(ws.send_text(text));
        CHECK(ws.receive() == text);
    }
    REQUIRE(ws.send_close(4000, "bye"));
    CHECK(ws.wait_close() == 4000);   // RFC 6455 5.5.1: the code is echoed
    CHECK(eventually([&] { return closed.load() == 1; }));
    CHECK(opened == 1);
    CHECK(close_code == 4000);
}

TEST_CASE("RFC 6455 4.2.1: an upgrade to a path without a WebSocket handler gets 404") {
    TestServer s;
    WsTestClient ws;
    CHECK_FALSE(ws.connect(s.port(), "/hello"));
    CHECK(ws.status == 404);
}

TEST_CASE("RFC 9110 15.5.22: a plain GET to a WebSocket route gets 426 with Upgrade") {
    TestServer s([](Server& srv) { srv.route("/cbonly", sluice::WsCallbacks{}); });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 426);
    CHECK(r.header("Upgrade") == "websocket");
    REQUIRE(c.send_all("GET /cbonly HTTP/1.1\r\nHost: x\r\n\r\n"));
    r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 426);
}

TEST_CASE("RFC 6455 4.2.2: subprotocol chosen from the route's list; a foreign Origin gets 403") {
    TestServer s([](Server& srv) {
        srv.allowed_origins({"http://good.example"});
        srv.route("/proto", echo_task, {"chat.v2", "chat.v1"});
    });
    WsTestClient ok;
    REQUIRE(ok.connect(s.port(), "/proto", {"chat.v1", "chat.v2"}, "Origin: http://good.example\r\n"));
    CHECK(ok.subprotocol == "chat.v2");   // server preference order
    WsTestClient bad;
    CHECK_FALSE(bad.connect(s.port(), "/proto", {}, "Origin: http://evil.example\r\n"));
    CHECK(bad.status == 403);
}

TEST_CASE("RFC 9110 15.5.14 and RFC 6585 5: 413 for a large body, 431 for a large header section") {
    TestServer s([](Server& srv) { srv.max_body_size(16).http_buffer_size(1024); });
    {
        TcpClient c(s.port());
        REQUIRE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.status == 413);
        CHECK(c.wait_eof());
    }
    {
        TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n"));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.status == 431);
        CHECK(c.wait_eof());
    }
    {
        TcpClient c(s.port());   // 400 for a malformed request line, then close
        REQUIRE(c.send_all("GET  /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.status == 400);
        CHECK(c.wait_eof());
    }
}

TEST_CASE("RFC 9110 15.5.9: a head trickled a byte at a time past header_timeout gets 408 and a close") {
    TestServer s([](Server& srv) { srv.header_timeout(300ms).handshake_timeout(60'000ms); });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n"));
    // Keep sending one header byte at a time; each byte would reset a naive timer.
    REQUIRE(sluice::test::trickle_until_answer(c, [](int) { return "X"; }, "408"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 408);
    CHECK(c.wait_eof());
}

TEST_CASE("handshake_timeout: a connection that never sends a request is closed") {
    TestServer s([](Server& srv) { srv.handshake_timeout(200ms); });
    TcpClient c(s.port());
    CHECK(c.wait_eof());
    CHECK(c.pending.empty());
}

TEST_CASE("idle_timeout: a keep-alive connection idle after a response is closed") {
    TestServer s([](Server& srv) { srv.idle_timeout(200ms); });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(read_http_response(c).status == 200);
    CHECK(c.wait_eof());
}

TEST_CASE("one stalled connection does not delay another") {
    TestServer s;
    TcpClient stalled(s.port());
    REQUIRE(stalled.send_all("GET /hello HTTP/1.1\r\nHo"));   // and nothing more
    WsTestClient slow_reader;                                   // nor does a WebSocket that never reads
    REQUIRE(slow_reader.connect(s.port(), "/ws"));
    TcpClient other(s.port());
    REQUIRE(other.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(other, 3000ms);
    REQUIRE(r.ok);
    CHECK(r.body == "hello");
}

TEST_CASE("RFC 9110 10.1.1: Expect: 100-continue gets 100 before the body is sent") {
    TestServer s;
    TcpClient c(s.port());
    REQUIRE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
    REQUIRE(c.read_until("\r\n\r\n"));
    CHECK(c.pending.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0);
    c.pending.erase(0, c.pending.find("\r\n\r\n") + 4);
    REQUIRE(c.send_all("data"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.body == "data");
}

TEST_CASE("RFC 9112 7.1: a streaming response is sent chunked, from a coroutine") {
    TestServer s([](Server& srv) {
        srv.route("/stream", [](Context& c) -> Task {
            c.begin_stream(200, "text/plain");
            for (int i = 0; i < 3; ++i) {
                const SendResult r = co_await c.send("part" + std::to_string(i) + ";");
                if (r == SendResult::closed) co_return;
            }
            c.end_stream();
        });
    });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.header("Transfer-Encoding") == "chunked");
    CHECK(r.body == "part0;part1;part2;");
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));   // keep-alive after a stream
    CHECK(read_http_response(c).body == "hello");
}

TEST_CASE("router parameters, query and headers reach the handler") {
    TestServer s([](Server& srv) {
        srv.http("GET", "/room/:id/*", [](Context& c) {
            c.set_header("X-Id", c.param("id"));
            c.respond(200, std::string(c.param("id")) + "|" + std::string(c.param("*")) + "|" +
                               std::string(c.query()) + "|" + std::string(c.header("x-test").value_or("none")));
        });
    });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /room/42/a/b?q=1 HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\n\r\n"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.body == "42|a/b|q=1|yes");
    CHECK(r.header("X-Id") == "42");
}

TEST_CASE("receive_for wakes on timeout with the connection still open; timers tick and are cancelled") {
    TestServer s([](Server& srv) {
        srv.route("/beat", [](Context& c) -> Task {
            auto m = co_await c.receive_for(50ms);
            co_await c.send(!m && c.open() ? "timeout" : "message");
            int ticks = 0;
            sluice::TimerId id = 0;
            id = c.every(20ms, [&c, &ticks, &id] {
                c.send_now("tick");
                if (++ticks == 3) c.cancel(id);
            });
            c.after(10ms, [&c] { c.send_now("after"); });
            while (auto msg = co_await c.receive()) co_await c.send(std::to_string(ticks));
        });
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/beat"));
    CHECK(ws.receive() == "timeout");
    std::vector<std::string> got;
    for (int i = 0; i < 4; ++i) got.push_back(ws.receive().value_or("?"));
    CHECK(std::count(got.begin(), got.end(), "tick") == 3);
    CHECK(std::count(got.begin(), got.end(), "after") == 1);
    REQUIRE(ws.send_text("count?"));
    CHECK(ws.receive() == "3");
}

TEST_CASE("per-connection user data lives as long as its connection") {
    TestServer s([](Server& srv) {
        srv.route("/count", sluice::WsCallbacks{
                                .on_open = {},
                                .on_message = [](Context& c, const Message&) {
                                    int& n = c.data<int>();
                                    c.send_now(std::to_string(++n));
                                },
                                .on_drain = {},
                                .on_ping = {}, .on_pong = {}, .on_dropped = {}, .on_close = {}});
    });
    WsTestClient a, b;
    REQUIRE(a.connect(s.port(), "/count"));
    REQUIRE(b.connect(s.port(), "/count"));
    REQUIRE(a.send_text("x"));
    CHECK(a.receive() == "1");
    REQUIRE(a.send_text("x"));
    CHECK(a.receive() == "2");
    REQUIRE(b.send_text("x"));
    CHECK(b.receive() == "1");
}

TEST_CASE("a coroutine frame is freed when its client vanishes without a close frame") {
    static std::atomic<int> alive{0};
    struct Guard {
        Guard() { ++alive; }
        ~Guard() { --alive; }
    };
    TestServer s([](Server& srv) {
        srv.route("/hold", [](Context& c) -> Task {
            Guard g;
            co_await c.send("ready");
            while (auto m = co_await c.receive()) {
            }
        });
    });
    {
        WsTestClient ws;
        REQUIRE(ws.connect(s.port(), "/hold"));
        CHECK(ws.receive() == "ready");
        CHECK(alive == 1);
        ws.tcp.close();   // no close frame: RFC 6455 7.1.5 "abnormal closure" (1006)
    }
    CHECK(eventually([] { return alive.load() == 0; }));
    CHECK(eventually([&] { return s.server.connection_count() == 0; }));
}

TEST_CASE("validate() names the bad setting") {
    Server a;
    a.threads(0);
    CHECK(a.validate().find("threads") != std::string::npos);
    Server b;
    b.header_timeout(0ms);
    CHECK(b.validate().find("header_timeout") != std::string::npos);
    Server c;
    c.max_backpressure(0);
    CHECK(c.validate().find("max_backpressure") != std::string::npos);
    Server d;
    d.http("GET", "no-slash", [](Context&) {});
    CHECK(d.validate().find("must start with '/'") != std::string::npos);
    CHECK_FALSE(d.start());
    CHECK(d.last_error().find("must start with '/'") != std::string::npos);
    Server e;
    e.allowed_origins({""});
    CHECK(e.validate().find("allowed_origins") != std::string::npos);
    Server ok;
    CHECK(ok.validate().empty());
}

}  // TEST_SUITE

TEST_SUITE("app") {

TEST_CASE("backpressure: sends report queued then dropped for a client that does not read; on_drain follows") {
    std::atomic<int> accepted{0}, queued{0}, dropped{0}, drains{0};
    static const std::string chunk(16 * 1024, 'x');
    TestServer s([&](Server& srv) {
        srv.max_backpressure(64 * 1024);
        srv.route("/flood", sluice::WsCallbacks{
                                .on_open = [&](Context& c) {
                                    // Each tick writes until the socket stops taking bytes; the
                                    // kernel's buffers fill, then the bounded queue, then sends drop.
                                    sluice::TimerId* id = &c.data<sluice::TimerId>();
                                    *id = c.every(1ms, [&c, id, &accepted, &queued, &dropped] {
                                        for (int i = 0; i < 3; ++i) {   // 48 KiB: under the bound per tick
                                            const SendResult r = c.send_now(chunk);
                                            if (r == SendResult::sent || r == SendResult::queued) ++accepted;
                                            if (r == SendResult::queued) ++queued;
                                            if (r == SendResult::dropped) {
                                                ++dropped;
                                                c.cancel(*id);
                                                return;
                                            }
                                        }
                                    });
                                },
                                .on_message = {},
                                .on_drain = [&](Context&) { ++drains; },
                                .on_ping = {}, .on_pong = {}, .on_dropped = {}, .on_close = {}});
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/flood"));
    REQUIRE(eventually([&] { return dropped.load() == 1; }, 20000ms));
    CHECK(queued >= 1);   // the kernel refused bytes before the bound was reached
    CHECK(drains == 0);
    // Now read everything: the queue drains and the application hears of it.
    int received = 0;
    while (received < accepted) {
        auto m = ws.receive(5000ms);
        if (!m) break;
        CHECK(m->size() == chunk.size());
        ++received;
    }
    CHECK(received == accepted.load());
    CHECK(eventually([&] { return drains.load() >= 1; }));
}

TEST_CASE("backpressure: co_await send suspends while over the bound and loses nothing") {
    constexpr int kCount = 400;
    static const std::string chunk(8 * 1024, 'y');
    std::atomic<int> results_not_sent{0};
    TestServer s([&](Server& srv) {
        srv.max_backpressure(32 * 1024);
        srv.route("/pump", [&](Context& c) -> Task {
            for (int i = 0; i < kCount; ++i) {
                const SendResult r = co_await c.send(std::to_string(i) + ":" + chunk);
                if (r == SendResult::dropped || r == SendResult::closed) ++results_not_sent;
            }
            co_await c.send("end");
            while (co_await c.receive()) {
            }
        });
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/pump"));
    int next = 0;
    for (;;) {
        auto m = ws.receive(5000ms);
        REQUIRE(m.has_value());
        if (*m == "end") break;
        CHECK(m->substr(0, m->find(':')) == std::to_string(next));
        ++next;
    }
    CHECK(next == kCount);
    CHECK(results_not_sent == 0);
}

TEST_CASE("output: a large send goes to the socket at once; what the kernel refuses is queued and arrives in order") {
    // Frames over half a pool block are written straight away, behind what is queued; a
    // client that does not read yet makes the kernel refuse much of a 12 MiB message (its
    // buffers take a few MiB before the reader's window opens).
    static const auto pattern = [](char tag, std::size_t n) {
        std::string s(n, '\0');
        for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(tag + static_cast<char>(i % 13));
        return s;
    };
    static const std::string big1 = pattern('a', 12 << 20), big2 = pattern('A', 100 * 1024);
    std::atomic<std::size_t> buffered_after{0};
    std::atomic<int> not_accepted{0};
    std::atomic<bool> done{false};
    TestServer s([&](Server& srv) {
        srv.max_backpressure(64 << 20);
        srv.route("/big", sluice::WsCallbacks{
                              .on_open = {},
                              .on_message =
                                  [&](Context& c, const Message&) {
                                      for (const std::string* m : {&big1, &big2}) {
                                          if (c.send_now("small") == SendResult::dropped) ++not_accepted;
                                          const SendResult r = c.send_binary_now(
                                              {reinterpret_cast<const std::uint8_t*>(m->data()), m->size()});
                                          if (r == SendResult::dropped || r == SendResult::closed) ++not_accepted;
                                      }
                                      if (c.send_now("last") == SendResult::dropped) ++not_accepted;
                                      buffered_after = c.buffered_amount();
                                      done = true;
                                  },
                              .on_drain = {},
                              .on_ping = {}, .on_pong = {}, .on_dropped = {}, .on_close = {}});
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/big"));
    REQUIRE(ws.send_text("go"));
    REQUIRE(eventually([&] { return done.load(); }));
    CHECK(not_accepted == 0);
    CHECK(buffered_after > 0);                 // the kernel refused part: the rest was queued
    CHECK(buffered_after < big1.size() + big2.size());   // and part went out at once
    for (const std::string* m : {&big1, &big2}) {
        auto small = ws.receive(10000ms);
        REQUIRE(small.has_value());
        CHECK(*small == "small");
        auto got = ws.receive(10000ms);
        REQUIRE(got.has_value());
        CHECK(got->size() == m->size());
        CHECK((*got == *m));
    }
    auto last = ws.receive(10000ms);
    REQUIRE(last.has_value());
    CHECK(*last == "last");
}

TEST_CASE("RFC 6455 7.4.1: a peer that stays over the bound past backpressure_timeout is closed (1008)") {
    static const std::string chunk(64 * 1024, 'z');
    std::mutex log_mutex;
    std::vector<std::string> log;
    TestServer s([&](Server& srv) {
        srv.on_log([&](std::string_view line) {
            std::lock_guard<std::mutex> lock(log_mutex);
            log.emplace_back(line);
        });
        srv.max_backpressure(16 * 1024).backpressure_timeout(200ms).close_timeout(200ms);
        srv.route("/stuck", sluice::WsCallbacks{
                                .on_open = [](Context& c) {
                                    c.every(5ms, [&c] { c.send_now(chunk); });
                                },
                                .on_message = {},
                                .on_drain = {},
                                .on_ping = {}, .on_pong = {}, .on_dropped = {}, .on_close = {}});
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/stuck"));
    REQUIRE(eventually([&] { return s.server.connection_count() == 0; }, 20000ms));   // the server gave up on us
    std::lock_guard<std::mutex> lock(log_mutex);
    CHECK(std::any_of(log.begin(), log.end(), [](const std::string& l) { return l.find("backpressure") != std::string::npos && l.find("1008") != std::string::npos; }));
}

TEST_CASE("connection_log: on_log gets an open, upgrade and close line per connection; off, none of them") {
    for (const bool on : {true, false}) {
        CAPTURE(on);
        std::mutex log_mutex;
        std::vector<std::string> log;
        {
            TestServer s([&](Server& srv) {
                srv.connection_log(on).on_log([&](std::string_view line) {
                    std::lock_guard<std::mutex> lock(log_mutex);
                    log.emplace_back(line);
                });
            });
            WsTestClient ws;
            REQUIRE(ws.connect(s.port(), "/ws"));
            REQUIRE(ws.send_text("x"));
            REQUIRE(ws.receive(5000ms).has_value());   // upgraded and echoed
            REQUIRE(ws.send_close(1000));
            REQUIRE(ws.wait_close().has_value());
            REQUIRE(eventually([&] { return s.server.connection_count() == 0; }, 5000ms));
        }   // the server stopped: every line it made is in
        std::lock_guard<std::mutex> lock(log_mutex);
        for (const char* prefix : {"open #", "upgrade #", "close #"}) {
            const bool seen = std::any_of(log.begin(), log.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
            CHECK_MESSAGE(seen == on, prefix);
        }
        CHECK_FALSE(log.empty());   // off keeps the start-up and shutdown notes
    }
}

TEST_CASE("RFC 6455 7.1.1: close_timeout ends a connection whose peer never answers our close") {
    TestServer s([](Server& srv) {
        srv.close_timeout(200ms);
        srv.route("/closer", [](Context& c) -> Task {
            c.close(4001, "done");
            co_return;
        });
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/closer"));
    auto e = ws.next();
    REQUIRE(e.has_value());
    CHECK(e->kind == WsTestClient::Event::Kind::close);
    CHECK(e->code == 4001);
    // The client's session queued its reply but we never send it: the server times out.
    CHECK(ws.tcp.wait_eof());
}

TEST_CASE("RFC 6455 7.1.7: a protocol error gets a 1002 close frame, then the server closes") {
    TestServer s;
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    // An unmasked client frame (RFC 6455 5.1): the server must fail the connection.
    REQUIRE(ws.send_raw(std::string("\x81\x02hi", 4)));
    auto code = ws.wait_close();
    CHECK(code == 1002);
    CHECK(ws.tcp.wait_eof());
}

TEST_CASE("pub/sub: a publish reaches subscribers on every thread (threads = 2)") {
    TestServer s([](Server& srv) {
        srv.threads(2);
        srv.route("/sub", [](Context& c) -> Task {
            c.subscribe("room");
            std::ostringstream id;
            id << std::this_thread::get_id();
            co_await c.send("thread " + id.str());
            while (auto m = co_await c.receive()) c.publish("room", m->text());
        });
    });
    std::vector<std::unique_ptr<WsTestClient>> clients;
    std::set<std::string> threads_seen;
    for (int i = 0; i < 64 && (threads_seen.size() < 2 || clients.size() < 6); ++i) {
        auto c = std::make_unique<WsTestClient>();
        REQUIRE(c->connect(s.port(), "/sub"));
        auto hello = c->receive();
        REQUIRE(hello.has_value());
        threads_seen.insert(*hello);
        clients.push_back(std::move(c));
    }
    REQUIRE(threads_seen.size() == 2);   // SO_REUSEPORT spread the connections
    REQUIRE(clients.front()->send_text("from a client"));
    for (auto& c : clients) CHECK(c->receive() == "from a client");   // the sender included
    s.server.publish("room", "from outside");   // from a thread that is no server thread
    for (auto& c : clients) CHECK(c->receive() == "from outside");
}

TEST_CASE("pub/sub: unsubscribe and close stop deliveries") {
    TestServer s([](Server& srv) {
        srv.route("/sub2", [](Context& c) -> Task {
            c.subscribe("t");
            co_await c.send("ready");
            while (auto m = co_await c.receive()) {
                if (m->text() == "leave") {
                    c.unsubscribe("t");
                    co_await c.send(c.is_subscribed("t") ? "still" : "left");
                } else {
                    c.publish("t", m->text());
                }
            }
        });
    });
    WsTestClient a, b;
    REQUIRE(a.connect(s.port(), "/sub2"));
    REQUIRE(b.connect(s.port(), "/sub2"));
    CHECK(a.receive() == "ready");
    CHECK(b.receive() == "ready");
    REQUIRE(b.send_text("leave"));
    CHECK(b.receive() == "left");
    REQUIRE(a.send_text("news"));
    CHECK(a.receive() == "news");
    REQUIRE(b.send_text("ping-me"));   // b publishes; only a is subscribed
    CHECK(a.receive() == "ping-me");
    CHECK_FALSE(b.receive(200ms).has_value());
}

TEST_CASE("RFC 6455 7.4.1: stop() sends 1001 to every WebSocket, finishes HTTP, then returns") {
    auto s = std::make_unique<TestServer>();
    WsTestClient ws;
    REQUIRE(ws.connect(s->port(), "/ws"));
    std::thread stopper([&] { s->server.stop(); });
    auto code = ws.wait_close();
    CHECK(code == 1001);   // the client's session answers the close; the server then ends
    CHECK(ws.tcp.wait_eof());
    stopper.join();
    CHECK_FALSE(s->server.running());
    TcpClient late;
    CHECK_FALSE(late.connect(s->port()));   // no longer accepting
}

TEST_CASE("RFC 6455 5.5.2: after the server's 1001 a Ping is still answered with a Pong, then the close completes") {
    auto s = std::make_unique<TestServer>();
    WsTestClient ws;
    REQUIRE(ws.connect(s->port(), "/ws"));
    std::thread stopper([&] { s->server.stop(); });
    // Raw frames from here: the client's session would stop reading at the server's close.
    std::string& in = ws.tcp.pending;
    const auto wait_for = [&](std::size_t n) {
        const auto end = std::chrono::steady_clock::now() + 5000ms;
        while (in.size() < n && std::chrono::steady_clock::now() < end) ws.tcp.read_some(in, 200ms);
        return in.size() >= n;
    };
    REQUIRE(wait_for(4));
    CHECK(static_cast<unsigned char>(in[0]) == 0x88);   // FIN + close, unmasked
    const std::size_t close_len = static_cast<unsigned char>(in[1]) & 0x7F;
    REQUIRE(wait_for(2 + close_len));
    CHECK((static_cast<unsigned char>(in[2]) << 8 | static_cast<unsigned char>(in[3])) == 1001);
    in.erase(0, 2 + close_len);
    // A masked Ping "hb" (key 1 2 3 4), as a client sends it (RFC 6455 §5.3).
    const std::string ping = {'\x89', '\x82', '\x01', '\x02', '\x03', '\x04', static_cast<char>('h' ^ 1),
                              static_cast<char>('b' ^ 2)};
    REQUIRE(ws.send_raw(ping));
    REQUIRE(wait_for(4));
    CHECK(in.substr(0, 4) == std::string("\x8a\x02hb", 4));   // the Pong, same payload (§5.5.3)
    in.erase(0, 4);
    // Our close (1001 echoed, masked): the handshake completes and the server closes TCP.
    const std::string close = {'\x88', '\x82', '\x01', '\x02', '\x03', '\x04', static_cast<char>(0x03 ^ 1),
                               static_cast<char>(0xE9 ^ 2)};
    REQUIRE(ws.send_raw(close));
    CHECK(ws.tcp.wait_eof());
    stopper.join();
    CHECK_FALSE(s->server.running());
}

TEST_CASE("run(): SIGTERM shuts down gracefully with 1001 and exit status 0; a second signal exits at once") {
    for (int signals = 1; signals <= 2; ++signals) {
        int pipefd[2];
        REQUIRE(::pipe(pipefd) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(pipefd[0]);
            Server server;
            server.port(0).shutdown_timeout(60'000ms).route("/ws", echo_task);
            server.on_log([fd = pipefd[1]](std::string_view line) {
                if (line.rfind("listening on ", 0) == 0) {
                    const std::string port(line.substr(line.rfind(':') + 1, line.find(' ', 13) - line.rfind(':') - 1));
                    (void)!::write(fd, port.data(), port.size());
                    ::close(fd);
                }
            });
            ::_exit(server.run());
        }
        ::close(pipefd[1]);
        char buf[16] = {};
        const ssize_t n = ::read(pipefd[0], buf, sizeof buf - 1);
        ::close(pipefd[0]);
        REQUIRE(n > 0);
        const auto port = static_cast<std::uint16_t>(std::stoi(std::string(buf, static_cast<std::size_t>(n))));
        WsTestClient ws;
        bool connected = ws.connect(port, "/ws");
        CHECK(connected);
        ::kill(child, SIGTERM);
        if (signals == 1) {
            CHECK(ws.wait_close() == 1001);   // our session answers; the server exits
        } else {
            auto e = ws.tcp.read_until("\x88", 5000ms);   // the close frame arrived: now a second signal
            CHECK(e);
            ::kill(child, SIGTERM);
        }
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == (signals == 1 ? 0 : 1));
    }
}

}  // TEST_SUITE

TEST_SUITE("app") {

TEST_CASE("RFC 9112 9.6: a client that half-closes after its requests still gets every response") {
    static const std::string big(300 * 1024, 'b');
    TestServer s([](Server& srv) { srv.http("GET", "/big", [](Context& c) { c.respond(200, big); }); });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.shutdown_write();
    HttpReply a = read_http_response(c);
    HttpReply b = read_http_response(c);
    REQUIRE((a.ok && b.ok));
    CHECK(a.body == "hello");
    CHECK(b.body.size() == big.size());
    CHECK(c.wait_eof());
}

TEST_CASE("RFC 9112 9.3: HTTP/1.0 closes by default and keeps alive on request") {
    TestServer s;
    {
        TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello HTTP/1.0\r\n\r\n"));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.body == "hello");
        CHECK(c.wait_eof());
    }
    {
        TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.header("Connection") == "keep-alive");
        REQUIRE(c.send_all("GET /hello HTTP/1.0\r\n\r\n"));
        CHECK(read_http_response(c).body == "hello");
    }
    {
        TcpClient c(s.port());   // HTTP/1.1 with Connection: close
        REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        HttpReply r = read_http_response(c);
        CHECK(r.header("Connection") == "close");
        CHECK(c.wait_eof());
    }
}

TEST_CASE("ping_interval: a quiet WebSocket is pinged, then closed with 1001 if it never answers") {
    TestServer s([](Server& srv) { srv.ping_interval(200ms).pong_timeout(100ms).close_timeout(200ms); });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    // Read nothing (so no pong goes back) until the server has given up.
    REQUIRE(eventually([&] { return s.server.connection_count() == 0; }));
    auto first = ws.next();
    REQUIRE(first.has_value());
    CHECK(first->kind == WsTestClient::Event::Kind::ping);
    CHECK(ws.wait_close() == 1001);
}

TEST_CASE("ping_interval: a WebSocket that answers pings stays open, idle_timeout does not apply to it") {
    TestServer s([](Server& srv) { srv.ping_interval(100ms).pong_timeout(50ms).idle_timeout(50ms); });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    int pings = 0;
    while (pings < 3) {   // each ping is answered by the client session's automatic pong
        auto e = ws.next();
        REQUIRE(e.has_value());
        REQUIRE(e->kind == WsTestClient::Event::Kind::ping);
        ++pings;
    }
    REQUIRE(ws.send_text("alive"));
    CHECK(ws.receive() == "alive");
}

TEST_CASE("max_connections: connections over the limit are closed at once") {
    TestServer s([](Server& srv) { srv.max_connections(1); });
    WsTestClient first;
    REQUIRE(first.connect(s.port(), "/ws"));
    TcpClient second(s.port());
    CHECK(second.wait_eof());
    REQUIRE(first.send_text("still here"));
    CHECK(first.receive() == "still here");
}

TEST_CASE("max_connections: the server's own client connections count toward it and are never refused by it") {
    TestServer peer;
    TestServer s([](Server& srv) { srv.max_connections(1); });
    std::atomic<bool> opened{false};
    sluice::WsCallbacks cb;
    cb.on_open = [&](Context&) { opened = true; };
    REQUIRE(s.server.connect("ws://127.0.0.1:" + std::to_string(peer.port()) + "/ws", {}, cb).empty());
    REQUIRE(sluice::test::eventually([&] { return opened.load(); }));
    CHECK(s.server.connection_count() == 1);
    // The one place is the client's: an incoming connection is refused, the client is not.
    std::atomic<bool> second_opened{false};
    sluice::WsCallbacks cb2;
    cb2.on_open = [&](Context&) { second_opened = true; };
    REQUIRE(s.server.connect("ws://127.0.0.1:" + std::to_string(peer.port()) + "/ws", {}, cb2).empty());
    TcpClient incoming(s.port());
    CHECK(incoming.wait_eof());
    CHECK(sluice::test::eventually([&] { return second_opened.load(); }));
    CHECK(s.server.connection_count() == 2);
}

TEST_CASE("Context::hold_reading: a held callback route reads nothing more until resumed, then every message in order") {
    TestServer s([](Server& srv) {
        sluice::WsCallbacks cb;
        cb.on_message = [](Context& ctx, const sluice::Message& m) {
            if (m.text() != "hold") {
                ctx.send_now("got " + std::string(m.text()));
                return;
            }
            ctx.hold_reading(true);
            ctx.send_now("holding");
            ctx.after(300ms, [&ctx] {
                ctx.send_now("resumed");
                ctx.hold_reading(false);
            });
        };
        srv.route("/held", cb);
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/held"));
    REQUIRE(ws.send_text("hold"));
    REQUIRE(ws.receive() == "holding");
    // Sent while the server holds: read only after "resumed" went out.
    REQUIRE(ws.send_text("a"));
    REQUIRE(ws.send_text("b"));
    REQUIRE(ws.send_text("c"));
    CHECK(ws.receive() == "resumed");
    CHECK(ws.receive() == "got a");
    CHECK(ws.receive() == "got b");
    CHECK(ws.receive() == "got c");
}

TEST_CASE("a coroutine handler that returns closes its WebSocket normally (1000)") {
    TestServer s([](Server& srv) {
        srv.route("/once", [](Context& c) -> Task {
            auto m = co_await c.receive();
            if (m) co_await c.send(std::string("got ") + std::string(m->text()));
        });
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/once"));
    REQUIRE(ws.send_text("x"));
    CHECK(ws.receive() == "got x");
    CHECK(ws.wait_close() == 1000);
}

TEST_CASE("a handler that throws: 500 over HTTP, 1011 over WebSocket") {
    TestServer s([](Server& srv) {
        srv.http("GET", "/throw", [](Context&) { throw std::runtime_error("boom"); });
        srv.route("/wsthrow", [](Context& c) -> Task {
            co_await c.receive();
            throw std::runtime_error("boom");
        });
    });
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(read_http_response(c).status == 500);
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/wsthrow"));
    REQUIRE(ws.send_text("x"));
    CHECK(ws.wait_close() == 1011);
}

}  // TEST_SUITE

TEST_SUITE("app") {

TEST_CASE("graceful shutdown finishes an in-flight HTTP response, then closes the connection") {
    std::atomic<bool> streaming{false};
    auto s = std::make_unique<TestServer>([&](Server& srv) {
        srv.http("GET", "/slow", [&](Context& c) {
            c.begin_stream(200, "text/plain");
            c.write_chunk("first;");
            streaming = true;
            c.after(100ms, [&c] {
                c.write_chunk("last");
                c.end_stream();
            });
        });
    });
    TcpClient c(s->port());
    REQUIRE(c.send_all("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(eventually([&] { return streaming.load(); }));
    std::thread stopper([&] { s->server.stop(); });
    HttpReply r = read_http_response(c);
    stopper.join();
    REQUIRE(r.ok);
    CHECK(r.body == "first;last");
    CHECK(r.header("Connection") == std::nullopt);   // the head went out before the shutdown
    CHECK(c.wait_eof());
}

}  // TEST_SUITE
