// io_uring sending for the watchers (Reactor::send / take_sent, net/uring_sender.hpp): what
// only ring sends can get wrong. The bytes arrive whole and in order through short sends,
// several iovecs and a send extended before its submission; a peer that resets fails the send
// with writev's error; a peer that does not read makes the send complete short (no busy loop:
// the writer waits for kWritable) and gets everything once it reads; a removed fd's send never
// reads its bytes afterwards, nor reaches the fd number's next registration. Real sockets.
// Each case says so and returns when this kernel refuses io_uring or its ring sends.
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/reactor.hpp"
#include "net/socket.hpp"
#include "test/support/reactor_fixtures.hpp"

using namespace sluice::net;
using namespace std::chrono_literals;
using sluice::test::Pair;
using sluice::test::run_until;
using sluice::test::TcpPair;

namespace {

// A reactor that sends through the ring, or null (one line saying why).
std::unique_ptr<Reactor> sending_reactor() {
    auto reactor = std::make_unique<Reactor>(Reactor::Options{.backend = Backend::io_uring});
    if (reactor->valid() && reactor->ring_sends()) return reactor;
    MESSAGE("io_uring sends unavailable here (" << std::string(std::strerror(errno)) << "): case skipped");
    return nullptr;
}

std::uint8_t pattern(std::size_t offset) { return static_cast<std::uint8_t>((offset * 7 + offset / 253) & 0xFF); }

// The writer's side of the contract, over a buffer that never moves: [sent, end) waits, the
// front of it pinned while a send is in flight. Sends up to `pieces` iovecs of `piece` bytes.
struct RingWriter final : IoWatcher {
    Reactor* reactor = nullptr;
    int fd = -1;
    std::vector<std::uint8_t> data;
    std::size_t sent = 0, end = 0, handed = 0;
    std::size_t piece = 1 << 20;
    int pieces = 1;
    bool in_flight = false;
    bool refused = false;                // the last completion was short: wait for kWritable
    int completions = 0, short_ones = 0;
    std::int32_t error = 0;              // the first negative result other than EAGAIN

    explicit RingWriter(std::size_t total) : data(total) {
        for (std::size_t i = 0; i < total; ++i) data[i] = pattern(i);
    }
    void hand() {
        iovec iov[Reactor::kMaxSendIovecs];
        int n = 0;
        std::size_t at = sent;
        for (; n < pieces && at < end; ++n) {
            const std::size_t len = std::min(piece, end - at);
            iov[n] = {data.data() + at, len};
            at += len;
        }
        if (n == 0 || !reactor->send(fd, iov, n)) return;
        in_flight = true;
        handed = at - sent;
    }
    void flush() {
        if (in_flight) {
            std::int32_t result = 0;
            if (!reactor->take_sent(fd, result)) {
                hand();   // not submitted yet: extends it with what was added since
                return;
            }
            in_flight = false;
            ++completions;
            if (result < 0 && result != -EAGAIN) {
                if (error == 0) error = result;
                return;
            }
            const std::size_t took = result > 0 ? static_cast<std::size_t>(result) : 0;
            sent += took;
            refused = took < handed;
            if (refused) ++short_ones;
        } else {
            refused = false;   // kWritable from the poll: room again
        }
        if (!refused && error == 0) hand();
        reactor->modify(fd, (in_flight || refused) ? kWritable : kReadable, this);
    }
    void on_events(EventMask events) noexcept override {
        if ((events & kWritable) != 0) flush();
    }
    // Makes [end, end + n) available and flushes, as a connection does at the end of a callback.
    void add(std::size_t n) {
        end = std::min(end + n, data.size());
        flush();
    }
};

// Reads what is there and checks it against the pattern.
struct Reader {
    int fd = -1;
    std::size_t got = 0;
    bool mismatch = false;
    bool closed = false;
    void read() {
        std::uint8_t buffer[65536];
        for (;;) {
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n == 0) closed = true;
            if (n <= 0) return;
            for (ssize_t i = 0; i < n; ++i) mismatch |= buffer[i] != pattern(got + static_cast<std::size_t>(i));
            got += static_cast<std::size_t>(n);
        }
    }
};

}  // namespace

