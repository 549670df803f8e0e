// test/app/upgrade_hook_test.cpp — a route's upgrade hook (app/upgrade.hpp) over real sockets:
// every outcome (accept, reject, 500, 503), both handler styles, a hook that awaits a value
// another thread supplies, and the demo's /private.
#include "app/upgrade.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/demo/demo.hpp"
#include "app/server.hpp"
#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Completer;
using sluice::Context;
using sluice::Deferred;
using sluice::Message;
using sluice::Server;
using sluice::Task;
using sluice::Upgrade;
using sluice::WsCallbacks;
using sluice::test::HttpReply;
using sluice::test::read_http_response;
using sluice::test::TcpClient;
using sluice::test::TestServer;
using sluice::test::WsTestClient;

namespace {

struct Session {   // what a hook attaches and the handler reads
    std::string user;
};

// A valid RFC 6455 §4.1 request head for `target`, with `extra` field lines.
std::string upgrade_request(std::string_view target, std::string_view extra = {}) {
    std::string r = "GET " + std::string(target) +
                    " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    r += extra;
    r += "\r\n";
    return r;
}

// One masked client text frame (RFC 6455 §5.3), payload under 126 bytes.
std::string masked_text_frame(std::string_view payload) {
    const unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
    std::string f;
    f += static_cast<char>(0x81);
    f += static_cast<char>(0x80 | payload.size());
    for (unsigned char m : mask) f += static_cast<char>(m);
    for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ static_cast<char>(mask[i % 4]));
    return f;
}

// A callback echo route whose messages are prefixed with the hook's user ("ann: hi").
WsCallbacks gated_echo(sluice::UpgradeCallback hook, std::atomic<int>* opened = nullptr) {
    return WsCallbacks{
        .on_upgrade = std::move(hook),
        .on_open = [opened](Context& ctx) {
            if (opened != nullptr) opened->fetch_add(1);
            ctx.send_now("open as " + ctx.data<Session>().user);
        },
        .on_message = [](Context& ctx, const Message& m) { ctx.send_now(ctx.data<Session>().user + ": " + std::string(m.text())); },
        .on_drain = {},
        .on_close = {},
    };
}

// The coroutine echo that names the hook's user first.
Task user_echo(Context& ctx) {
    co_await ctx.send("open as " + ctx.data<Session>().user + " (" + std::string(ctx.subprotocol()) + ")");
    while (auto m = co_await ctx.receive()) co_await ctx.send(ctx.data<Session>().user + ": " + std::string(m->text()));
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("upgrade hook: reject answers its status, headers and body, no 101; the keep-alive connection serves the next request") {
    std::atomic<int> opened{0};
    TestServer s([&](Server& srv) {
        srv.route("/gated", gated_echo([](Upgrade& up) {
                      up.set_header("WWW-Authenticate", "Bearer realm=\"test\"");
                      up.reject(401, "who are you?\n");
                  }, &opened));
    });
    TcpClient c(s.port());
    REQUIRE(c.send_all(upgrade_request("/gated")));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 401);
    CHECK(r.header("WWW-Authenticate") == "Bearer realm=\"test\"");
    CHECK(r.body == "who are you?\n");
    CHECK_FALSE(r.header("Upgrade").has_value());
    CHECK_FALSE(r.header("Sec-WebSocket-Accept").has_value());
    CHECK(r.keep_alive);
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));   // RFC 9112 §9.3: still HTTP/1.1, kept
    HttpReply next = read_http_response(c);
    REQUIRE(next.ok);
    CHECK(next.status == 200);
    CHECK(next.body == "hello");
    CHECK(opened.load() == 0);
}

TEST_CASE("upgrade hook: a rejected request that said Connection: close is answered and closed") {
    TestServer s([](Server& srv) { srv.route("/gated", gated_echo([](Upgrade& up) { up.reject(403, "no\n"); })); });
    TcpClient c(s.port());
    std::string req = upgrade_request("/gated");
    req.replace(req.find("Connection: Upgrade"), 19, "Connection: Upgrade, close");
    REQUIRE(c.send_all(req));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 403);
    CHECK(r.header("Connection") == "close");
    CHECK(c.wait_eof());
}

