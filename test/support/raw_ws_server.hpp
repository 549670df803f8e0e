// test/support/raw_ws_server.hpp — a WebSocket "server" written byte by byte, for client tests
// that need a server to misbehave on purpose (a wrong accept, a masked frame, a 403, silence).
// Blocking sockets with poll() timeouts on one thread; each accepted connection runs `script`.
#pragma once

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "proto/ws_frame.hpp"
#include "proto/ws_handshake.hpp"

namespace sluice::test {

// One accepted connection, as the script sees it. Owns its fd.
struct RawPeer {
    int fd = -1;
    std::string pending;   // read and not yet taken

    ~RawPeer() {
        if (fd >= 0) ::close(fd);
    }
    // Reads once (waiting up to `timeout`): bytes read, 0 on EOF, -1 on timeout or error.
    long read_once(std::chrono::milliseconds timeout) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return -1;
        char buf[65536];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) pending.append(buf, static_cast<std::size_t>(n));
        return n < 0 ? -1 : static_cast<long>(n);
    }
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    // The request head (through its blank line), or "" if none came in time.
    std::string read_head(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (pending.find("\r\n\r\n") == std::string::npos) {
            if (std::chrono::steady_clock::now() > end || read_once(std::chrono::milliseconds(50)) == 0) return {};
        }
        const std::size_t n = pending.find("\r\n\r\n") + 4;
        std::string head = pending.substr(0, n);
        pending.erase(0, n);
        return head;
    }
    // A header's value in a head ("" if absent); names compared case-insensitively.
    static std::string header(std::string_view head, std::string_view name) {
        std::size_t at = head.find("\r\n");
        while (at != std::string_view::npos && at + 2 < head.size()) {
            const std::size_t next = head.find("\r\n", at + 2);
            const std::string_view line = head.substr(at + 2, next - at - 2);
            const std::size_t colon = line.find(':');
            if (colon != std::string_view::npos && proto::ascii_iequals(line.substr(0, colon), name)) {
                std::string_view v = line.substr(colon + 1);
                while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
                return std::string(v);
            }
            at = next;
        }
        return {};
    }
    // The 101 a correct server sends for `head` (plus `extra` header lines).
    static std::string accept_response(std::string_view head, std::string_view extra = {}) {
        const auto accept = proto::compute_accept(header(head, "Sec-WebSocket-Key"));
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: " + std::string(accept.data(), accept.size()) + "\r\n" + std::string(extra) + "\r\n";
    }
    // A frame as a server writes it (unmasked unless `mask` is given).
    static std::string frame(proto::Opcode op, std::string_view payload, bool fin = true,
                             const std::array<std::uint8_t, 4>* mask = nullptr) {
        std::array<std::uint8_t, proto::kMaxFrameHeader> h{};
        const std::size_t n = proto::encode_frame_header(h.data(), op, fin, payload.size(), mask);
        std::string out(reinterpret_cast<const char*>(h.data()), n);
        for (std::size_t i = 0; i < payload.size(); ++i)
            out += static_cast<char>(payload[i] ^ (mask ? (*mask)[i % 4] : 0));
        return out;
    }
    struct Frame {
        bool fin = false;
        proto::Opcode opcode = proto::Opcode::text;
        bool masked = false;
        std::array<std::uint8_t, 4> mask{};
        std::string payload;   // unmasked
    };
    // The client's next frame, or nullopt (timeout, EOF).
    std::optional<Frame> read_frame(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (pending.size() >= 2) {
                const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(pending[i]); };
                Frame f;
                f.fin = (b(0) & 0x80) != 0;
                f.opcode = static_cast<proto::Opcode>(b(0) & 0x0F);
                f.masked = (b(1) & 0x80) != 0;
                std::uint64_t len = b(1) & 0x7F;
                std::size_t at = 2;
                if (len == 126 && pending.size() >= 4) {
                    len = (std::uint64_t{b(2)} << 8) | b(3);
                    at = 4;
                } else if (len == 127 && pending.size() >= 10) {
                    len = 0;
                    for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | b(i);
                    at = 10;
                } else if (len >= 126) {
                    len = ~std::uint64_t{0};
                }
                if (len != ~std::uint64_t{0} && pending.size() >= at + (f.masked ? 4 : 0) + len) {
                    if (f.masked) {
                        for (std::size_t i = 0; i < 4; ++i) f.mask[i] = b(at + i);
                        at += 4;
                    }
                    f.payload = pending.substr(at, static_cast<std::size_t>(len));
                    for (std::size_t i = 0; i < f.payload.size(); ++i)
                        f.payload[i] = static_cast<char>(f.payload[i] ^ (f.masked ? f.mask[i % 4] : 0));
                    pending.erase(0, at + static_cast<std::size_t>(len));
                    return f;
                }
            }
            if (std::chrono::steady_clock::now() > end || read_once(std::chrono::milliseconds(50)) == 0) return std::nullopt;
        }
    }
    // True if the client closes its side (EOF) within `timeout`; bytes before it are kept.
    bool eof_within(std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            if (read_once(std::chrono::milliseconds(20)) == 0) return true;
        }
        return false;
    }
};

// Listens on 127.0.0.1:0; accepts `connections` connections one after another on its thread
// and runs `script` on each. Joined by the destructor (the listener is closed first).
class RawServer {
 public:
    explicit RawServer(std::function<void(RawPeer&)> script, int connections = 1) : script_(std::move(script)) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(listen_fd_, 16) == 0);
        socklen_t len = sizeof a;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this, connections] {
            for (int i = 0; i < connections && !stop_; ++i) {
                pollfd p{listen_fd_, POLLIN, 0};
                while (!stop_ && ::poll(&p, 1, 50) <= 0) {
                }
                if (stop_) return;
                RawPeer peer;
                peer.fd = ::accept(listen_fd_, nullptr, nullptr);
                if (peer.fd < 0) return;
                script_(peer);
                ++served_;
            }
        });
    }
    ~RawServer() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
    }
    std::uint16_t port() const { return port_; }
    int served() const { return served_.load(); }

 private:
    std::function<void(RawPeer&)> script_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> served_{0};
    std::thread thread_;
};

}  // namespace sluice::test
