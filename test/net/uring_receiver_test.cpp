// io_uring receiving the sockets itself (net/uring_receiver.hpp, net/uring_poller.hpp): the
// bytes a watcher reads with read_some are those the peer sent, whole and in order, whatever
// the ring did with them: spread over several provided buffers, held while reading is paused,
// ended by EOF or a reset, received while the buffers ran out, or dropped with a removed fd.
// Real sockets (socket pairs and loopback TCP). Each case says so and returns when this
// kernel refuses io_uring or its receives.
#include "net/uring_poller.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/reactor.hpp"
#include "net/socket.hpp"
#include "test/support/uring_fixtures.hpp"
#include "test/support/reactor_fixtures.hpp"

using namespace sluice::net;
using namespace std::chrono_literals;
using sluice::test::Pair;
using sluice::test::run_until;
using sluice::test::TcpPair;
using sluice::test::put;
using sluice::test::Recorder;
using sluice::test::receiving_reactor;

namespace {

// The byte at `offset` of stream `stream`: every stream and position differs.
std::uint8_t pattern(std::size_t stream, std::size_t offset) {
    return static_cast<std::uint8_t>((offset * 7 + stream * 13 + offset / 251) & 0xFF);
}

// Writes the pattern from `from` until the socket is full or `limit`; returns the new end.
std::size_t fill(int fd, std::size_t stream, std::size_t from, std::size_t limit) {
    std::vector<std::uint8_t> chunk(16384);
    while (from < limit) {
        const std::size_t n = std::min(chunk.size(), limit - from);
        for (std::size_t i = 0; i < n; ++i) chunk[i] = pattern(stream, from + i);
        const IoResult r = write_some(fd, std::span(chunk).first(n));
        if (r.status != IoStatus::ok) break;
        from += r.bytes;
    }
    return from;
}

// Reads what is there and checks it against the pattern; returns false on a mismatch.
struct Checker final : IoWatcher {
    int fd = -1;
    std::size_t stream = 0;
    std::size_t got = 0;
    bool mismatch = false;
    bool closed = false;
    void on_events(EventMask) noexcept override {
        std::uint8_t buffer[10000];  // smaller than what may be queued: reads are partial too
        const IoResult r = read_some(fd, buffer);
        if (r.status == IoStatus::closed) closed = true;
        if (r.status != IoStatus::ok) return;
        for (std::size_t i = 0; i < r.bytes; ++i) mismatch |= buffer[i] != pattern(stream, got + i);
        got += r.bytes;
    }
};

}  // namespace

