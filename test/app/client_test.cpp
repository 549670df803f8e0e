// test/app/client_test.cpp — outgoing connections (app/client.hpp) over real sockets: against
// sluice's own server (TestServer), and against a byte-by-byte server that misbehaves on
// purpose (test/support/raw_ws_server.hpp). Each RFC 6455 client rule is named by its section.
// The suite test/client/run.sh drives sluice-cat against Python's and Node's servers.
#include "app/client.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "test/support/raw_ws_server.hpp"
#include "test/support/test_server.hpp"

using namespace std::chrono_literals;
using sluice::ClientError;
using sluice::ClientLoop;
using sluice::ClientOptions;
using sluice::Context;
using sluice::Message;
using sluice::ReconnectAttempt;
using sluice::Task;
using sluice::WsCallbacks;
using sluice::test::RawPeer;
using sluice::test::RawServer;
using sluice::test::TestServer;

namespace {

// Runs a ClientLoop on this thread; a watchdog stops it after `budget` (a broken run must end).
// True if it ended on its own.
bool run_loop(ClientLoop& loop, std::chrono::milliseconds budget = 10s) {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    bool fired = false;
    std::thread watchdog([&] {
        std::unique_lock<std::mutex> lock(m);
        if (!cv.wait_for(lock, budget, [&] { return done; })) {
            fired = true;
            loop.stop();
        }
    });
    loop.run();
    {
        std::lock_guard<std::mutex> lock(m);
        done = true;
    }
    cv.notify_all();
    watchdog.join();
    return !fired;
}

std::string url(std::uint16_t port, std::string_view path = "/ws") {
    return "ws://127.0.0.1:" + std::to_string(port) + std::string(path);
}

// What one client saw (loop thread only, read after run() returns).
struct Seen {
    int opens = 0;
    std::vector<std::string> messages;
    std::vector<bool> text;
    std::vector<ClientError> errors;
    int close_code = -1;
    std::string close_reason;
};

WsCallbacks recording(Seen& seen, std::function<void(Context&)> on_open = {}) {
    WsCallbacks cb;
    cb.on_open = [&seen, on_open](Context& ctx) {
        ++seen.opens;
        if (on_open) on_open(ctx);
    };
    cb.on_message = [&seen](Context&, const Message& m) {
        seen.messages.emplace_back(m.text());
        seen.text.push_back(m.is_text());
    };
    cb.on_close = [&seen](Context&, std::uint16_t code, std::string_view reason) {
        seen.close_code = code;
        seen.close_reason = std::string(reason);
    };
    return cb;
}

WsCallbacks opening(std::function<void(Context&)> fn) {
    WsCallbacks cb;
    cb.on_open = std::move(fn);
    return cb;
}

ClientOptions recording_errors(Seen& seen, ClientOptions o = {}) {
    o.on_error = [&seen](const ClientError& e) { seen.errors.push_back(e); };
    return o;
}

// The status line and the fields a server writes after the head it read.
void answer(RawPeer& peer, std::string_view response) {
    peer.read_head();
    peer.send(response);
}

std::uint16_t close_code_of(const RawPeer::Frame& f) {
    return f.payload.size() >= 2 ? static_cast<std::uint16_t>((static_cast<std::uint8_t>(f.payload[0]) << 8) |
                                                              static_cast<std::uint8_t>(f.payload[1]))
                                 : 0;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
    std::string p;
    p += static_cast<char>(code >> 8);
    p += static_cast<char>(code & 0xFF);
    p += reason;
    return p;
}

// A port nobody listens on (bound, then closed).
std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("client: a coroutine client and the server it talks to share one reactor") {
    std::atomic<std::thread::id> server_thread{};
    std::atomic<std::thread::id> client_thread{};
    std::mutex m;
    std::vector<std::string> got;
    std::atomic<bool> done{false};
    TestServer s([&](sluice::Server& server) {
        server.route("/probe", [&](Context& ctx) -> Task {
            server_thread = std::this_thread::get_id();
            while (auto msg = co_await ctx.receive()) co_await ctx.send("echo:" + std::string(msg->text()));
        });
    });
    const std::string e = s.server.connect(url(s.port(), "/probe"), {}, [&](Context& ctx) -> Task {
        client_thread = std::this_thread::get_id();
        for (const char* text : {"one", "two", "three"}) {
            co_await ctx.send(text);
            auto reply = co_await ctx.receive();
            std::lock_guard<std::mutex> lock(m);
            got.emplace_back(reply ? std::string(reply->text()) : "<none>");
        }
        done = true;
    });
    REQUIRE(e.empty());
    REQUIRE(sluice::test::eventually([&] { return done.load(); }));
    std::lock_guard<std::mutex> lock(m);
    CHECK(got == std::vector<std::string>{"echo:one", "echo:two", "echo:three"});
    CHECK(server_thread.load() == client_thread.load());   // threads(1): one worker, one reactor
}

TEST_CASE("client: a ClientLoop runs callbacks until the conversation ends, then returns") {
    TestServer s;
    ClientLoop loop;
    Seen seen;
    auto cb = recording(seen, [](Context& ctx) { ctx.send_now("hello"); });
    cb.on_message = [&seen](Context& ctx, const Message& m) {
        seen.messages.emplace_back(m.text());
        ctx.close(1000, "enough");
    };
    REQUIRE(loop.connect(url(s.port()), {}, cb).empty());
    CHECK(run_loop(loop));
    CHECK(seen.opens == 1);
    CHECK(seen.messages == std::vector<std::string>{"hello"});
    CHECK(seen.close_code == 1000);
}

TEST_CASE("RFC 6455 5.2: text and binary of every length class go out masked and come back whole") {
    TestServer s;
    ClientLoop loop;
    const std::vector<std::size_t> sizes{0, 1, 125, 126, 127, 65535, 65536, 100000, 1 << 20};
    std::vector<std::string> sent;
    std::vector<std::string> text_back;
    std::vector<std::string> binary_back;
    REQUIRE(loop.connect(url(s.port()), {}, [&](Context& ctx) -> Task {
        for (const std::size_t n : sizes) {
            std::string payload(n, 'x');
            for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + (i * 7 + n) % 26);
            sent.push_back(payload);
            co_await ctx.send(payload);
            auto t = co_await ctx.receive();
            text_back.emplace_back(t && t->is_text() ? std::string(t->text()) : "<bad>");
            co_await ctx.send_binary({reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
            auto b = co_await ctx.receive();
            binary_back.emplace_back(b && !b->is_text() ? std::string(b->text()) : "<bad>");
        }
    }).empty());
    CHECK(run_loop(loop));
    REQUIRE(text_back.size() == sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        CAPTURE(sizes[i]);
        CHECK(text_back[i] == sent[i]);
        CHECK(binary_back[i] == sent[i]);
    }
}

TEST_CASE("RFC 6455 4.1: the request carries path, query, Host, Origin, subprotocols and extra headers") {
    std::string target, host, origin, protocols, extra;
    std::string client_path, client_query, client_header, client_protocol;
    TestServer s([&](sluice::Server& server) {
        server.route("/fields", [&](Context& ctx) -> Task {
            target = ctx.target();
            host = ctx.header("Host").value_or("");
            origin = ctx.header("Origin").value_or("");
            protocols = ctx.header("Sec-WebSocket-Protocol").value_or("");
            extra = ctx.header("X-Test").value_or("");
            co_await ctx.send("ok");
        }, {"chat.v2"});
    });
    ClientLoop loop;
    ClientOptions o;
    o.headers = {{"X-Test", "yes"}};
    o.subprotocols = {"chat.v1", "chat.v2"};
    o.origin = "http://example.test";
    REQUIRE(loop.connect(url(s.port(), "/fields?a=1&b=2"), o, [&](Context& ctx) -> Task {
        client_path = ctx.path();
        client_query = ctx.query();
        client_header = ctx.header("X-Test").value_or("");
        client_protocol = ctx.subprotocol();
        co_await ctx.receive();
    }).empty());
    CHECK(run_loop(loop));
    CHECK(target == "/fields?a=1&b=2");
    CHECK(host == "127.0.0.1:" + std::to_string(s.port()));
    CHECK(origin == "http://example.test");
    CHECK(protocols == "chat.v1, chat.v2");
    CHECK(extra == "yes");
    // The client's Context shows the request it sent, and the subprotocol the server chose.
    CHECK(client_path == "/fields");
    CHECK(client_query == "a=1&b=2");
    CHECK(client_header == "yes");
    CHECK(client_protocol == "chat.v2");
}

TEST_CASE("RFC 6455 7.4: close codes both ways (the server's 4001 reaches the client, the client's 4002 the server)") {
    std::atomic<int> server_saw{-1};
    TestServer s([&](sluice::Server& server) {
        server.route("/bye", opening([](Context& ctx) { ctx.close(4001, "server bye"); }));
        WsCallbacks listen;
        listen.on_close = [&](Context&, std::uint16_t code, std::string_view) { server_saw = code; };
        server.route("/listen", listen);
    });
    ClientLoop loop;
    Seen from_server;
    Seen to_server;
    REQUIRE(loop.connect(url(s.port(), "/bye"), {}, recording(from_server)).empty());
    REQUIRE(loop.connect(url(s.port(), "/listen"), {}, recording(to_server, [](Context& ctx) {
                             ctx.close(4002, "client bye");
                         })).empty());
    CHECK(run_loop(loop));
    CHECK(from_server.close_code == 4001);
    CHECK(from_server.close_reason == "server bye");
    CHECK(to_server.close_code == 4002);   // the server's echo of our close
    CHECK(sluice::test::eventually([&] { return server_saw.load() == 4002; }));
}

TEST_CASE("RFC 6455 4.1: a fresh 16-byte Sec-WebSocket-Key for every connection") {
    std::mutex m;
    std::vector<std::string> keys;
    RawServer raw([&](RawPeer& peer) {
        const std::string head = peer.read_head();
        {
            std::lock_guard<std::mutex> lock(m);
            keys.push_back(RawPeer::header(head, "Sec-WebSocket-Key"));
        }
        peer.send(RawPeer::accept_response(head));
        peer.send(RawPeer::frame(sluice::proto::Opcode::close, close_payload(1000)));
        peer.read_frame();
    }, 4);
    ClientLoop loop;
    Seen seen[4];
    for (auto& s : seen) REQUIRE(loop.connect(url(raw.port()), {}, recording(s)).empty());
    CHECK(run_loop(loop));
    std::lock_guard<std::mutex> lock(m);
    REQUIRE(keys.size() == 4);
    std::set<std::string> distinct(keys.begin(), keys.end());
    CHECK(distinct.size() == 4);
    for (const auto& k : keys) {
        CHECK(k.size() == 24);   // Base64 of 16 bytes: 22 characters and "=="
        CHECK(k.substr(22) == "==");
    }
}

TEST_CASE("RFC 6455 5.3: every client frame is masked, each with a fresh key") {
    std::vector<RawPeer::Frame> frames;
    RawServer server([&](RawPeer& peer) {
        const std::string head = peer.read_head();
        peer.send(RawPeer::accept_response(head));
        for (int i = 0; i < 32; ++i) {
            auto f = peer.read_frame();
            if (!f) return;
            frames.push_back(*f);
        }
        peer.send(RawPeer::frame(sluice::proto::Opcode::close, close_payload(1000)));
        peer.read_frame();
    });
    ClientLoop loop;
    REQUIRE(loop.connect(url(server.port()), {}, [](Context& ctx) -> Task {
        for (int i = 0; i < 31; ++i) co_await ctx.send("message " + std::to_string(i));
        ctx.ping();
        co_await ctx.receive();
    }).empty());
    CHECK(run_loop(loop));
    REQUIRE(frames.size() == 32);
    std::set<std::uint32_t> masks;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        CHECK(frames[i].masked);
        std::uint32_t k = 0;
        for (auto b : frames[i].mask) k = (k << 8) | b;
        masks.insert(k);
        if (i < 31) CHECK(frames[i].payload == "message " + std::to_string(i));
    }
    CHECK(frames[31].opcode == sluice::proto::Opcode::ping);
    CHECK(masks.size() >= 31);   // 32 draws from 2^32 keys: a repeat is a one-in-8-million event
}

TEST_CASE("RFC 6455 4.1 item 1: 200, 403 and 302 instead of 101 are errors carrying the status and the body's first bytes") {
    const std::string long_body(1000, 'z');
    const std::vector<std::string> answers{
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden",
        "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.test/\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + long_body,
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\n\r\n",   // the body follows later
    };
    std::atomic<int> index{0};
    RawServer raw([&](RawPeer& peer) {
        const int i = index++;
        answer(peer, answers[static_cast<std::size_t>(i)]);
        if (i == 4) {
            std::this_thread::sleep_for(100ms);
            peer.send("unavailable");
        }
        peer.eof_within(3s);
    }, 5);
    ClientLoop loop;
    Seen seen;
    for (int i = 0; i < 5; ++i) {
        REQUIRE(loop.connect(url(raw.port()), recording_errors(seen), recording(seen)).empty());
        // One at a time, so each meets the answer of its index.
        CHECK(run_loop(loop));
    }
    CHECK(seen.opens == 0);
    REQUIRE(seen.errors.size() == 5);
    CHECK(seen.errors[0].kind == ClientError::Kind::status);
    CHECK(seen.errors[0].status == 200);
    CHECK(seen.errors[0].body == "hello");
    CHECK(seen.errors[0].message.find("answered 200 OK instead of 101") != std::string::npos);
    CHECK(seen.errors[1].status == 403);
    CHECK(seen.errors[1].body == "forbidden");
    CHECK(seen.errors[2].status == 302);
    CHECK(seen.errors[2].message.find("Location: http://elsewhere.test/") != std::string::npos);
    CHECK(seen.errors[3].body == long_body.substr(0, ClientError::kErrorBodyBytes));
    CHECK(seen.errors[4].status == 503);
    CHECK(seen.errors[4].body == "unavailable");
}

TEST_CASE("RFC 6455 4.1 item 4: a wrong or missing Sec-WebSocket-Accept fails the handshake") {
    std::atomic<int> index{0};
    RawServer raw([&](RawPeer& peer) {
        const std::string head = peer.read_head();
        std::string response = RawPeer::accept_response(head);
        if (index++ == 0) {
            const std::size_t at = response.find("Sec-WebSocket-Accept: ") + 22;
            response[at] = response[at] == 'A' ? 'B' : 'A';
        } else {
            const std::size_t at = response.find("Sec-WebSocket-Accept");
            response.erase(at, response.find("\r\n", at) + 2 - at);
        }
        peer.send(response);
        peer.eof_within(3s);
    }, 2);
    ClientLoop loop;
    Seen seen;
    REQUIRE(loop.connect(url(raw.port()), recording_errors(seen), recording(seen)).empty());
    CHECK(run_loop(loop));
    REQUIRE(loop.connect(url(raw.port()), recording_errors(seen), recording(seen)).empty());
    CHECK(run_loop(loop));
    CHECK(seen.opens == 0);
    REQUIRE(seen.errors.size() == 2);
    CHECK(seen.errors[0].kind == ClientError::Kind::handshake);
    CHECK(seen.errors[0].message.find("Sec-WebSocket-Accept is '") != std::string::npos);
    CHECK(seen.errors[0].message.find("expected '") != std::string::npos);
    CHECK(seen.errors[1].message.find("Sec-WebSocket-Accept is missing") != std::string::npos);
}

TEST_CASE("RFC 6455 4.1 items 5 and 6: an extension or a subprotocol the client did not offer fails the handshake") {
    const std::vector<std::string> extras{
        "Sec-WebSocket-Extensions: permessage-deflate\r\n",
        "Sec-WebSocket-Protocol: other\r\n",
        "Sec-WebSocket-Protocol: chat\r\n",   // offered: accepted
    };
    std::atomic<int> index{0};
    RawServer raw([&](RawPeer& peer) {
        const std::string head = peer.read_head();
        peer.send(RawPeer::accept_response(head, extras[static_cast<std::size_t>(index++)]));
        peer.send(RawPeer::frame(sluice::proto::Opcode::close, close_payload(1000)));
        peer.read_frame();
    }, 3);
    ClientLoop loop;
    Seen seen;
    std::string chosen;
    ClientOptions o = recording_errors(seen);
    o.subprotocols = {"chat"};
    for (int i = 0; i < 3; ++i) {
        REQUIRE(loop.connect(url(raw.port()), o, recording(seen, [&](Context& ctx) { chosen = ctx.subprotocol(); }))
                    .empty());
        CHECK(run_loop(loop));
    }
    REQUIRE(seen.errors.size() == 2);
    CHECK(seen.errors[0].message.find("extension 'permessage-deflate', which was not offered") != std::string::npos);
    CHECK(seen.errors[1].message.find("subprotocol 'other', which was not offered") != std::string::npos);
    CHECK(seen.opens == 1);
    CHECK(chosen == "chat");
}

TEST_CASE("RFC 6455 5.1: a masked frame from the server fails the connection with 1002") {
    std::atomic<int> client_close{-1};
    RawServer raw([&](RawPeer& peer) {
        const std::string head = peer.read_head();
        peer.send(RawPeer::accept_response(head));
        const std::array<std::uint8_t, 4> mask{1, 2, 3, 4};
        peer.send(RawPeer::frame(sluice::proto::Opcode::text, "masked", true, &mask));
        if (auto f = peer.read_frame(); f && f->opcode == sluice::proto::Opcode::close) client_close = close_code_of(*f);
        peer.send(RawPeer::frame(sluice::proto::Opcode::close, close_payload(1002)));
        peer.eof_within(100ms);
    });
    ClientLoop loop;
    Seen seen;
    REQUIRE(loop.connect(url(raw.port()), {}, recording(seen)).empty());
    CHECK(run_loop(loop));
    CHECK(seen.messages.empty());
    CHECK(seen.close_code == 1002);
    CHECK(client_close.load() == 1002);
}

TEST_CASE("RFC 6455 5.4, 5.5.2: a fragmented message arrives whole; a ping between fragments is answered with its payload") {
    RawPeer::Frame pong;
    RawServer raw([&](RawPeer& peer) {
        const std::string head = peer.read_head();
        // The first fragment in the same write as the 101: frames right behind the head.
        peer.send(RawPeer::accept_response(head) + RawPeer::frame(sluice::proto::Opcode::text, "Hel", false));
        peer.send(RawPeer::frame(sluice::proto::Opcode::ping, "are you there"));
        if (auto f = peer.read_frame()) pong = *f;
        peer.send(RawPeer::frame(sluice::proto::Opcode::continuation, "lo, ", false));
        peer.send(RawPeer::frame(sluice::proto::Opcode::continuation, "world", true));
        peer.send(RawPeer::frame(sluice::proto::Opcode::close, close_payload(1000)));
        peer.read_frame();
    });
    ClientLoop loop;
    Seen seen;
    REQUIRE(loop.connect(url(raw.port()), {}, recording(seen)).empty());
    CHECK(run_loop(loop));
    CHECK(seen.messages == std::vector<std::string>{"Hello, world"});
    CHECK(pong.opcode == sluice::proto::Opcode::pong);
    CHECK(pong.masked);
    CHECK(pong.payload == "are you there");
}

TEST_CASE("RFC 6455 7.1.1: the client leaves the TCP close to the server, or closes after close_timeout") {
    std::atomic<bool> client_closed_first{true};
    std::atomic<bool> client_closed_after_timeout{false};
    std::atomic<int> index{0};
    RawServer raw([&](RawPeer& peer) {
        const int i = index++;
        const std::string head = peer.read_head();
        peer.send(RawPeer::accept_response(head));
        peer.send(RawPeer::frame(sluice::proto::Opcode::close, close_payload(1000, "done")));
        peer.read_frame();   // the client's answer
        if (i == 0) {
            client_closed_first = peer.eof_within(150ms);   // it must wait for us (close_timeout is 300 ms)
        } else {
            client_closed_after_timeout = peer.eof_within(5s);   // we never close: close_timeout ends it
        }
    }, 2);
    ClientLoop loop;
    loop.server().close_timeout(300ms);
    Seen first, second;
    REQUIRE(loop.connect(url(raw.port()), {}, recording(first)).empty());
    CHECK(run_loop(loop));
    REQUIRE(loop.connect(url(raw.port()), {}, recording(second)).empty());
    CHECK(run_loop(loop));
    CHECK_FALSE(client_closed_first.load());
    CHECK(first.close_code == 1000);
    CHECK(first.close_reason == "done");
    CHECK(sluice::test::eventually([&] { return client_closed_after_timeout.load(); }));
}

TEST_CASE("client: a server that never answers the handshake is a handshake_timeout error") {
    RawServer raw([&](RawPeer& peer) {
        peer.read_head();
        peer.eof_within(3s);
    });
    ClientLoop loop;
    Seen seen;
    ClientOptions o = recording_errors(seen);
    o.handshake_timeout = 200ms;
    REQUIRE(loop.connect(url(raw.port()), o, recording(seen)).empty());
    CHECK(run_loop(loop));
    REQUIRE(seen.errors.size() == 1);
    CHECK(seen.errors[0].kind == ClientError::Kind::timeout);
    CHECK(seen.errors[0].message.find("handshake_timeout") != std::string::npos);
}

// A listener with backlog 0 whose one queue place is taken: Linux drops further SYNs while
// the accept queue is full, so a connect to it neither succeeds nor fails (the TCP state a
// peer behind a dropping firewall leaves a client in).
struct SilentListener {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    std::vector<int> fillers;
    std::uint16_t port = 0;
    SilentListener() {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(fd, 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        for (int i = 0; i < 4; ++i) {   // more than the queue holds: the rest wait for their SYN-ACK
            const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            ::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
            fillers.push_back(f);
        }
    }
    ~SilentListener() {
        for (int f : fillers) ::close(f);
        ::close(fd);
    }
};

TEST_CASE("client: a connect that is never answered is a connect_timeout error, within connect_timeout") {
    SilentListener silent;
    ClientLoop loop;
    Seen seen;
    ClientOptions o = recording_errors(seen);
    o.connect_timeout = 300ms;
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(loop.connect(url(silent.port), o, recording(seen)).empty());
    CHECK(run_loop(loop));
    const auto took = std::chrono::steady_clock::now() - started;
    REQUIRE(seen.errors.size() == 1);
    CHECK(seen.errors[0].kind == ClientError::Kind::timeout);
    CHECK(seen.errors[0].message.find("(connect_timeout)") != std::string::npos);
    CHECK(seen.opens == 0);
    CHECK(took >= 300ms);   // the deadline, not an early failure
    CHECK(took < 5s);       // and not the kernel's own SYN retries (about two minutes)
}

TEST_CASE("client: a refused connection, an unknown host and a server closing mid-handshake are errors") {
    RawServer raw([&](RawPeer& peer) { peer.read_head(); }, 1);   // reads the request, then closes
    ClientLoop loop;
    Seen seen;
    REQUIRE(loop.connect(url(closed_port()), recording_errors(seen), recording(seen)).empty());
    // RFC 6761: .invalid never resolves (a machine without DNS may time out instead).
    ClientOptions quick = recording_errors(seen);
    quick.connect_timeout = 3s;
    REQUIRE(loop.connect("ws://no-such-host.invalid/", quick, recording(seen)).empty());
    REQUIRE(loop.connect(url(raw.port()), recording_errors(seen), recording(seen)).empty());
    CHECK(run_loop(loop));
    REQUIRE(seen.errors.size() == 3);
    std::set<ClientError::Kind> kinds;
    for (const auto& e : seen.errors) kinds.insert(e.kind == ClientError::Kind::timeout ? ClientError::Kind::resolve : e.kind);
    CHECK(kinds == std::set<ClientError::Kind>{ClientError::Kind::connect, ClientError::Kind::resolve,
                                               ClientError::Kind::closed});
    for (const auto& e : seen.errors) {
        if (e.kind == ClientError::Kind::connect) CHECK(e.message.find("Connection refused") != std::string::npos);
        if (e.kind == ClientError::Kind::resolve) CHECK(e.message.find("cannot resolve 'no-such-host.invalid'") != std::string::npos);
        if (e.kind == ClientError::Kind::timeout) CHECK(e.message.find("'no-such-host.invalid' did not resolve") != std::string::npos);
        if (e.kind == ClientError::Kind::closed) CHECK(e.message.find("before answering the handshake") != std::string::npos);
    }
}

TEST_CASE("client: a host name resolves off the loop thread; IPv6 and IPv4 are both tried") {
    // One message echoed, then our close: the conversation ends, and so does run().
    const auto say = [](Seen& seen, std::string text) {
        auto cb = recording(seen, [text](Context& ctx) { ctx.send_now(text); });
        cb.on_message = [&seen](Context& ctx, const Message& m) {
            seen.messages.emplace_back(m.text());
            ctx.close(1000);
        };
        return cb;
    };
    TestServer v4;
    ClientLoop loop;
    Seen by_name;
    // localhost may resolve to ::1 first, where nobody listens: the next address is tried.
    REQUIRE(loop.connect("ws://localhost:" + std::to_string(v4.port()) + "/ws", {}, say(by_name, "by name")).empty());
    CHECK(run_loop(loop));
    CHECK(by_name.messages == std::vector<std::string>{"by name"});

    sluice::Server v6;
    v6.host("::1").port(0).route("/ws", sluice::test::echo_task);
    if (!v6.start()) {
        MESSAGE("no IPv6 loopback here: " << v6.last_error());
        return;
    }
    ClientLoop loop6;
    Seen over_v6;
    REQUIRE(loop6.connect("ws://[::1]:" + std::to_string(v6.bound_port()) + "/ws", {}, say(over_v6, "over IPv6")).empty());
    CHECK(run_loop(loop6));
    CHECK(over_v6.messages == std::vector<std::string>{"over IPv6"});
    v6.stop();
}

TEST_CASE("RFC 6455 3: wss:// is refused naming the TLS proxy route; other bad URLs and fields are refused at once") {
    ClientLoop loop;
    const std::string wss = loop.connect("wss://example.com/feed", {}, WsCallbacks{});
    CHECK(wss.find("wss:// (TLS) is not supported") != std::string::npos);
    CHECK(wss.find("TLS proxy") != std::string::npos);
    CHECK(loop.connect("http://example.com/", {}, WsCallbacks{}).find("scheme must be ws://") != std::string::npos);
    CHECK(loop.connect("ws://example.com/#top", {}, WsCallbacks{}).find("no fragment") != std::string::npos);
    CHECK(loop.connect("ws://[::1/", {}, WsCallbacks{}).find("lacks its ']'") != std::string::npos);
    CHECK(loop.connect("ws://h:0/", {}, WsCallbacks{}).find("port must be a number") != std::string::npos);
    CHECK(loop.connect("ws:///x", {}, WsCallbacks{}).find("host is missing") != std::string::npos);
    ClientOptions bad_header;
    bad_header.headers = {{"Sec-WebSocket-Key", "mine"}};
    CHECK(loop.connect("ws://example.com/", bad_header, WsCallbacks{}).find("cannot be sent") != std::string::npos);
    ClientOptions bad_value;
    bad_value.headers = {{"X-A", "line\r\nbreak"}};
    CHECK_FALSE(loop.connect("ws://example.com/", bad_value, WsCallbacks{}).empty());
    ClientOptions twice;
    twice.subprotocols = {"a", "a"};
    CHECK_FALSE(loop.connect("ws://example.com/", twice, WsCallbacks{}).empty());
    CHECK(run_loop(loop, 3s));   // nothing was started: run() returns at once
}

TEST_CASE("client: reconnect with exponential backoff, one callback per attempt, until max_attempts") {
    ClientLoop loop;
    Seen seen;
    std::vector<ReconnectAttempt> attempts;
    ClientOptions o = recording_errors(seen);
    o.reconnect.enabled = true;
    o.reconnect.initial_delay = 10ms;
    o.reconnect.multiplier = 2.0;
    o.reconnect.jitter = 0.5;
    o.reconnect.max_attempts = 4;
    o.on_reconnect = [&](const ReconnectAttempt& a) {
        attempts.push_back(a);
        return true;
    };
    REQUIRE(loop.connect(url(closed_port()), o, recording(seen)).empty());
    CHECK(run_loop(loop));
    CHECK(seen.errors.size() == 5);   // the first try and 4 retries
    REQUIRE(attempts.size() == 4);
    for (unsigned i = 0; i < 4; ++i) {
        const auto full = 10 << i;   // 10, 20, 40, 80 ms; jitter takes up to half off
        CAPTURE(i);
        CHECK(attempts[i].attempt == i + 1);
        CHECK(attempts[i].delay.count() <= full);
        CHECK(attempts[i].delay.count() >= full / 2);
        CHECK(attempts[i].reason.find("Connection refused") != std::string::npos);
    }
}

TEST_CASE("client: a dropped conversation reconnects; our own close 1000 does not; on_reconnect may stop it") {
    std::atomic<int> served{0};
    TestServer s([&](sluice::Server& server) {
        server.route("/drop", opening([&](Context& ctx) {
                          if (served++ < 2) ctx.close(1012, "restarting");
                      }));
    });
    ClientLoop loop;
    Seen seen;
    std::vector<ReconnectAttempt> attempts;
    ClientOptions o;
    o.reconnect.enabled = true;
    o.reconnect.initial_delay = 5ms;
    o.on_reconnect = [&](const ReconnectAttempt& a) {
        attempts.push_back(a);
        return true;
    };
    // The third conversation stays open; the client then closes it with 1000: no reconnection.
    auto cb = recording(seen);
    cb.on_open = [&](Context& ctx) {
        if (++seen.opens == 3) ctx.after(20ms, [&ctx] { ctx.close(1000); });
    };
    REQUIRE(loop.connect(url(s.port(), "/drop"), o, cb).empty());
    CHECK(run_loop(loop));
    CHECK(seen.opens == 3);
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].attempt == 1);
    CHECK(attempts[1].attempt == 1);   // the backoff starts over after each open

