// test/support/reactor_fixtures.hpp — what the reactor tests share: a watcher that records
// the masks it is given, connected pairs of non-blocking sockets (a socketpair, a loopback
// TCP connection), a write helper, and a loop run until a condition holds.
#pragma once

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <span>
#include <vector>

#include "net/reactor.hpp"
#include "net/socket.hpp"

namespace sluice::test {

// Records every event mask it receives; optionally runs a hook.
struct Recorder final : net::IoWatcher {
    std::vector<net::EventMask> seen;
    std::function<void(net::EventMask)> hook;
    void on_events(net::EventMask events) noexcept override {
        seen.push_back(events);
        if (hook) hook(events);
    }
};

// A connected pair of non-blocking stream sockets, closed on scope exit.
struct Pair {
    int fd[2] = {-1, -1};
    Pair() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0);
        net::set_nonblocking(fd[0]);
        net::set_nonblocking(fd[1]);
    }
    ~Pair() {
        net::close_fd(fd[0]);
        net::close_fd(fd[1]);
    }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;
    void close_end(int i) {
        net::close_fd(fd[i]);
        fd[i] = -1;
    }
};

// A blocking TCP listener on 127.0.0.1 and a port the kernel picks; `address` gets both.
inline int listen_loopback(sockaddr_in& address, int backlog) {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    address = sockaddr_in{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener, backlog) == 0);
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    return listener;
}

// A connected loopback TCP pair (the accepted end first), both non-blocking, closed on scope
// exit: what only TCP has (send buffers that fill, resets, io_uring's socket operations).
struct TcpPair {
    int fd[2] = {-1, -1};
    TcpPair() {
        sockaddr_in address{};
        const int listener = listen_loopback(address, 1);
        fd[1] = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(::connect(fd[1], reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        fd[0] = ::accept(listener, nullptr, nullptr);
        REQUIRE(fd[0] >= 0);
        ::close(listener);
        net::set_nonblocking(fd[0]);
        net::set_nonblocking(fd[1]);
    }
    ~TcpPair() {
        if (fd[0] >= 0) net::close_fd(fd[0]);
        if (fd[1] >= 0) net::close_fd(fd[1]);
    }
    TcpPair(const TcpPair&) = delete;
    TcpPair& operator=(const TcpPair&) = delete;
};

// Runs the reactor's loop until `done` holds or 10 s have passed; whether it holds.
template <typename Done>
bool run_until(net::Reactor& reactor, Done done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < end) reactor.run_once(std::chrono::milliseconds(20));
    return done();
}

// Writes `text` whole (the socket pair's buffer always has room for a test's few bytes).
inline void put(int fd, const char* text) {
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(text), std::strlen(text));
    REQUIRE(net::write_some(fd, bytes).bytes == bytes.size());
}

}  // namespace sluice::test
