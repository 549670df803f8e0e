// test/app/push_test.cpp — the push transports over real sockets: SSE streams, long-polls and
// WebSockets with ids, one publish reaching them all, history and resume (app/detail/
// connection_push.cpp, topic_history.hpp). Every route in both handler styles.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/json.hpp"
#include "test/support/push_test_client.hpp"
#include "test/support/test_server.hpp"

using namespace std::chrono_literals;
using sluice::Context;
using sluice::Server;
using sluice::Task;
using sluice::test::eventually;
using sluice::test::http_request;
using sluice::test::SseTestClient;
using sluice::test::TcpClient;
using sluice::test::TestServer;
using sluice::test::WsTestClient;

namespace {

Task sse_task(Context& ctx) {
    ctx.subscribe(ctx.param("topic"));
    co_await ctx.send("hello from a coroutine");
}

Task poll_task(Context& ctx) {
    if (ctx.method() == "POST") {
        ctx.publish(ctx.param("topic"), ctx.body());
        co_return;   // 204
    }
    ctx.subscribe(ctx.param("topic"));
    co_return;
}

Task ws_task(Context& ctx) {
    ctx.subscribe(ctx.param("topic"));
    while (auto m = co_await ctx.receive()) {
    }
}

// Routes in both styles: /sse/:topic /sse-co/:topic /poll/:topic /poll-co/:topic /ws/:topic;
// topic "h" keeps the last 5 messages.
void push_routes(Server& s) {
    s.topic_history("h", {.max_messages = 5});
    s.sse("/sse/:topic", [](Context& ctx) {
        ctx.subscribe(ctx.param("topic"));
        if (ctx.query() == "hello") ctx.send_event({.data = "one\ntwo", .event = "greeting", .id = "g:1", .retry_ms = 1500});
    });
    s.sse("/sse-co/:topic", sse_task);
    s.poll("/poll/:topic", [](Context& ctx) {
        if (ctx.method() == "POST") {
            ctx.publish(ctx.param("topic"), ctx.body());
            return;   // 204
        }
        ctx.subscribe(ctx.param("topic"));
    });
    s.poll("/poll-co/:topic", poll_task);
    s.route("/ws/:topic", ws_task);
}

struct PollAnswer {
    int status = 0;
    std::string epoch;
    std::vector<std::pair<std::string, std::string>> messages;   // id, data
    bool reset = false;
    std::string body;
};

PollAnswer poll(std::uint16_t port, std::string_view target, std::chrono::milliseconds timeout = 5000ms) {
    const sluice::test::HttpReply r = http_request(port, "GET", target, {}, timeout);
    PollAnswer a;
    a.status = r.status;
    a.body = r.body;
    if (r.status != 200) return a;
    CHECK(r.header("Content-Type").value_or("") == "application/json");
    const auto parsed = sluice::json::parse(r.body);
    REQUIRE(parsed.error == sluice::json::ParseError::none);
    a.epoch = std::string(parsed.value.string_at("epoch").value_or("?"));
    const auto* msgs = parsed.value.find("messages");
    REQUIRE(msgs != nullptr);
    for (const auto& m : msgs->array()) {
        a.messages.emplace_back(std::string(m.string_at("id").value_or("?")), std::string(m.string_at("data").value_or("?")));
    }
    const auto* reset = parsed.value.find("reset");
    REQUIRE(reset != nullptr);
    a.reset = reset->as_bool();
    return a;
}

std::string epoch_of(std::uint16_t port, std::string_view topic) {
    return poll(port, "/poll/" + std::string(topic) + "?wait=0").epoch;
}

}  // namespace