    ClientLoop stopping;
    int calls = 0;
    ClientOptions once;
    once.reconnect.enabled = true;
    once.reconnect.initial_delay = 1ms;
    once.on_reconnect = [&](const ReconnectAttempt&) { return ++calls < 2; };
    REQUIRE(stopping.connect(url(closed_port()), once, WsCallbacks{}).empty());
    CHECK(run_loop(stopping));
    CHECK(calls == 2);
}

TEST_CASE("RFC 6455 5.1: a frame published to a subscribed client connection goes out masked") {
    RawPeer::Frame got;
    RawServer raw([&](RawPeer& peer) {
        const std::string head = peer.read_head();
        peer.send(RawPeer::accept_response(head));
        if (auto f = peer.read_frame()) got = *f;
        peer.send(RawPeer::frame(sluice::proto::Opcode::close, close_payload(1000)));
        peer.read_frame();
    });
    ClientLoop loop;
    Seen seen;
    REQUIRE(loop.connect(url(raw.port()), {}, recording(seen, [](Context& ctx) {
                             ctx.subscribe("news");
                             ctx.publish("news", "to every subscriber");   // encoded once, as a server's frame
                         })).empty());
    CHECK(run_loop(loop));
    CHECK(got.masked);
    CHECK(got.opcode == sluice::proto::Opcode::text);
    CHECK(got.payload == "to every subscriber");
}

