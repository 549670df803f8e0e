// test/support/ws_test_client.hpp — small blocking clients over real sockets (127.0.0.1),
// for integration tests: raw TCP, one HTTP/1.1 response reader, and a WebSocket client
// built on proto's client role (handshake writer/checker, WsSession<Role::client>).
//
// Every wait has a timeout (poll(2)), so a broken server fails a test instead of hanging
// it. Nothing here sleeps for timing.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/http_body.hpp"
#include "proto/http_response.hpp"
#include "proto/ws_handshake.hpp"
#include "proto/ws_session.hpp"

namespace sluice::test {

using namespace std::chrono_literals;

// A blocking TCP connection to 127.0.0.1. Owns its fd.
class TcpClient {
 public:
    TcpClient() = default;
    explicit TcpClient(std::uint16_t port) { connect(port); }
    ~TcpClient() { close(); }
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    bool connect(std::uint16_t port) {
        close();
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) return false;
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close();
            return false;
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        eof_ = false;
        return true;
    }
    bool connected() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void shutdown_write() {
        if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
    }
    // A smaller receive buffer makes "a client that does not read" fill up sooner.
    void set_receive_buffer(int bytes) { ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes); }

    bool send_all(std::string_view data) { return send_bytes(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()); }
    bool send_bytes(const std::uint8_t* p, std::size_t n) {
        while (n > 0) {
            const ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return false;
            p += w;
            n -= static_cast<std::size_t>(w);
        }
        return true;
    }

    // Appends what arrives within `timeout` (at least one read if data is ready) to `out`.
    // Returns bytes read; 0 on timeout or EOF (eof() tells which).
    std::size_t read_some(std::string& out, std::chrono::milliseconds timeout) {
        if (fd_ < 0 || eof_) return 0;
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (r <= 0) return 0;
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            eof_ = true;
            return 0;
        }
        out.append(buf, static_cast<std::size_t>(n));
        return static_cast<std::size_t>(n);
    }
    // Reads until `marker` is in the pending input; false on timeout/EOF.
    bool read_until(std::string_view marker, std::chrono::milliseconds timeout = 5000ms) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (pending.find(marker) == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0 || eof_) return false;
            read_some(pending, left);
        }
        return true;
    }
    // Reads until the peer closes (EOF or reset); false if it is still open at the timeout.
    bool wait_eof(std::chrono::milliseconds timeout = 5000ms) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (!eof_) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            read_some(pending, left);
        }
        return true;
    }
    bool eof() const { return eof_; }

    std::string pending;   // bytes read and not yet taken by a reader

 private:
    int fd_ = -1;
    bool eof_ = false;
};

// One HTTP/1.1 response read from a TcpClient (status, head, decoded body).
struct HttpReply {
    bool ok = false;          // a whole response arrived
    int status = 0;
    std::string head;         // status line and fields, as received
    std::string body;
    bool keep_alive = true;
    // Case-insensitive search of the head's fields.
    std::optional<std::string> header(std::string_view name) const {
        std::size_t at = head.find("\r\n");
        while (at != std::string::npos && at + 2 < head.size()) {
            const std::size_t line = at + 2;
            const std::size_t end = head.find("\r\n", line);
            const std::string_view l(head.data() + line, (end == std::string::npos ? head.size() : end) - line);
            const std::size_t colon = l.find(':');
            if (colon != std::string_view::npos && colon == name.size()) {
                bool same = true;
                for (std::size_t i = 0; i < colon; ++i) same = same && std::tolower(static_cast<unsigned char>(l[i])) == std::tolower(static_cast<unsigned char>(name[i]));
                if (same) {
                    std::string_view v = l.substr(colon + 1);
                    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
                    return std::string(v);
                }
            }
            at = end;
        }
        return std::nullopt;
    }
};

