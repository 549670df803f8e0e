// A raw TCP echo service on the reactor: the reactor's reference user, run by the
// integration test (test/net/echo_integration_test.cpp), by perf/tcp_echo_server, and by
// `make run` until app/ exists. No protocol: every byte read is written back.
//
//   read into Reactor::receive_buffer() -> write_some() straight back
//                                          \-> the part the kernel refused is copied into
//                                              the connection's backlog; reading pauses
//                                              (interest kWritable) until it drains.
//
// So an idle connection owns no buffer, and a slow reader costs at most one read's worth.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/reactor.hpp"
#include "net/socket.hpp"

namespace sluice::net {

// Owns its listener and every accepted connection (closed by close() or the destructor);
// does not own the reactor, which must outlive it. Loop thread only.
class EchoServer {
 public:
    explicit EchoServer(Reactor& reactor) noexcept;
    ~EchoServer();
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;

    bool open(const ListenOptions& options) noexcept;
    void close() noexcept;  // stops listening and closes every connection

    std::uint16_t port() const noexcept { return listener_.port(); }
    std::size_t connections() const noexcept { return connections_.size(); }
    std::uint64_t bytes_echoed() const noexcept { return bytes_echoed_; }
    const Listener& listener() const noexcept { return listener_; }

 private:
    class Connection;
    void accept(int fd) noexcept;
    void drop(int fd) noexcept;

    Reactor& reactor_;
    Listener listener_;
    std::unordered_map<int, std::unique_ptr<Connection>> connections_;
    std::uint64_t bytes_echoed_ = 0;
};

}  // namespace sluice::net
