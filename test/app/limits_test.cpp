// test/app/limits_test.cpp — the limits that hold under abuse, over real sockets: each test
// goes over one, checks the exact answer, and checks that another connection was untouched.
// Also: the Date header on the server's own error answers (RFC 9110 §6.6.1).
#include "app/server.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Context;
using sluice::Server;
using sluice::test::eventually;
using sluice::test::HttpReply;
using sluice::test::read_http_response;
using sluice::test::TcpClient;
using sluice::test::TestServer;
using sluice::test::WsTestClient;

namespace {

// A client frame with the all-zero masking key (RFC 6455 §5.3: masked, the key may be any
// value), so the payload goes as written: `first` is the FIN/RSV/opcode byte.
std::string raw_frame(unsigned char first, std::size_t n, char fill) {
    std::string f(1, static_cast<char>(first));
    if (n < 126) {
        f += static_cast<char>(0x80 | n);
    } else {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>((n >> 8) & 0xFF);
        f += static_cast<char>(n & 0xFF);
    }
    f += std::string(4, '\0');
    f += std::string(n, fill);
    return f;
}

// An open WebSocket still echoes: the limit did not touch it.
void still_echoes(WsTestClient& ws, std::string_view text = "untouched") {
    REQUIRE(ws.send_text(text));
    CHECK(ws.receive() == text);
}

// A keep-alive HTTP connection still answers.
void still_answers(TcpClient& c) {
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c);
    CHECK(r.status == 200);
    CHECK(r.body == "hello");
}

struct Lines {  // what on_log received
    std::mutex mutex;
    std::vector<std::string> all;
    std::vector<std::string> starting(std::string_view prefix) {
        std::lock_guard<std::mutex> lock(mutex);
        std::vector<std::string> out;
        for (const auto& l : all) {
            if (l.rfind(prefix, 0) == 0) out.push_back(l);
        }
        return out;
    }
};

}  // namespace