// Reads one response (Content-Length, chunked or until close) from c.pending + the socket.
// `head_request`: the response to a HEAD has no body.
inline HttpReply read_http_response(TcpClient& c, std::chrono::milliseconds timeout = 5000ms, bool head_request = false) {
    HttpReply reply;
    if (!c.read_until("\r\n\r\n", timeout)) return reply;
    proto::HttpResponseParser parser;
    std::array<proto::HttpHeader, 100> storage;
    proto::HttpResponse resp;
    const auto* p = reinterpret_cast<const std::uint8_t*>(c.pending.data());
    const proto::HeadResult r = parser.parse_head({p, c.pending.size()}, storage, resp);
    if (r.status != proto::ParseStatus::done) return reply;
    reply.status = resp.status;
    reply.keep_alive = resp.keep_alive;
    reply.head = c.pending.substr(0, r.consumed);
    const proto::BodyFraming framing = resp.body_framing;
    const std::uint64_t length = resp.content_length;
    const bool until_close = resp.body_until_close;
    c.pending.erase(0, r.consumed);
    if (head_request || (framing == proto::BodyFraming::none && !until_close)) {
        reply.ok = true;
        return reply;
    }
    if (until_close) {
        c.wait_eof(timeout);
        reply.body = std::move(c.pending);
        c.pending.clear();
        reply.ok = true;
        return reply;
    }
    proto::BodyDecoder decoder;
    proto::HttpLimits limits;
    limits.max_body = 1ull << 30;
    decoder.start(framing, length, limits);
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!c.pending.empty()) {
            auto* q = reinterpret_cast<std::uint8_t*>(c.pending.data());
            const proto::BodyResult b = decoder.decode({q, c.pending.size()});
            reply.body.append(c.pending.data(), b.produced);
            c.pending.erase(0, b.consumed);
            if (b.status == proto::ParseStatus::error) return reply;
            if (b.status == proto::ParseStatus::done) {
                reply.ok = true;
                return reply;
            }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0 || c.eof()) return reply;
        c.read_some(c.pending, left);
    }
}

// A blocking WebSocket client (RFC 6455 client role) for tests.
class WsTestClient {
 public:
    struct Event {
        enum class Kind { message, ping, pong, close, fail } kind = Kind::message;
        bool text = true;
        std::string data;             // message / ping / pong payload, or the close reason
        std::uint16_t code = 0;       // close / fail
    };

    WsTestClient() = default;
    WsTestClient(const WsTestClient&) = delete;
    WsTestClient& operator=(const WsTestClient&) = delete;

    // Connects and performs the opening handshake. True on a verified 101.
    bool connect(std::uint16_t port, std::string_view path, std::vector<std::string> subprotocols = {},
                 std::string_view extra_headers = {}) {
        if (!tcp.connect(port)) return false;
        std::array<std::uint8_t, 16> nonce;
        std::random_device rd;
        for (auto& b : nonce) b = static_cast<std::uint8_t>(rd());
        std::vector<std::string_view> views(subprotocols.begin(), subprotocols.end());
        std::array<char, 4096> out;
        std::array<char, 24> key;
        std::size_t n = proto::write_client_request("127.0.0.1", path, nonce, views, out, key);
        if (n == 0) return false;
        std::string request(out.data(), n);
        if (!extra_headers.empty()) request.insert(request.size() - 2, extra_headers);   // before the empty line
        if (!tcp.send_all(request)) return false;
        if (!tcp.read_until("\r\n\r\n")) return false;
        proto::HttpResponseParser parser;
        std::array<proto::HttpHeader, 64> storage;
        proto::HttpResponse resp;
        const auto* p = reinterpret_cast<const std::uint8_t*>(tcp.pending.data());
        const proto::HeadResult r = parser.parse_head({p, tcp.pending.size()}, storage, resp);
        if (r.status != proto::ParseStatus::done) return false;
        status = resp.status;
        response_head = tcp.pending.substr(0, r.consumed);
        if (auto sp = resp.header("Sec-WebSocket-Protocol")) subprotocol = std::string(*sp);
        const bool ok = proto::check_server_response(resp, std::string_view(key.data(), key.size()), views) ==
                        proto::ServerResponseCheck::ok;
        tcp.pending.erase(0, r.consumed);
        if (!ok) return false;
        session_ = std::make_unique<proto::WsSession<Hooks>>(proto::Role::client, proto::WsLimits{}, hooks_);
        if (!tcp.pending.empty()) feed_pending();
        return true;
    }