TEST_SUITE("net") {

TEST_CASE("io_uring sends: off by option or on a readiness backend, send() refuses and the caller writes itself") {
    // The binary links Linux's backends (epoll) or kqueue's (the kqueue emulation's binary).
    Reactor epoll_backend(Reactor::Options{.backend = Backend::epoll});
    Reactor kqueue_backend(Reactor::Options{.backend = Backend::kqueue});
    Reactor& epoll = epoll_backend.valid() ? epoll_backend : kqueue_backend;
    REQUIRE(epoll.valid());
    CHECK_FALSE(epoll.ring_sends());
    Pair pair;
    sluice::test::Recorder watcher;
    REQUIRE(epoll.add(pair.fd[0], kReadable, &watcher));
    std::uint8_t byte = 'x';
    iovec iov{&byte, 1};
    CHECK_FALSE(epoll.send(pair.fd[0], &iov, 1));
    std::int32_t result = 0;
    CHECK_FALSE(epoll.take_sent(pair.fd[0], result));
    epoll.remove(pair.fd[0]);

    Reactor uring(Reactor::Options{.backend = Backend::io_uring, .ring_sends = false});
    if (!uring.valid()) return;
    CHECK_FALSE(uring.ring_sends());
    REQUIRE(uring.add(pair.fd[0], kReadable, &watcher));
    CHECK_FALSE(uring.send(pair.fd[0], &iov, 1));
    uring.remove(pair.fd[0]);
}

TEST_CASE("io_uring sends: a stream larger than the socket takes at once goes out whole and in order, short sends and all") {
    auto reactor = sending_reactor();
    if (!reactor) return;
    TcpPair pair;
    const int small = 16384;
    ::setsockopt(pair.fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    constexpr std::size_t kTotal = 4 << 20;
    RingWriter writer(kTotal);
    writer.reactor = reactor.get();
    writer.fd = pair.fd[0];
    writer.piece = 256 * 1024;
    REQUIRE(reactor->add(pair.fd[0], kReadable, &writer));
    Reader reader{pair.fd[1]};
    writer.add(kTotal);
    CHECK(run_until(*reactor, [&] {
        reader.read();
        return reader.got == kTotal;
    }));
    CHECK_FALSE(reader.mismatch);
    CHECK(writer.error == 0);
    CHECK(writer.short_ones > 0);   // the socket took less than was handed: the rest went next
    CHECK(writer.sent == kTotal);
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring sends: many sends on one fd, several iovecs each and one extended before its submission, arrive in order") {
    auto reactor = sending_reactor();
    if (!reactor) return;
    Pair pair;
    constexpr std::size_t kTotal = 300'000;
    RingWriter writer(kTotal);
    writer.reactor = reactor.get();
    writer.fd = pair.fd[0];
    writer.piece = 1000;   // 16 iovecs of 1,000 bytes per send: IORING_OP_SENDMSG
    writer.pieces = Reactor::kMaxSendIovecs;
    REQUIRE(reactor->add(pair.fd[0], kReadable, &writer));
    Reader reader{pair.fd[1]};
    // Two flushes before the next io_uring_enter: the second extends the first send.
    writer.add(500);
    REQUIRE(writer.in_flight);
    writer.add(2500);
    CHECK(writer.handed == 3000);
    std::size_t added = 3000;
    CHECK(run_until(*reactor, [&] {
        if (added < kTotal) {   // more bytes every iteration, as messages would come
            writer.add(7000);
            added += 7000;
        }
        reader.read();
        return reader.got == kTotal;
    }));
    CHECK_FALSE(reader.mismatch);
    CHECK(writer.error == 0);
    CHECK(writer.completions > 10);
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring sends: a peer that does not read makes the send complete short; the writer waits for kWritable, then all arrives") {
    auto reactor = sending_reactor();
    if (!reactor) return;
    Pair pair;
    constexpr std::size_t kTotal = 8 << 20;   // far more than a socket pair buffers
    RingWriter writer(kTotal);
    writer.reactor = reactor.get();
    writer.fd = pair.fd[0];
    REQUIRE(reactor->add(pair.fd[0], kReadable, &writer));
    writer.add(kTotal);
    CHECK(run_until(*reactor, [&] { return writer.refused; }));
    // Nobody reads for 200 ms: no send is made while the socket is full (no busy loop).
    const int before = writer.completions;
    const auto quiet_until = Clock::now() + 200ms;
    while (Clock::now() < quiet_until) reactor->run_once(20ms);
    CHECK(writer.completions == before);
    CHECK(writer.sent < kTotal);
    Reader reader{pair.fd[1]};
    CHECK(run_until(*reactor, [&] {
        reader.read();
        return reader.got == kTotal;
    }));
    CHECK_FALSE(reader.mismatch);
    CHECK(writer.error == 0);
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring sends: a send in flight when the peer resets completes with writev's error") {
    auto reactor = sending_reactor();
    if (!reactor) return;
    TcpPair pair;
    RingWriter writer(4096);
    writer.reactor = reactor.get();
    writer.fd = pair.fd[0];
    REQUIRE(reactor->add(pair.fd[0], kReadable, &writer));
    // The peer resets (SO_LINGER 0), then the send reaches the kernel.
    const linger abortive{1, 0};
    REQUIRE(::setsockopt(pair.fd[1], SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive) == 0);
    close_fd(pair.fd[1]);
    pair.fd[1] = -1;
    reactor->run_once(10ms);   // the RST arrives (loopback: at once)
    writer.add(4096);
    REQUIRE(writer.in_flight);
    CHECK(run_until(*reactor, [&] { return writer.error != 0; }));
    CHECK((writer.error == -ECONNRESET || writer.error == -EPIPE));
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring sends: remove() with a send in flight; the kernel reads none of its bytes after, and the fd's next registration gets only its own completion") {
    auto reactor = sending_reactor();
    if (!reactor) return;
    auto pair = std::make_unique<Pair>();
    const int fd = pair->fd[0];
    RingWriter writer(64 * 1024);
    writer.reactor = reactor.get();
    writer.fd = fd;
    REQUIRE(reactor->add(fd, kReadable, &writer));
    writer.add(64 * 1024);
    REQUIRE(writer.in_flight);   // in the SQ, not yet submitted
    reactor->remove(fd);
    // The connection frees its bytes: whatever the peer gets must be the pattern, never this.
    std::fill(writer.data.begin(), writer.data.end(), std::uint8_t{0xEE});
    Reader reader{pair->fd[1]};
    reader.read();
    CHECK_FALSE(reader.mismatch);
    // The same fd number, registered again before the old send's CQE is collected: only its
    // own send completes for it.
    pair.reset();
    Pair next;
    REQUIRE(next.fd[0] == fd);   // the lowest free number: the one just closed
    RingWriter second(1000);
    second.reactor = reactor.get();
    second.fd = fd;
    REQUIRE(reactor->add(fd, kReadable, &second));
    second.add(1000);
    Reader other{next.fd[1]};
    CHECK(run_until(*reactor, [&] {
        other.read();
        return other.got == 1000 && !second.in_flight;
    }));
    CHECK_FALSE(other.mismatch);
    CHECK(writer.completions == 0);   // nothing reached the removed watcher
    CHECK(second.completions == 1);
    CHECK(second.sent == 1000);
    reactor->remove(fd);
}

}  // TEST_SUITE
