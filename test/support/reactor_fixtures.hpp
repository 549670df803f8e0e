// test/support/reactor_fixtures.hpp — what the reactor tests share: a watcher that records
// the masks it is given, a connected pair of non-blocking sockets, and a write helper.
#pragma once

#include <doctest/doctest.h>

#include <sys/socket.h>

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

// Writes `text` whole (the socket pair's buffer always has room for a test's few bytes).
inline void put(int fd, const char* text) {
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(text), std::strlen(text));
    REQUIRE(net::write_some(fd, bytes).bytes == bytes.size());
}

}  // namespace sluice::test