TEST_CASE("upgrade hook: accept picks an offered subprotocol, sets a cookie on the 101, and the handler sees the hook's data") {
    std::atomic<int> calls{0};
    TestServer s([&](Server& srv) {
        srv.route("/gated", gated_echo([&](Upgrade& up) {
                      ++calls;
                      CHECK(up.path() == "/gated");
                      CHECK(up.query() == "room=7");
                      CHECK(up.header("X-User") == "ann");
                      CHECK(up.offered_subprotocols() == std::vector<std::string>{"v1", "v2", "v3"});
                      up.data<Session>().user = std::string(*up.header("X-User"));
                      up.set_header("Set-Cookie", "session=abc; HttpOnly");
                      up.set_header("Sec-WebSocket-Extensions", "ignored");   // the server's own field
                      up.accept("v2");
                  }),
                  {"v1"});   // the route's own choice would be v1: the hook's wins
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/gated?room=7", {"v1", "v2", "v3"}, "X-User: ann\r\n"));
    CHECK(ws.status == 101);
    CHECK(ws.subprotocol == "v2");
    CHECK(ws.response_head.find("Set-Cookie: session=abc; HttpOnly\r\n") != std::string::npos);
    CHECK(ws.response_head.find("ignored") == std::string::npos);
    CHECK(ws.receive() == "open as ann");
    REQUIRE(ws.send_text("hi"));
    CHECK(ws.receive() == "ann: hi");
    CHECK(calls.load() == 1);
}

TEST_CASE("upgrade hook: RFC 6455 4.2.2 a subprotocol the client did not offer is never answered: 500 and close") {
    TestServer s([](Server& srv) { srv.route("/gated", gated_echo([](Upgrade& up) { up.accept("v9"); })); });
    TcpClient c(s.port());
    REQUIRE(c.send_all(upgrade_request("/gated", "Sec-WebSocket-Protocol: v1, v2\r\n")));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 500);
    CHECK_FALSE(r.header("Sec-WebSocket-Protocol").has_value());
    CHECK(c.wait_eof());
}

TEST_CASE("upgrade hook: undecided, throwing, a status outside 300-599, or a header that does not validate: 500 and close") {
    std::vector<std::string> log;
    std::mutex log_mutex;
    TestServer s([&](Server& srv) {
        srv.on_log([&](std::string_view line) {
            std::lock_guard lock(log_mutex);
            log.emplace_back(line);
        });
        srv.route("/undecided", gated_echo([](Upgrade& up) { up.set_header("X-A", "1"); }));
        srv.route("/throws", gated_echo([](Upgrade&) { throw std::runtime_error("lookup failed"); }));
        srv.route("/status", gated_echo([](Upgrade& up) { up.reject(200, "fine?"); }));
        srv.route("/header", gated_echo([](Upgrade& up) {
                      up.set_header("X-Bad", "a\r\nInjected: 1");
                      up.accept();
                  }));
    });
    for (const char* path : {"/undecided", "/throws", "/status", "/header"}) {
        CAPTURE(path);
        TcpClient c(s.port());
        REQUIRE(c.send_all(upgrade_request(path)));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.status == 500);
        CHECK_FALSE(r.header("Injected").has_value());
        CHECK(c.wait_eof());
    }
    std::lock_guard lock(log_mutex);
    int noted = 0;
    for (const auto& line : log) noted += line.find("upgrade hook #") == 0 && line.find(", 500") != std::string::npos;
    CHECK(noted == 4);
}

TEST_CASE("upgrade hook: RFC 6455 4.2.1 an invalid upgrade request is refused before the hook runs") {
    std::atomic<int> calls{0};
    TestServer s([&](Server& srv) { srv.route("/gated", gated_echo([&](Upgrade& up) { ++calls; up.accept(); })); });
    TcpClient c(s.port());
    std::string req = upgrade_request("/gated");
    req.replace(req.find("dGhlIHNhbXBsZSBub25jZQ=="), 24, "short");
    REQUIRE(c.send_all(req));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 400);
    CHECK(calls.load() == 0);
}