TEST_CASE("client: ClientLoop::post hands work from another thread to the loop") {
    TestServer s;
    ClientLoop loop;
    CHECK_FALSE(loop.post([] {}));   // not running yet
    Seen seen;
    Context* open_ctx = nullptr;
    std::thread other;
    auto cb = recording(seen, [&](Context& ctx) {
        open_ctx = &ctx;
        other = std::thread([&] {
            loop.post([&] { open_ctx->send_now("posted"); });
        });
    });
    cb.on_message = [&](Context& ctx, const Message& m) {
        seen.messages.emplace_back(m.text());
        ctx.close(1000);
    };
    REQUIRE(loop.connect(url(s.port()), {}, cb).empty());
    CHECK(run_loop(loop));
    other.join();
    CHECK(seen.messages == std::vector<std::string>{"posted"});
}

TEST_CASE("RFC 6455 7.4.1: a message over the client's max_message_size closes with 1009") {
    TestServer s([&](sluice::Server& server) {
        server.route("/big", opening([](Context& ctx) { ctx.send_now(std::string(2000, 'b')); }));
    });
    ClientLoop loop;
    Seen seen;
    ClientOptions o;
    o.max_message_size = 1000;
    REQUIRE(loop.connect(url(s.port(), "/big"), o, recording(seen)).empty());
    CHECK(run_loop(loop));
    CHECK(seen.messages.empty());
    CHECK(seen.close_code == 1009);
}

}  // TEST_SUITE