TEST_SUITE("net") {

TEST_CASE("io_uring receives: a stream larger than one provided buffer is read whole and in order") {
    auto reactor = receiving_reactor();
    if (!reactor) return;
    TcpPair pair;
    Checker checker;
    checker.fd = pair.fd[0];
    REQUIRE(reactor->add(pair.fd[0], kReadable, &checker));
    constexpr std::size_t kTotal = 1'000'000;  // 245 buffers of 4 KiB
    std::size_t sent = 0;
    CHECK(run_until(*reactor, [&] {
        sent = fill(pair.fd[1], 0, sent, kTotal);
        return checker.got == kTotal;
    }));
    CHECK_FALSE(checker.mismatch);
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring receives: many sockets at once each read their own bytes") {
    auto reactor = receiving_reactor();
    if (!reactor) return;
    constexpr std::size_t kPairs = 200;
    constexpr std::size_t kEach = 20'000;
    std::vector<std::unique_ptr<Pair>> pairs;
    std::vector<Checker> checkers(kPairs);
    std::vector<std::size_t> sent(kPairs, 0);
    for (std::size_t i = 0; i < kPairs; ++i) {
        pairs.push_back(std::make_unique<Pair>());
        checkers[i].fd = pairs[i]->fd[0];
        checkers[i].stream = i;
        REQUIRE(reactor->add(pairs[i]->fd[0], kReadable, &checkers[i]));
    }
    CHECK(run_until(*reactor, [&] {
        bool all = true;
        for (std::size_t i = 0; i < kPairs; ++i) {
            sent[i] = fill(pairs[i]->fd[1], i, sent[i], kEach);
            all = all && checkers[i].got == kEach;
        }
        return all;
    }));
    for (std::size_t i = 0; i < kPairs; ++i) {
        CHECK_FALSE(checkers[i].mismatch);
        reactor->remove(pairs[i]->fd[0]);
    }
}

TEST_CASE("io_uring receives: pausing keeps the bytes already received; they come first after resuming") {
    auto reactor = receiving_reactor();
    if (!reactor) return;
    Pair pair;
    Recorder watcher;  // does not read: the bytes stay queued
    REQUIRE(reactor->add(pair.fd[0], kReadable, &watcher));
    put(pair.fd[1], "first,");
    CHECK(reactor->run_once(1000ms));
    CHECK(reactor->run_once(0ms));  // still queued, unread: reported again (level-triggered)
    REQUIRE(reactor->modify(pair.fd[0], 0, &watcher));
    put(pair.fd[1], "second");
    const std::size_t before = watcher.seen.size();
    CHECK_FALSE(reactor->run_once(0ms));  // paused: silent, with bytes queued and more arriving
    CHECK(watcher.seen.size() == before);
    REQUIRE(reactor->modify(pair.fd[0], kReadable, &watcher));
    CHECK(reactor->run_once(0ms));
    std::string text;
    std::uint8_t buffer[4];  // small reads: a queued buffer is taken in parts
    for (int i = 0; i < 100 && text.size() < 12; ++i) {
        const IoResult r = read_some(pair.fd[0], buffer);
        if (r.status == IoStatus::ok) text.append(reinterpret_cast<const char*>(buffer), r.bytes);
        if (r.status == IoStatus::would_block) reactor->run_once(100ms);
    }
    CHECK(text == "first,second");
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring receives: EOF comes after the last byte, with kHangup, and again on every read") {
    auto reactor = receiving_reactor();
    if (!reactor) return;
    Pair pair;
    Recorder watcher;
    REQUIRE(reactor->add(pair.fd[0], kReadable, &watcher));
    put(pair.fd[1], "bye");
    pair.close_end(1);
    CHECK(run_until(*reactor, [&] { return !watcher.seen.empty() && (watcher.seen.back() & kHangup) != 0; }));
    CHECK((watcher.seen.back() & kReadable) != 0);
    std::uint8_t buffer[16];
    IoResult r = read_some(pair.fd[0], buffer);
    CHECK(r.status == IoStatus::ok);
    CHECK(r.bytes == 3);
    CHECK(read_some(pair.fd[0], buffer).status == IoStatus::closed);
    CHECK(read_some(pair.fd[0], buffer).status == IoStatus::closed);
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring receives: a reset after data gives the data, then closed with ECONNRESET") {
    auto reactor = receiving_reactor();
    if (!reactor) return;
    TcpPair pair;
    Recorder watcher;
    REQUIRE(reactor->add(pair.fd[0], kReadable, &watcher));
    put(pair.fd[1], "data");
    CHECK(reactor->run_once(1000ms));  // the bytes are queued before the reset
    REQUIRE(set_linger(pair.fd[1], true, 0));
    close_fd(pair.fd[1]);  // RST
    pair.fd[1] = -1;
    CHECK(run_until(*reactor, [&] { return (watcher.seen.back() & kError) != 0; }));
    std::uint8_t buffer[16];
    IoResult r = read_some(pair.fd[0], buffer);
    CHECK(r.status == IoStatus::ok);
    CHECK(r.bytes == 4);
    r = read_some(pair.fd[0], buffer);
    CHECK(r.status == IoStatus::closed);
    CHECK(r.error == ECONNRESET);
    CHECK(read_some(pair.fd[0], buffer).status == IoStatus::closed);  // then EOF, as read(2)
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring receives: a ring run dry (ENOBUFS) loses no byte, and buffers come back") {
    // More bytes in flight than the receiver has buffers (4 MiB): the sockets that find none
    // are polled and read with read(2) until half the buffers are back.
    sluice::test::ReceivingPoller ring;
    if (!ring.ready) return;
    UringPoller& poller = ring.poller;
    const std::size_t all = poller.free_buffers();
    REQUIRE(all == UringReceiver::kBuffers);
    constexpr std::size_t kPairs = 48;
    constexpr std::size_t kEach = 400'000;  // 48 x 400 KB = 19 MB through 4 MiB of buffers
    std::vector<std::unique_ptr<TcpPair>> pairs;
    std::vector<std::size_t> sent(kPairs, 0), got(kPairs, 0);
    bool mismatch = false;
    for (std::size_t i = 0; i < kPairs; ++i) {
        pairs.push_back(std::make_unique<TcpPair>());
        REQUIRE(poller.update(pairs[i]->fd[0], 0, kReadable, 1));
    }
    // Nothing read for a few rounds: the queues take every buffer.
    std::size_t lowest = all;
    for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < kPairs; ++i) sent[i] = fill(pairs[i]->fd[1], i, sent[i], kEach);
        poller.wait(10);
        lowest = std::min(lowest, poller.free_buffers());
    }
    CHECK(lowest == 0);
    // Then read everything, checking each stream.
    const auto end = Clock::now() + 20s;
    std::vector<std::uint8_t> buffer(65536);
    bool done = false;
    while (!done && Clock::now() < end) {
        const int n = poller.wait(10);
        for (const UringPoller::Ready& r : poller.ready(n)) {
            std::size_t i = 0;
            while (pairs[i]->fd[0] != r.fd) ++i;
            const IoResult got_now = read_some(r.fd, buffer);
            if (got_now.status != IoStatus::ok) continue;
            for (std::size_t k = 0; k < got_now.bytes; ++k) mismatch |= buffer[k] != pattern(i, got[i] + k);
            got[i] += got_now.bytes;
        }
        done = true;
        for (std::size_t i = 0; i < kPairs; ++i) {
            sent[i] = fill(pairs[i]->fd[1], i, sent[i], kEach);
            done = done && got[i] == kEach;
        }
    }
    CHECK(done);
    CHECK_FALSE(mismatch);
    for (std::size_t i = 0; i < kPairs; ++i) poller.update(pairs[i]->fd[0], kReadable, 0, 2);  // removed
    poller.wait(0);
    CHECK(poller.free_buffers() == all);
}