TEST_SUITE("app") {

// ---- SSE ---------------------------------------------------------------------------------------

TEST_CASE("push sse: the stream's head (WHATWG HTML §9.2: text/event-stream), both handler styles") {
    TestServer t(push_routes);
    for (const char* path : {"/sse/a", "/sse-co/a"}) {
        CAPTURE(path);
        SseTestClient c;
        REQUIRE(c.open(t.port(), path));
        CHECK(c.head.find("Content-Type: text/event-stream\r\n") != std::string::npos);
        CHECK(c.head.find("Cache-Control: no-cache\r\n") != std::string::npos);
        CHECK(c.head.find("X-Accel-Buffering: no\r\n") != std::string::npos);
        CHECK(c.head.find("Content-Length") == std::string::npos);
        CHECK(c.chunked);   // RFC 9112 §7.1 on HTTP/1.1: a proxy sees where the body is
    }
}

TEST_CASE("push sse: HTTP/1.0 gets a close-delimited stream (RFC 9112 §6.3: no chunked on 1.0)") {
    TestServer t(push_routes);
    SseTestClient c;
    REQUIRE(c.open(t.port(), "/sse/a", "Accept: text/event-stream\r\n", true));
    CHECK_FALSE(c.chunked);
    CHECK(c.head.find("Connection: close") != std::string::npos);
    REQUIRE(eventually([&] { return t.server.connection_count() == 1; }));
    t.server.publish("a", "over 1.0");
    const auto e = c.next();
    REQUIRE(e);
    CHECK(e->data == "over 1.0");
}

TEST_CASE("push sse: an Accept that excludes text/event-stream gets 406 (RFC 9110 §15.5.7); none, */* and text/* are fine") {
    TestServer t(push_routes);
    SseTestClient bad;
    CHECK_FALSE(bad.open(t.port(), "/sse/a", "Accept: application/json\r\n"));
    CHECK(bad.status == 406);
    SseTestClient zero;
    CHECK_FALSE(zero.open(t.port(), "/sse/a", "Accept: text/event-stream;q=0\r\n"));
    CHECK(zero.status == 406);
    for (const char* accept : {"", "Accept: */*\r\n", "Accept: text/*, application/json\r\n",
                               "Accept: application/json, TEXT/EVENT-STREAM; q=0.5\r\n"}) {
        CAPTURE(accept);
        SseTestClient ok;
        CHECK(ok.open(t.port(), "/sse/a", accept));
    }
    CHECK(http_request(t.port(), "POST", "/sse/a", "x").status == 405);
}

TEST_CASE("push sse: the handler's own events (id, event, retry, multi-line data) and a coroutine's send()") {
    TestServer t(push_routes);
    SseTestClient c;
    REQUIRE(c.open(t.port(), "/sse/a?hello"));
    const auto e = c.next();
    REQUIRE(e);
    CHECK(e->type == "greeting");
    CHECK(e->data == "one\ntwo");
    CHECK(e->id == "g:1");
    CHECK(c.raw_body().find("retry: 1500\n") != std::string::npos);
    SseTestClient co;
    REQUIRE(co.open(t.port(), "/sse-co/a"));
    const auto f = co.next();
    REQUIRE(f);
    CHECK(f->type == "message");
    CHECK(f->data == "hello from a coroutine");
}

TEST_CASE("push sse: an event id with CR, LF or NUL is refused, nothing is sent (§9.2.6)") {
    sluice::SendResult results[3];
    TestServer t([&](Server& s) {
        s.sse("/bad-ids", [&](Context& ctx) {
            results[0] = ctx.send_event({.data = "x", .id = "a\nb"});
            results[1] = ctx.send_event({.data = "x", .id = std::string_view("a\0b", 3)});
            results[2] = ctx.send_event({.data = "x", .event = "a\rb"});
            ctx.send_event({.data = "after"});
        });
    });
    SseTestClient c;
    REQUIRE(c.open(t.port(), "/bad-ids"));
    const auto e = c.next();
    REQUIRE(e);
    CHECK(e->data == "after");
    for (const auto r : results) CHECK(r == sluice::SendResult::dropped);
}

TEST_CASE("push sse: published messages reach the stream, a comment every sse_heartbeat") {
    TestServer t([](Server& s) {
        push_routes(s);
        s.sse_heartbeat(40ms);
    });
    for (const char* path : {"/sse/live", "/sse-co/live"}) {
        CAPTURE(path);
        SseTestClient c;
        REQUIRE(c.open(t.port(), path));
        if (std::string_view(path).find("-co") != std::string_view::npos) REQUIRE(c.next());   // its greeting
        t.server.publish("live", "line 1\r\nline 2");
        const auto e = c.next();
        REQUIRE(e);
        CHECK(e->data == "line 1\nline 2");
        CHECK(e->id.empty());   // no history on "live": no ids
        CHECK_FALSE(c.next(200ms));
        CHECK(c.heartbeats() >= 2);
    }
}

TEST_CASE("push sse: a client that leaves ends its stream at once; one that never reads is closed after backpressure_timeout") {
    TestServer t([](Server& s) {
        push_routes(s);
        s.max_backpressure(64 * 1024).backpressure_timeout(300ms);
    });
    {
        SseTestClient c;
        REQUIRE(c.open(t.port(), "/sse/b"));
        REQUIRE(eventually([&] { return t.server.connection_count() == 1; }));
    }
    CHECK(eventually([&] { return t.server.connection_count() == 0; }, 2000ms));   // not a heartbeat later
    SseTestClient slow;   // reads the head, then nothing
    REQUIRE(slow.open(t.port(), "/sse/b"));
    REQUIRE(eventually([&] { return t.server.connection_count() == 1; }));
    const std::string big(64 * 1024, 'x');
    int published = 0;
    for (; published < 2000 && t.server.connection_count() > 0; ++published) {
        t.server.publish("b", big);
        std::this_thread::sleep_for(1ms);
    }
    CHECK(eventually([&] { return t.server.connection_count() == 0; }));
    // It got whole events up to the point the server gave up, far fewer than were published:
    // the rest were dropped, the queue stayed within max_backpressure.
    std::size_t read = 0;
    while (const auto ev = slow.next(300ms)) {
        CHECK(ev->data.size() == big.size());
        ++read;
    }
    CHECK(read < static_cast<std::size_t>(published));
}

// ---- long-poll ---------------------------------------------------------------------------------

TEST_CASE("push poll: a held GET is answered by the next message, in the wire contract's JSON; both styles") {
    TestServer t(push_routes);
    for (const char* path : {"/poll/p", "/poll-co/p"}) {
        CAPTURE(path);
        PollAnswer a;
        std::thread waiter([&] { a = poll(t.port(), path); });
        REQUIRE(eventually([&] { return t.server.connection_count() == 1; }));
        std::this_thread::sleep_for(20ms);   // the handler has subscribed by now
        t.server.publish("p", "hi \"there\"");
        waiter.join();
        CHECK(a.status == 200);
        CHECK(a.epoch.size() == 16);
        REQUIRE(a.messages.size() == 1);
        CHECK(a.messages[0].first == a.epoch + ":0");   // no history on "p"
        CHECK(a.messages[0].second == "hi \"there\"");
        CHECK_FALSE(a.reset);
        CHECK(a.body == "{\"epoch\":\"" + a.epoch + "\",\"messages\":[{\"id\":\"" + a.epoch +
                            ":0\",\"data\":\"hi \\\"there\\\"\"}],\"reset\":false}");
        REQUIRE(eventually([&] { return t.server.connection_count() == 0; }));
    }
}

TEST_CASE("push poll: poll_timeout answers an empty list; ?wait=0 answers at once; POST is 204") {
    TestServer t([](Server& s) {
        push_routes(s);
        s.poll_timeout(150ms);
    });
    const auto start = std::chrono::steady_clock::now();
    const PollAnswer a = poll(t.port(), "/poll/q");
    CHECK(std::chrono::steady_clock::now() - start >= 150ms);
    CHECK(a.status == 200);
    CHECK(a.messages.empty());
    CHECK_FALSE(a.reset);
    const PollAnswer b = poll(t.port(), "/poll-co/q?wait=0");
    CHECK(b.status == 200);
    CHECK(b.messages.empty());
    for (const char* path : {"/poll/q", "/poll-co/q"}) {
        CAPTURE(path);
        CHECK(http_request(t.port(), "POST", path, "from the client").status == 204);
    }
}

TEST_CASE("push poll: a POST reaches a held poll (messages from the client by POST)") {
    TestServer t(push_routes);
    PollAnswer a;
    std::thread waiter([&] { a = poll(t.port(), "/poll/r"); });
    REQUIRE(eventually([&] { return t.server.connection_count() == 1; }));
    std::this_thread::sleep_for(20ms);
    CHECK(http_request(t.port(), "POST", "/poll-co/r", "posted").status == 204);
    waiter.join();
    REQUIRE(a.messages.size() == 1);
    CHECK(a.messages[0].second == "posted");
}

// ---- history and resume ----------------------------------------------------------------------

TEST_CASE("push resume: long-poll ?since= gets exactly what came after it, at once; up to date holds") {
    TestServer t([](Server& s) {
        push_routes(s);
        s.poll_timeout(150ms);
    });
    const std::string e = epoch_of(t.port(), "h");
    for (int i = 1; i <= 3; ++i) t.server.publish("h", "m" + std::to_string(i));
    for (const char* path : {"/poll/h", "/poll-co/h"}) {
        CAPTURE(path);
        const PollAnswer a = poll(t.port(), std::string(path) + "?since=" + e + "%3A1");   // ':' percent-encoded
        REQUIRE(a.messages.size() == 2);
        CHECK(a.messages[0] == std::pair<std::string, std::string>{e + ":2", "m2"});
        CHECK(a.messages[1] == std::pair<std::string, std::string>{e + ":3", "m3"});
        const auto start = std::chrono::steady_clock::now();
        const PollAnswer b = poll(t.port(), std::string(path) + "?since=" + e + ":3");
        CHECK(std::chrono::steady_clock::now() - start >= 150ms);   // held: nothing after 3
        CHECK(b.messages.empty());
        CHECK_FALSE(b.reset);
    }
}

TEST_CASE("push resume: a since the history no longer reaches, of another epoch or from the future is a reset; garbage is 400") {
    TestServer t(push_routes);
    const std::string e = epoch_of(t.port(), "h");
    for (int i = 1; i <= 8; ++i) t.server.publish("h", "m" + std::to_string(i));   // keeps 4..8
    const PollAnswer ok = poll(t.port(), "/poll/h?since=" + e + ":3");
    CHECK_FALSE(ok.reset);
    CHECK(ok.messages.size() == 5);
    for (const std::string& since : std::vector<std::string>{e + ":2", "0123456789abcdef:3", e + ":9"}) {
        CAPTURE(since);
        const PollAnswer a = poll(t.port(), "/poll/h?since=" + since);
        CHECK(a.status == 200);
        CHECK(a.reset);
        CHECK(a.messages.empty());
    }
    for (const char* since : {"garbage", "-1", e.c_str(), ":5", "abc:-3", "abc:1x", "a%ZZ:1", "abc:99999999999999999999"}) {
        CAPTURE(since);
        CHECK(poll(t.port(), std::string("/poll/h?since=") + since).status == 400);
        SseTestClient s;
        CHECK_FALSE(s.open(t.port(), std::string("/sse/h?lastEventId=") + since));
        CHECK(s.status == 400);
        WsTestClient w;
        CHECK_FALSE(w.connect(t.port(), std::string("/ws/h?since=") + since));
        CHECK(w.status == 400);
    }
    SseTestClient h;
    CHECK_FALSE(h.open(t.port(), "/sse/h", "Accept: text/event-stream\r\nLast-Event-ID: x\r\n"));
    CHECK(h.status == 400);
}

TEST_CASE("push resume: SSE Last-Event-ID (and ?lastEventId=) replays the missed messages, then live; both styles") {
    TestServer t([](Server& s) {
        push_routes(s);
        for (const char* topic : {"r0", "r1", "r2"}) s.topic_history(topic, {.max_messages = 5});
    });
    const char* targets[] = {"/sse/r0", "/sse-co/r1", "/sse/r2?lastEventId="};
    for (int i = 0; i < 3; ++i) {
        const std::string topic = "r" + std::to_string(i);
        const std::string e = epoch_of(t.port(), topic);
        for (int k = 1; k <= 3; ++k) t.server.publish(topic, "m" + std::to_string(k));
        std::string target = targets[i];
        CAPTURE(target);
        SseTestClient c;
        const bool query = target.find('?') != std::string::npos;
        if (query) target += e + "%3A1";
        REQUIRE(c.open(t.port(), target,
                       query ? "Accept: text/event-stream\r\n" : "Accept: text/event-stream\r\nLast-Event-ID: " + e + ":1\r\n"));
        std::vector<std::string> got;
        const auto take = [&](std::size_t n) {
            while (got.size() < n) {
                const auto ev = c.next();
                if (!ev) return;
                if (ev->data.rfind("hello", 0) == 0) continue;   // the coroutine's greeting
                got.push_back(ev->id + "=" + ev->data);
            }
        };
        take(2);
        t.server.publish(topic, "live");
        take(3);
        CHECK(got == std::vector<std::string>{e + ":2=m2", e + ":3=m3", e + ":4=live"});
        const auto extra = c.next(100ms);   // nothing twice
        CHECK_MESSAGE(!extra, (extra ? extra->id + "=" + extra->data : ""));
    }
}

TEST_CASE("push resume: SSE from an id the history lost gets `event: reset` carrying the last id, then live") {
    TestServer t(push_routes);
    const std::string e = epoch_of(t.port(), "h");
    for (int i = 1; i <= 8; ++i) t.server.publish("h", "m" + std::to_string(i));
    SseTestClient c;
    REQUIRE(c.open(t.port(), "/sse/h", "Accept: text/event-stream\r\nLast-Event-ID: " + e + ":1\r\n"));
    const auto r = c.next();
    REQUIRE(r);
    CHECK(r->type == "reset");
    CHECK(r->id == e + ":8");
    t.server.publish("h", "m9");
    const auto live = c.next();
    REQUIRE(live);
    CHECK(live->id == e + ":9");
    CHECK(live->data == "m9");
}

TEST_CASE("push resume: WebSocket ?since= gets id envelopes (missed, then live); without it the frames are as before") {
    TestServer t(push_routes);
    const std::string e = epoch_of(t.port(), "h");
    for (int i = 1; i <= 3; ++i) t.server.publish("h", "m" + std::to_string(i));
    WsTestClient w;
    REQUIRE(w.connect(t.port(), "/ws/h?since=" + e + ":2"));
    CHECK(w.receive() == "{\"id\":\"" + e + ":3\",\"data\":\"m3\"}");
    WsTestClient fresh;
    REQUIRE(fresh.connect(t.port(), "/ws/h?since="));   // ids from now on
    WsTestClient plain;
    REQUIRE(plain.connect(t.port(), "/ws/h"));
    WsTestClient lost;
    REQUIRE(lost.connect(t.port(), "/ws/h?since=0123456789abcdef:1"));
    CHECK(lost.receive() == "{\"reset\":true,\"id\":\"" + e + ":3\"}");
    REQUIRE(eventually([&] { return t.server.connection_count() == 4; }));
    std::this_thread::sleep_for(30ms);   // the handlers have subscribed
    t.server.publish("h", "m4");
    CHECK(w.receive() == "{\"id\":\"" + e + ":4\",\"data\":\"m4\"}");
    CHECK(fresh.receive() == "{\"id\":\"" + e + ":4\",\"data\":\"m4\"}");
    CHECK(lost.receive() == "{\"id\":\"" + e + ":4\",\"data\":\"m4\"}");
    CHECK(plain.receive() == "m4");
    CHECK_FALSE(w.receive(100ms));
}

TEST_CASE("push resume: history bounds by bytes and by age") {
    TestServer t([](Server& s) {
        push_routes(s);
        s.topic_history("bytes", {.max_messages = 0, .max_bytes = 10});
        s.topic_history("age", {.max_messages = 0, .max_age = 100ms});
    });
    const std::string eb = epoch_of(t.port(), "bytes");
    for (const char* m : {"aaaa", "bbbb", "cccc"}) t.server.publish("bytes", m);   // 12 bytes: the first goes
    CHECK(poll(t.port(), "/poll/bytes?since=" + eb + ":0").reset);
    const PollAnswer b = poll(t.port(), "/poll/bytes?since=" + eb + ":1");
    CHECK_FALSE(b.reset);
    CHECK(b.messages.size() == 2);
    const std::string ea = epoch_of(t.port(), "age");
    t.server.publish("age", "old");
    std::this_thread::sleep_for(150ms);
    t.server.publish("age", "new");
    const PollAnswer a = poll(t.port(), "/poll/age?since=" + ea + ":0");
    CHECK(a.reset);
    const PollAnswer a1 = poll(t.port(), "/poll/age?since=" + ea + ":1");
    REQUIRE(a1.messages.size() == 1);
    CHECK(a1.messages[0].second == "new");
    Server bad;
    bad.topic_history("t", {.max_messages = 0});
    CHECK(bad.validate().find("topic_history") != std::string::npos);
}

TEST_CASE("push resume: publishes racing a resume from another thread: none missed, none twice, in order") {
    TestServer t([](Server& s) {
        s.threads(2);
        s.topic_history("race", {.max_messages = 100000});
        s.sse("/sse/:topic", [](Context& ctx) { ctx.subscribe(ctx.param("topic")); });
        s.poll("/poll/:topic", [](Context& ctx) { ctx.subscribe(ctx.param("topic")); });
        s.route("/ws/:topic", ws_task);
    });
    const std::string e = poll(t.port(), "/poll/race?wait=0").epoch;
    constexpr int kTotal = 3000;
    for (int i = 1; i <= 50; ++i) t.server.publish("race", std::to_string(i));
    std::atomic<bool> go{false};
    std::thread publisher([&] {
        while (!go) std::this_thread::yield();
        for (int i = 51; i <= kTotal; ++i) t.server.publish("race", std::to_string(i));
    });
    std::vector<std::unique_ptr<SseTestClient>> sse;
    std::vector<std::unique_ptr<WsTestClient>> ws;
    go = true;
    for (int k = 0; k < 6; ++k) {
        sse.push_back(std::make_unique<SseTestClient>());
        REQUIRE(sse.back()->open(t.port(), "/sse/race", "Accept: text/event-stream\r\nLast-Event-ID: " + e + ":10\r\n"));
        ws.push_back(std::make_unique<WsTestClient>());
        REQUIRE(ws.back()->connect(t.port(), "/ws/race?since=" + e + ":10"));
    }
    publisher.join();
    for (auto& c : sse) {
        for (int want = 11; want <= kTotal; ++want) {
            const auto ev = c->next();
            REQUIRE(ev);
            REQUIRE(ev->data == std::to_string(want));
        }
        CHECK_FALSE(c->next(50ms));
    }
    for (auto& w : ws) {
        for (int want = 11; want <= kTotal; ++want) {
            const auto m = w->receive();
            REQUIRE(m);
            REQUIRE(*m == "{\"id\":\"" + e + ":" + std::to_string(want) + "\",\"data\":\"" + std::to_string(want) + "\"}");
        }
        CHECK_FALSE(w->receive(50ms));
    }
}

TEST_CASE("push resume: publishes from two server threads at once: a subscriber gets every number once, in order") {
    TestServer t([](Server& s) {
        s.threads(2);
        s.topic_history("both", {.max_messages = 10000});
        s.sse("/sse/:topic", [](Context& ctx) { ctx.subscribe(ctx.param("topic")); });
        s.http("POST", "/pub", [](Context& ctx) {
            ctx.publish("both", ctx.body());   // from whichever server thread took this connection
            ctx.respond(204, "");
        });
    });
    SseTestClient c;
    REQUIRE(c.open(t.port(), "/sse/both"));
    REQUIRE(eventually([&] { return t.server.connection_count() == 1; }));
    constexpr int kEach = 300;
    std::vector<std::thread> posters;
    for (int p = 0; p < 4; ++p) {
        posters.emplace_back([&, p] {
            TcpClient conn(t.port());   // keep-alive: one connection, one server thread, many publishes
            for (int i = 0; i < kEach; ++i) {
                const std::string body = std::to_string(p) + "." + std::to_string(i);
                conn.send_all("POST /pub HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
                sluice::test::read_http_response(conn);
            }
        });
    }
    for (auto& p : posters) p.join();
    std::uint64_t last = 0;
    for (int n = 0; n < 4 * kEach; ++n) {
        const auto ev = c.next();
        REQUIRE(ev);
        const std::uint64_t seq = std::stoull(ev->id.substr(ev->id.find(':') + 1));
        REQUIRE(seq == last + 1);
        last = seq;
    }
    CHECK_FALSE(c.next(50ms));
}

TEST_CASE("push resume: an SSE stream the server ended; the reconnect on the same keep-alive connection resumes") {
    TestServer t([](Server& s) {
        push_routes(s);
        s.sse("/sse-brief/:topic", [](Context& ctx) {
            ctx.subscribe(ctx.param("topic"));
            ctx.after(50ms, [&ctx] { ctx.end_stream(); });
        });
    });
    const std::string e = epoch_of(t.port(), "h");
    t.server.publish("h", "m1");
    TcpClient c(t.port());
    const std::string get = "GET /sse-brief/h HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n";
    REQUIRE(c.send_all(get + "\r\n"));
    REQUIRE(c.read_until("\r\n0\r\n\r\n"));   // RFC 9112 §7.1: the last chunk: the stream ended, the connection stays
    c.pending.clear();
    t.server.publish("h", "m2");   // while no stream is open: only the history has it
    t.server.publish("h", "m3");
    REQUIRE(c.send_all(get + "Last-Event-ID: " + e + ":1\r\n\r\n"));
    REQUIRE(c.read_until("data: m3\n"));
    CHECK(c.pending.find("id: " + e + ":2\ndata: m2\n") != std::string::npos);
    CHECK(c.pending.find("data: m2") < c.pending.find("data: m3"));
}

TEST_CASE("push: graceful shutdown ends SSE streams (the last chunk) and answers held polls (no messages)") {
    auto t = std::make_unique<TestServer>(push_routes);
    SseTestClient sse;
    REQUIRE(sse.open(t->port(), "/sse/s"));
    TcpClient held(t->port());
    REQUIRE(held.send_all("GET /poll/s HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(eventually([&] { return t->server.connection_count() == 2; }));
    std::this_thread::sleep_for(20ms);
    std::thread stopper([&] { t->server.stop(); });
    CHECK_MESSAGE(sse.tcp.read_until("0\r\n\r\n"), sse.tcp.pending);   // RFC 9112 §7.1: the last chunk: the stream ended properly
    const auto r = sluice::test::read_http_response(held);
    CHECK(r.status == 200);
    CHECK(r.body.find("\"messages\":[]") != std::string::npos);
    stopper.join();
}

// ---- one publish, every transport, every thread; many at once ---------------------------------

TEST_CASE("push: a publish from a non-server thread reaches WebSocket, SSE and long-poll subscribers on every thread") {
    TestServer t([](Server& s) {
        push_routes(s);
        s.threads(2);
    });
    std::vector<std::unique_ptr<SseTestClient>> sse;
    std::vector<std::unique_ptr<WsTestClient>> ws;
    std::vector<PollAnswer> polls(4);
    std::vector<std::thread> pollers;
    for (int i = 0; i < 4; ++i) {
        sse.push_back(std::make_unique<SseTestClient>());
        REQUIRE(sse.back()->open(t.port(), i % 2 ? "/sse/all" : "/sse-co/all"));
        ws.push_back(std::make_unique<WsTestClient>());
        REQUIRE(ws.back()->connect(t.port(), "/ws/all"));
        pollers.emplace_back([&, i] { polls[static_cast<std::size_t>(i)] = poll(t.port(), i % 2 ? "/poll/all" : "/poll-co/all"); });
    }
    REQUIRE(eventually([&] { return t.server.connection_count() == 12; }));
    std::this_thread::sleep_for(50ms);
    std::thread([&] { t.server.publish("all", "everyone"); }).join();
    for (auto& c : sse) {
        auto ev = c->next();
        if (ev && ev->data.rfind("hello", 0) == 0) ev = c->next();
        REQUIRE(ev);
        CHECK(ev->data == "everyone");
    }
    for (auto& w : ws) CHECK(w->receive() == "everyone");
    for (auto& p : pollers) p.join();
    for (const auto& a : polls) {
        REQUIRE(a.messages.size() == 1);
        CHECK(a.messages[0].second == "everyone");
    }
}

// 4,000 of each: 8,000 connections are 16,000 descriptors in this one process (client and
// server ends), under this machine's 20,000 (ulimit -n); perf/push_idle.py holds 10,000.
TEST_CASE("push: 4,000 SSE streams and 4,000 held polls at once all get one publish") {
    TestServer t([](Server& s) {
        s.max_connections(10000);
        s.sse("/sse/:topic", [](Context& ctx) { ctx.subscribe(ctx.param("topic")); });
        s.poll("/poll/:topic", [](Context& ctx) { ctx.subscribe(ctx.param("topic")); });
    });
    constexpr int kEach = 4000;
    std::vector<std::unique_ptr<SseTestClient>> sse;
    std::vector<std::unique_ptr<TcpClient>> polls;
    for (int i = 0; i < kEach; ++i) {
        sse.push_back(std::make_unique<SseTestClient>());
        REQUIRE(sse.back()->open(t.port(), "/sse/many"));
        polls.push_back(std::make_unique<TcpClient>(t.port()));
        REQUIRE(polls.back()->send_all("GET /poll/many HTTP/1.1\r\nHost: x\r\n\r\n"));
    }
    REQUIRE(eventually([&] { return t.server.connection_count() == 2 * kEach; }));
    std::this_thread::sleep_for(100ms);   // every poll's handler has run
    t.server.publish("many", "to all");
    int got = 0;
    for (auto& c : sse) {
        const auto ev = c->next();
        got += ev && ev->data == "to all";
    }
    for (auto& p : polls) {
        const auto r = sluice::test::read_http_response(*p);
        got += r.status == 200 && r.body.find("\"data\":\"to all\"") != std::string::npos;
    }
    CHECK(got == 2 * kEach);
}

}  // TEST_SUITE
