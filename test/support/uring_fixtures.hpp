// test/support/uring_fixtures.hpp — a UringPoller with ring receives, and a Reactor whose ring
// reads its sockets, for the tests that drive the io_uring receive and accept paths
// (test/net/uring_*_test.cpp).
#pragma once

#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <sys/eventfd.h>
#include <unistd.h>

#include "net/reactor.hpp"
#include "net/uring_poller.hpp"

namespace sluice::test {

// Owns the poller and the eventfd it watches. `ready` is false (and the case says it is
// skipped) where this kernel refuses io_uring or its receives; the case then returns.
struct ReceivingPoller {
    int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    net::UringPoller poller;
    bool ready = wake >= 0 && poller.open(wake) && poller.receives();

    ReceivingPoller() {
        if (!ready) MESSAGE("io_uring receives unavailable here: case skipped");
    }
    ~ReceivingPoller() {
        poller.close();
        if (wake >= 0) ::close(wake);
    }
    ReceivingPoller(const ReceivingPoller&) = delete;
    ReceivingPoller& operator=(const ReceivingPoller&) = delete;
};

// A reactor whose sockets io_uring reads (and whose listeners it accepts for), or null with
// one line saying the case is skipped, where this kernel refuses io_uring or its receives.
inline std::unique_ptr<net::Reactor> receiving_reactor() {
    auto reactor = std::make_unique<net::Reactor>(net::Reactor::Options{.backend = net::Backend::io_uring});
    if (reactor->valid() && reactor->ring_receives()) return reactor;
    MESSAGE("io_uring receives unavailable here (" << std::string(std::strerror(errno)) << "): case skipped");
    return nullptr;
}

}  // namespace sluice::test