    bool send_text(std::string_view s) { return session_ && session_->send_message(proto::Opcode::text, s) && flush(); }
    bool send_binary(std::span<const std::uint8_t> b) {
        return session_ && session_->send_message(proto::Opcode::binary, b) && flush();
    }
    bool send_ping(std::string_view s = {}) {
        return session_ && session_->send_ping({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}) && flush();
    }
    bool send_close(std::uint16_t code = 1000, std::string_view reason = {}) {
        return session_ && session_->send_close(code, reason) && flush();
    }
    bool send_raw(std::string_view bytes) { return tcp.send_all(bytes); }

    // The next event (message, ping, pong, close, fail), or nullopt on timeout / EOF.
    std::optional<Event> next(std::chrono::milliseconds timeout = 5000ms) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (hooks_.events.empty()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0 || tcp.eof() || !session_) return std::nullopt;
            if (tcp.read_some(tcp.pending, left) > 0) feed_pending();
        }
        Event e = std::move(hooks_.events.front());
        hooks_.events.pop_front();
        return e;
    }
    // The next text or binary message's payload, skipping pings and pongs.
    std::optional<std::string> receive(std::chrono::milliseconds timeout = 5000ms) {
        for (;;) {
            auto e = next(timeout);
            if (!e) return std::nullopt;
            if (e->kind == Event::Kind::message) return std::move(e->data);
            if (e->kind == Event::Kind::close || e->kind == Event::Kind::fail) {
                last_close = e;
                return std::nullopt;
            }
        }
    }
    // Waits for the server's close frame; returns its code (nullopt on timeout/EOF first).
    std::optional<std::uint16_t> wait_close(std::chrono::milliseconds timeout = 5000ms) {
        for (;;) {
            if (last_close) return std::exchange(last_close, std::nullopt)->code;
            auto e = next(timeout);
            if (!e) return std::nullopt;
            if (e->kind == Event::Kind::close || e->kind == Event::Kind::fail) return e->code;
        }
    }

    TcpClient tcp;
    int status = 0;
    std::string response_head;
    std::string subprotocol;
    std::optional<Event> last_close;

 private:
    struct Hooks {
        WsTestClient* owner;
        std::deque<Event> events;
        std::string out;
        void on_message(proto::Opcode op, std::span<const std::uint8_t> b) {
            events.push_back({Event::Kind::message, op == proto::Opcode::text, std::string(reinterpret_cast<const char*>(b.data()), b.size()), 0});
        }
        void on_ping(std::span<const std::uint8_t> b) {
            events.push_back({Event::Kind::ping, false, std::string(reinterpret_cast<const char*>(b.data()), b.size()), 0});
        }
        void on_pong(std::span<const std::uint8_t> b) {
            events.push_back({Event::Kind::pong, false, std::string(reinterpret_cast<const char*>(b.data()), b.size()), 0});
        }
        void on_close(std::uint16_t code, std::string_view reason) {
            events.push_back({Event::Kind::close, false, std::string(reason), code});
        }
        void on_fail(std::uint16_t code) { events.push_back({Event::Kind::fail, false, {}, code}); }
        void send(std::span<const std::uint8_t> b) { out.append(reinterpret_cast<const char*>(b.data()), b.size()); }
    };

    bool flush() {
        const bool ok = tcp.send_all(hooks_.out);
        hooks_.out.clear();
        return ok;
    }
    void feed_pending() {
        auto* p = reinterpret_cast<std::uint8_t*>(tcp.pending.data());
        const std::size_t used = session_->feed({p, tcp.pending.size()});
        tcp.pending.erase(0, used);
        if (!hooks_.out.empty()) flush();   // pongs and close replies the session produced
    }

    Hooks hooks_{this, {}, {}};
    std::unique_ptr<proto::WsSession<Hooks>> session_;
};

}  // namespace sluice::test