TEST_SUITE("app") {

TEST_CASE("RFC 9110 6.6.1: the server's own error answers (a 400 for a malformed head, a 404) carry Date") {
    TestServer s;
    TcpClient bad(s.port());
    REQUIRE(bad.send_all("GET /hello HTTP/1.1\r\nHost x\r\n\r\n"));   // a field line without a colon
    HttpReply r = read_http_response(bad);
    REQUIRE(r.ok);
    CHECK(r.status == 400);
    REQUIRE(r.header("Date").has_value());
    CHECK(r.header("Date")->size() == 29);   // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    CHECK(r.header("Date")->substr(26) == "GMT");
    TcpClient missing(s.port());
    REQUIRE(missing.send_all("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply n = read_http_response(missing);
    CHECK(n.status == 404);
    CHECK(n.header("Date").has_value());
}

TEST_CASE("max_headers: a request with more field lines gets 431 and is closed; other connections are untouched") {
    TestServer s([](Server& srv) { srv.max_headers(4); });
    TcpClient other(s.port());
    still_answers(other);
    TcpClient at_limit(s.port());
    REQUIRE(at_limit.send_all("GET /hello HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"));   // 4 lines
    CHECK(read_http_response(at_limit).status == 200);
    TcpClient over(s.port());
    REQUIRE(over.send_all("GET /hello HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"));   // 5 lines
    HttpReply r = read_http_response(over);
    CHECK(r.status == 431);   // RFC 6585 §5
    CHECK(r.header("Date").has_value());
    CHECK(over.wait_eof());
    still_answers(other);
    still_answers(at_limit);
}

TEST_CASE("max_frame_size: a frame over it is closed 1009 though the message is allowed; smaller fragments pass") {
    TestServer s([](Server& srv) { srv.max_frame_size(1000).max_message_size(64 * 1024); });
    WsTestClient other;
    REQUIRE(other.connect(s.port(), "/ws"));
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/ws"));
    // 3 fragments of 1000 bytes: a 3000-byte message, each frame at the limit.
    REQUIRE(ws.send_raw(raw_frame(0x01, 1000, 'a') + raw_frame(0x00, 1000, 'b') + raw_frame(0x80, 1000, 'c')));
    CHECK(ws.receive() == std::string(1000, 'a') + std::string(1000, 'b') + std::string(1000, 'c'));
    // One frame of 1001 bytes: over max_frame_size (RFC 6455 §7.4.1: 1009, message too big).
    REQUIRE(ws.send_raw(raw_frame(0x81, 1001, 'x')));
    CHECK(ws.wait_close() == 1009);
    still_echoes(other);
}

TEST_CASE("max_connections_per_address: over it a connection is closed at once; the address's others and other peers are untouched") {
    TestServer s([](Server& srv) { srv.max_connections_per_address(2).metrics("/metrics"); });
    WsTestClient a, b;
    REQUIRE(a.connect(s.port(), "/ws"));
    REQUIRE(b.connect(s.port(), "/ws"));
    TcpClient third(s.port());
    CHECK(third.wait_eof());   // closed before a byte is read: no answer at all
    CHECK(third.pending.empty());
    still_echoes(a);
    still_echoes(b);
    // Another peer address (127.0.0.2 is loopback too) is counted on its own.
    TcpClient elsewhere;
    {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd >= 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(0x7F000002);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(s.port());
        to.sin_addr.s_addr = htonl(0x7F000001);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
        const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        REQUIRE(::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size()));
        std::string got;
        char buf[4096];
        for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<std::size_t>(n));
        ::close(fd);
        CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(got.find("sluice_connections_rejected_total{reason=\"per_address\"} 1\n") != std::string::npos);
    }
    // A closed connection frees its place.
    REQUIRE(a.send_close(1000));
    CHECK(a.wait_close() == 1000);
    CHECK(a.tcp.wait_eof());
    WsTestClient c;
    REQUIRE(eventually([&] { return c.connect(s.port(), "/ws"); }));
    still_echoes(c);
    still_echoes(b);
}

TEST_CASE("ping_interval / pong_timeout: a peer that sends nothing back within pong_timeout of a ping is closed 1001") {
    TestServer s([](Server& srv) { srv.ping_interval(200ms).pong_timeout(100ms).close_timeout(200ms).metrics("/metrics"); });
    WsTestClient other;
    REQUIRE(other.connect(s.port(), "/ws"));   // answers pings (its session pongs when it reads)
    WsTestClient dead;
    REQUIRE(dead.connect(s.port(), "/ws"));
    // `dead` reads nothing, so no pong goes back, until the server has given up on it.
    REQUIRE(eventually([&] {
        other.next(20ms);   // keeps `other` answering
        return s.server.connection_count() == 1;
    }));
    auto first = dead.next();
    REQUIRE(first.has_value());
    CHECK(first->kind == WsTestClient::Event::Kind::ping);
    CHECK(dead.wait_close() == 1001);
    still_echoes(other);
}

TEST_CASE("ping_interval: pings go out while the peer keeps sending (a proxy's read timeout sees our bytes); on_ping/on_pong are called") {
    std::atomic<int> pongs{0}, pings{0};
    std::string ping_payload;
    std::mutex m;
    TestServer s([&](Server& srv) {
        srv.ping_interval(100ms).pong_timeout(50ms);
        srv.route("/cb", {.on_open = {},
                          .on_message = [](Context& c, const sluice::Message& msg) { c.send_now(msg.text()); },
                          .on_drain = {},
                          .on_ping = [&](Context&, std::span<const std::uint8_t> p) {
                              std::lock_guard<std::mutex> lock(m);
                              ping_payload.assign(reinterpret_cast<const char*>(p.data()), p.size());
                              ++pings;
                          },
                          .on_pong = [&](Context&, std::span<const std::uint8_t>) { ++pongs; },
                          .on_dropped = {},
                          .on_close = {}});
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/cb"));
    // The client talks all the time (a message every 20 ms), so the server never hears silence;
    // the server still pings every ping_interval.
    int server_pings = 0, echoes = 0;
    for (int i = 0; i < 400 && server_pings < 3; ++i) {
        REQUIRE(ws.send_text("tick"));
        while (auto e = ws.next(20ms)) {
            if (e->kind == WsTestClient::Event::Kind::ping) ++server_pings;
            if (e->kind == WsTestClient::Event::Kind::message) ++echoes;
        }
    }
    CHECK(server_pings >= 3);
    CHECK(echoes > 0);
    CHECK(eventually([&] { return pongs.load() >= 3; }));   // each answered by the client session
    REQUIRE(ws.send_ping("are you there"));
    auto pong = ws.next();
    while (pong && pong->kind != WsTestClient::Event::Kind::pong) pong = ws.next();
    REQUIRE(pong.has_value());
    CHECK(pong->data == "are you there");   // RFC 6455 §5.5.3: the ping's payload
    REQUIRE(eventually([&] { return pings.load() == 1; }));
    std::lock_guard<std::mutex> lock(m);
    CHECK(ping_payload == "are you there");
}

TEST_CASE("slow subscriber: a missed publish is counted and told through on_dropped; a reading subscriber gets every one") {
    std::atomic<int> dropped{0};
    std::uint64_t missed_seen = 0;
    std::string dropped_topic;
    std::mutex m;
    TestServer s([&](Server& srv) {
        srv.max_backpressure(16 * 1024).backpressure_timeout(60'000ms).metrics("/metrics");
        srv.route("/sub", {.on_open = [](Context& c) { c.subscribe("feed"); },
                           .on_message = {},
                           .on_drain = {},
                           .on_ping = {},
                           .on_pong = {},
                           .on_dropped = [&](Context& c, std::string_view topic) {
                               std::lock_guard<std::mutex> lock(m);
                               dropped_topic = std::string(topic);
                               ++dropped;
                               missed_seen = c.missed_publishes();   // what a coroutine route reads
                           },
                           .on_close = {}});
    });
    WsTestClient fast, slow;
    slow.tcp.set_receive_buffer(4096);
    REQUIRE(fast.connect(s.port(), "/sub"));
    REQUIRE(slow.connect(s.port(), "/sub"));
    REQUIRE(eventually([&] {
        TcpClient c(s.port());
        c.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        return read_http_response(c).body.find("sluice_topic_subscriptions 2\n") != std::string::npos;
    }));
    const std::string payload(4096, 'p');
    int published = 0;
    // `slow` never reads: the kernel's buffers fill, then its queue passes max_backpressure.
    for (int round = 0; round < 2000 && dropped.load() == 0; ++round) {
        for (int i = 0; i < 8; ++i, ++published) s.server.publish("feed", payload);
        for (int i = 0; i < 8; ++i) REQUIRE(fast.receive() == payload);
    }
    REQUIRE(dropped.load() > 0);
    {
        std::lock_guard<std::mutex> lock(m);
        CHECK(dropped_topic == "feed");
        CHECK(missed_seen == static_cast<std::uint64_t>(dropped.load()));
    }
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const std::string body = read_http_response(c).body;
    CHECK(body.find("sluice_publishes_missed_total " + std::to_string(dropped.load()) + "\n") != std::string::npos);
    CHECK(body.find("sluice_publishes_total " + std::to_string(published) + "\n") != std::string::npos);
}

TEST_CASE("max_memory: a message being assembled past the budget is shed with 1009 and a log line; another connection is untouched") {
    auto lines = std::make_shared<Lines>();
    TestServer s([&](Server& srv) {
        srv.output_block_size(4096).max_memory(256 * 1024).max_message_size(4 << 20).max_frame_size(4 << 20);
        srv.metrics("/metrics").on_log([lines](std::string_view l) {
            std::lock_guard<std::mutex> lock(lines->mutex);
            lines->all.emplace_back(l);
        });
    });
    WsTestClient other;
    REQUIRE(other.connect(s.port(), "/ws"));
    WsTestClient big;
    REQUIRE(big.connect(s.port(), "/ws"));
    // A 2 MiB binary frame (header: 127 + 64-bit length, zero mask), of which 512 KiB are sent.
    std::string head = "\x82\xFF";
    for (int i = 7; i >= 0; --i) head += static_cast<char>(((std::uint64_t{2} << 20) >> (8 * i)) & 0xFF);
    head += std::string(4, '\0');
    REQUIRE(big.send_raw(head));
    for (int i = 0; i < 8; ++i) {
        if (!big.send_raw(std::string(64 * 1024, 'm'))) break;   // the server may stop reading us
    }
    CHECK(big.wait_close() == 1009);   // RFC 6455 §7.4.1: message too big
    still_echoes(other);
    CHECK(lines->starting("memory budget: shedding").size() == 1);
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const std::string body = read_http_response(c).body;
    CHECK(body.find("sluice_memory_shed_total{code=\"1009\"} 1\n") != std::string::npos);
    CHECK(body.find("sluice_memory_shed_total{code=\"1008\"} 0\n") != std::string::npos);
}

TEST_CASE("max_memory: a subscriber whose queue holds the most is shed with 1008; a reading subscriber gets every publish") {
    auto lines = std::make_shared<Lines>();
    TestServer s([&](Server& srv) {
        srv.output_block_size(4096).max_memory(512 * 1024).max_backpressure(64 << 20).metrics("/metrics");
        srv.on_log([lines](std::string_view l) {
            std::lock_guard<std::mutex> lock(lines->mutex);
            lines->all.emplace_back(l);
        });
        srv.route("/sub", {.on_open = [](Context& c) { c.subscribe("feed"); },
                           .on_message = {},
                           .on_drain = {},
                           .on_ping = {},
                           .on_pong = {},
                           .on_dropped = {},
                           .on_close = {}});
    });
    WsTestClient fast, slow;
    slow.tcp.set_receive_buffer(4096);
    REQUIRE(fast.connect(s.port(), "/sub"));
    REQUIRE(slow.connect(s.port(), "/sub"));
    const std::string payload(1000, 'q');   // a frame fits one output block
    for (int round = 0; round < 4000 && lines->starting("memory budget: shedding").empty(); ++round) {
        for (int i = 0; i < 16; ++i) s.server.publish("feed", payload);
        for (int i = 0; i < 16; ++i) REQUIRE(fast.receive() == payload);
    }
    REQUIRE(lines->starting("memory budget: shedding").size() == 1);
    CHECK(lines->starting("memory budget: shedding")[0].find("its output queue") != std::string::npos);
    // The slow one now reads: the queued publishes, then close 1008.
    std::optional<std::uint16_t> code;
    for (int i = 0; i < 100000 && !code; ++i) {
        auto e = slow.next();
        if (!e) break;
        if (e->kind == WsTestClient::Event::Kind::close) code = e->code;
    }
    CHECK(code == 1008);
    s.server.publish("feed", "after");
    CHECK(fast.receive() == "after");
}

TEST_CASE("access log: a line per HTTP request and per WebSocket session when on; none when off; 1 in N when sampled") {
    auto lines = std::make_shared<Lines>();
    {
        TestServer s([&](Server& srv) {
            srv.access_log(sluice::Settings::AccessLog::on).on_log([lines](std::string_view l) {
                std::lock_guard<std::mutex> lock(lines->mutex);
                lines->all.emplace_back(l);
            });
        });
        TcpClient c(s.port());
        REQUIRE(c.send_all("GET /hello?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
        CHECK(read_http_response(c).status == 200);
        REQUIRE(c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
        CHECK(read_http_response(c).status == 200);
        REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost x\r\n\r\n"));   // malformed: 400
        CHECK(read_http_response(c).status == 400);
        WsTestClient ws;
        REQUIRE(ws.connect(s.port(), "/ws"));
        still_echoes(ws, "hello");
        still_echoes(ws, "hi");
        REQUIRE(ws.send_close(1000));
        CHECK(ws.wait_close() == 1000);
        REQUIRE(eventually([&] { return lines->starting("access ws ").size() == 1; }));
        REQUIRE(eventually([&] { return lines->starting("access http ").size() == 3; }));
        const auto http = lines->starting("access http ");
        CHECK(http[0].find(" method=GET target=\"/hello?x=1\" status=200 bytes=5 ms=") != std::string::npos);
        CHECK(http[1].find(" method=POST target=\"/echo\" status=200 bytes=3 ms=") != std::string::npos);
        CHECK(http[2].find(" method=- target=\"-\" status=400 bytes=") != std::string::npos);
        const std::string wsl = lines->starting("access ws ")[0];
        CHECK(wsl.find(" route=\"/ws\" ms=") != std::string::npos);
        CHECK(wsl.find(" in_msgs=2 in_bytes=7 out_msgs=2 out_bytes=7 close=1000") != std::string::npos);
        CHECK(wsl.find("peer=127.0.0.1:") != std::string::npos);
        // The session spanned several round trips: its duration is measured, not the loop's cached time.
        CHECK(std::stod(wsl.substr(wsl.find(" ms=") + 4)) > 0.0);
    }
    for (const auto mode : {sluice::Settings::AccessLog::off, sluice::Settings::AccessLog::sampled}) {
        lines->all.clear();
        TestServer s([&](Server& srv) {
            srv.access_log(mode).access_log_sample(2).on_log([lines](std::string_view l) {
                std::lock_guard<std::mutex> lock(lines->mutex);
                lines->all.emplace_back(l);
            });
        });
        TcpClient c(s.port());
        for (int i = 0; i < 6; ++i) {
            REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
            CHECK(read_http_response(c).status == 200);
        }
        s.server.stop();
        CHECK(lines->starting("access ").size() == (mode == sluice::Settings::AccessLog::off ? 0u : 3u));
    }
}

}  // TEST_SUITE