TEST_CASE("io_uring receives: removing a socket with bytes queued gives every buffer back") {
    sluice::test::ReceivingPoller ring;
    if (!ring.ready) return;
    UringPoller& poller = ring.poller;
    const std::size_t all = poller.free_buffers();
    for (int round = 0; round < 3; ++round) {
        auto pair = std::make_unique<TcpPair>();
        REQUIRE(poller.update(pair->fd[0], 0, kReadable, 0));
        const std::size_t sent = fill(pair->fd[1], 0, 0, 300'000);
        for (int i = 0; i < 20 && poller.free_buffers() > all - sent / UringReceiver::kBufferSize; ++i) poller.wait(10);
        CHECK(poller.free_buffers() < all);  // bytes are queued, unread
        poller.update(pair->fd[0], kReadable, 0, 1);  // Reactor::remove: the next generation
        CHECK(UringReceiver::serving(pair->fd[0]) == nullptr);
        pair.reset();
        poller.wait(0);
        CHECK(poller.free_buffers() == all);
    }
}

TEST_CASE("io_uring receives: refused, the reactor polls and read(2) reads, with the same bytes") {
    // Refused for the whole reactor (Options::ring_receives = false, as on a kernel without
    // them), and per fd: a pipe is no socket, so its receive fails with ENOTSOCK.
    auto polling = std::make_unique<Reactor>(Reactor::Options{.backend = Backend::io_uring, .ring_receives = false});
    if (!polling->valid()) {
        MESSAGE("io_uring unavailable here: case skipped");
        return;
    }
    CHECK_FALSE(polling->ring_receives());
    Pair pair;
    Recorder watcher;
    REQUIRE(polling->add(pair.fd[0], kReadable, &watcher));
    put(pair.fd[1], "polled");
    CHECK(polling->run_once(1000ms));
    CHECK(UringReceiver::serving(pair.fd[0]) == nullptr);
    std::uint8_t buffer[16];
    CHECK(read_some(pair.fd[0], buffer).bytes == 6);
    polling->remove(pair.fd[0]);

    auto reactor = receiving_reactor();
    if (!reactor) return;
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    set_nonblocking(pipe_fds[0]);
    Recorder pipe_watcher;
    REQUIRE(reactor->add(pipe_fds[0], kReadable, &pipe_watcher));
    REQUIRE(::write(pipe_fds[1], "piped", 5) == 5);
    CHECK(run_until(*reactor, [&] { return !pipe_watcher.seen.empty(); }));
    CHECK(read_some(pipe_fds[0], buffer).bytes == 5);
    CHECK(read_some(pipe_fds[0], buffer).status == IoStatus::would_block);
    reactor->remove(pipe_fds[0]);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

}  // TEST_SUITE