TEST_CASE("upgrade hook (coroutine): decides without awaiting; accept() alone keeps the route's subprotocol; ctx.data sees the hook's") {
    TestServer s([](Server& srv) {
        srv.route("/co", user_echo,
                  sluice::RouteOptions{.subprotocols = {"chat.v2", "chat.v1"},
                                       .on_upgrade = [](Upgrade& up) -> Task {
                                           up.data<Session>().user = "bo";
                                           up.accept();
                                           co_return;
                                       }});
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/co", {"chat.v1", "chat.v2"}));
    CHECK(ws.subprotocol == "chat.v2");
    CHECK(ws.receive() == "open as bo (chat.v2)");
    REQUIRE(ws.send_text("yo"));
    CHECK(ws.receive() == "bo: yo");
    // A plain GET still reaches the coroutine route as HTTP (the hook is the upgrade's only).
    TcpClient c(s.port());
    REQUIRE(c.send_all("GET /co HTTP/1.1\r\nHost: x\r\n\r\n"));
    HttpReply r = read_http_response(c);
    REQUIRE(r.ok);
    CHECK(r.status == 426);
}

// A hook that asks another thread (the "lookup") and waits for its answer.
struct LookupHook {
    std::chrono::milliseconds delay;
    std::vector<std::thread>* threads;
    std::mutex* mutex;
    Task operator()(Upgrade& up) const {
        Deferred<std::string> user = up.defer<std::string>();
        {
            std::lock_guard lock(*mutex);
            threads->emplace_back([done = user.completer(), token = std::string(up.query()), d = delay] {
                std::this_thread::sleep_for(d);
                if (token == "token=good") done.set("cy");   // a bad token: dropped unset
            });
        }
        std::optional<std::string> name = co_await user;
        if (!name) {
            up.set_header("WWW-Authenticate", "Bearer");
            up.reject(401, "unknown token\n");
            co_return;
        }
        up.data<Session>().user = *name;
        up.accept();
    }
};

TEST_CASE("upgrade hook (coroutine): awaits a value another thread supplies; frames sent before the 101 are kept and answered") {
    std::vector<std::thread> threads;
    std::mutex mutex;
    {
        TestServer s([&](Server& srv) {
            srv.route("/co", user_echo, sluice::RouteOptions{.subprotocols = {}, .on_upgrade = LookupHook{100ms, &threads, &mutex}});
        });
        // The client sends a frame right after its head (not waiting for the 101): it waits,
        // unread, until the hook accepts, and is then the WebSocket's first message.
        TcpClient c(s.port());
        REQUIRE(c.send_all(upgrade_request("/co?token=good") + masked_text_frame("early")));
        REQUIRE(c.read_until("\r\n\r\n"));
        CHECK(c.pending.rfind("HTTP/1.1 101 ", 0) == 0);
        REQUIRE(c.read_until("cy: early"));
        CHECK(c.pending.find("open as cy ()") != std::string::npos);
        CHECK(c.pending.find("cy: early") != std::string::npos);

        // A bad token: the lookup drops its Completer unset, the hook resumes with nullopt.
        TcpClient bad(s.port());
        REQUIRE(bad.send_all(upgrade_request("/co?token=bad")));
        HttpReply r = read_http_response(bad);
        REQUIRE(r.ok);
        CHECK(r.status == 401);
        CHECK(r.body == "unknown token\n");
        REQUIRE(bad.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));   // kept alive
        CHECK(read_http_response(bad).status == 200);
    }
    for (auto& t : threads) t.join();
}

TEST_CASE("upgrade hook (coroutine): a Deferred set before it is awaited does not suspend the hook") {
    TestServer s([](Server& srv) {
        srv.route("/co", user_echo, sluice::RouteOptions{.subprotocols = {}, .on_upgrade = [](Upgrade& up) -> Task {
                      Deferred<int> d = up.defer<int>();
                      d.completer().set(7);
                      const std::optional<int> v = co_await d;
                      up.data<Session>().user = "n" + std::to_string(v.value_or(0));
                      up.accept();
                  }});
    });
    WsTestClient ws;
    REQUIRE(ws.connect(s.port(), "/co"));
    CHECK(ws.receive() == "open as n7 ()");
}

TEST_CASE("upgrade hook (coroutine): a hook that never decides gets 503 at handshake_timeout; its frame is destroyed; a late set is harmless") {
    std::optional<Completer<bool>> kept;   // the lookup that never answers (until too late)
    std::atomic<bool> frame_destroyed{false};
    struct OnDestroy {
        std::atomic<bool>* flag;
        ~OnDestroy() { flag->store(true); }
    };
    std::mutex mutex;
    TestServer s([&](Server& srv) {
        srv.handshake_timeout(300ms);
        srv.route("/co", user_echo, sluice::RouteOptions{.subprotocols = {}, .on_upgrade = [&](Upgrade& up) -> Task {
                      OnDestroy guard{&frame_destroyed};
                      Deferred<bool> d = up.defer<bool>();
                      {
                          std::lock_guard lock(mutex);
                          kept.emplace(d.completer());
                      }
                      co_await d;
                      up.accept();
                  }});
    });
    TcpClient c(s.port());
    REQUIRE(c.send_all(upgrade_request("/co")));
    HttpReply r = read_http_response(c, 5000ms);
    REQUIRE(r.ok);
    CHECK(r.status == 503);
    CHECK(r.header("Connection") == "close");
    CHECK(c.wait_eof());
    CHECK(sluice::test::eventually([&] { return frame_destroyed.load(); }));
    std::lock_guard lock(mutex);
    REQUIRE(kept.has_value());
    kept->set(true);   // nobody waits: nothing happens
    // The server is fine: a new connection is served.
    TcpClient again(s.port());
    REQUIRE(again.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(read_http_response(again).status == 200);
}

TEST_CASE("upgrade hook (coroutine): rejects without awaiting; throws after awaiting: 500") {
    std::vector<std::thread> threads;
    {
        TestServer s([&](Server& srv) {
            srv.route("/no", user_echo, sluice::RouteOptions{.subprotocols = {}, .on_upgrade = [](Upgrade& up) -> Task {
                          up.set_header("Set-Cookie", "tried=1");
                          up.reject(429, "slow down\n");
                          co_return;
                      }});
            srv.route("/throws", user_echo, sluice::RouteOptions{.subprotocols = {}, .on_upgrade = [&](Upgrade& up) -> Task {
                          Deferred<int> d = up.defer<int>();
                          threads.emplace_back([done = d.completer()] { done.set(1); });
                          co_await d;
                          throw std::runtime_error("the lookup's answer made no sense");
                      }});
        });
        TcpClient c(s.port());
        REQUIRE(c.send_all(upgrade_request("/no")));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.status == 429);
        CHECK(r.header("Set-Cookie") == "tried=1");
        CHECK(r.body == "slow down\n");
        TcpClient t(s.port());
        REQUIRE(t.send_all(upgrade_request("/throws")));
        r = read_http_response(t);
        REQUIRE(r.ok);
        CHECK(r.status == 500);
        CHECK(t.wait_eof());
    }
    for (auto& t : threads) t.join();
}

TEST_CASE("upgrade hook (coroutine): a hook still deciding when the server stops gets 503 at once") {
    std::optional<Completer<bool>> kept;
    std::mutex mutex;
    Server server;
    server.port(0).handshake_timeout(std::chrono::milliseconds(20'000));
    server.route("/co", user_echo, sluice::RouteOptions{.subprotocols = {}, .on_upgrade = [&](Upgrade& up) -> Task {
                     Deferred<bool> d = up.defer<bool>();
                     {
                         std::lock_guard lock(mutex);
                         kept.emplace(d.completer());
                     }
                     co_await d;
                     up.accept();
                 }});
    REQUIRE_MESSAGE(server.start(), server.last_error());
    TcpClient c(server.bound_port());
    REQUIRE(c.send_all(upgrade_request("/co")));
    REQUIRE(sluice::test::eventually([&] {
        std::lock_guard lock(mutex);
        return kept.has_value();
    }));
    std::thread stopper([&] { server.stop(); });
    HttpReply r = read_http_response(c);   // within its 5 s, so not at the 20 s handshake_timeout
    stopper.join();
    REQUIRE(r.ok);
    CHECK(r.status == 503);
    std::lock_guard lock(mutex);
    kept->set(true);   // the server is gone: its workers are not posted to
}

TEST_CASE("demo /private: 401 with WWW-Authenticate and no upgrade without the token; echo with Bearer demo or ?token=demo") {
    Server server;
    server.port(0);
    sluice::demo::install(server, {});
    REQUIRE_MESSAGE(server.start(), server.last_error());
    for (const char* extra : {"", "Authorization: Bearer wrong\r\n"}) {
        CAPTURE(extra);
        TcpClient c(server.bound_port());
        REQUIRE(c.send_all(upgrade_request("/private?token=nope", extra)));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.status == 401);
        CHECK(r.header("WWW-Authenticate") == "Bearer realm=\"sluice-demo\"");
        CHECK_FALSE(r.header("Upgrade").has_value());
    }
    WsTestClient bearer;
    REQUIRE(bearer.connect(server.bound_port(), "/private", {}, "Authorization: Bearer demo\r\n"));
    REQUIRE(bearer.send_text("secret"));
    CHECK(bearer.receive() == "secret");
    WsTestClient query;
    REQUIRE(query.connect(server.bound_port(), "/private?token=demo"));
    REQUIRE(query.send_text("also"));
    CHECK(query.receive() == "also");
    server.stop();
}

}  // TEST_SUITE
