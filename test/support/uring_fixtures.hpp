// test/support/uring_fixtures.hpp — a UringPoller with ring receives, for the tests that drive
// the io_uring receive and accept paths below the reactor (test/net/uring_*_test.cpp).
#pragma once

#include <doctest/doctest.h>

#include <sys/eventfd.h>
#include <unistd.h>

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

}  // namespace sluice::test
