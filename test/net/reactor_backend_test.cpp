// The reactor's backend choice, and what only the io_uring poller can get wrong: level-triggered
// re-delivery over one-shot polls, stale completions of a removed fd, wake-ups and signals
// through polled eventfd/signalfd, a loop re-bound to another thread, a full submission queue.
// The io_uring cases construct their reactors with Backend::io_uring explicitly, whatever the
// run's default is, and say so in one line when the kernel refuses io_uring here.
// Also registers --reactor-backend=NAME (test/support/test_options.hpp).
#include "net/reactor.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/socket.hpp"
#include "test/support/reactor_fixtures.hpp"
#include "test/support/test_options.hpp"

using namespace sluice::net;
using namespace std::chrono_literals;
using sluice::test::Pair;
using sluice::test::put;
using sluice::test::Recorder;

namespace {

sluice::test::OptionResult choose_backend(std::string_view name) {
    Backend backend = Backend::automatic;
    if (!backend_from_name(name, backend)) return sluice::test::OptionResult::bad_value;
    Reactor::set_default_backend(backend);
    Reactor probe;
    if (!probe.valid()) {
        std::printf("[sluice] skipped: the %s reactor backend cannot be opened here (%s)\n", backend_name(backend),
                    std::strerror(errno));
        return sluice::test::OptionResult::skip;
    }
    std::printf("[sluice] reactor backend: %s\n", backend_name(probe.backend()));
    return sluice::test::OptionResult::run;
}
const bool registered = sluice::test::register_option("reactor-backend", choose_backend);




// A reactor on io_uring, or null (with one line saying why) when this kernel refuses it.
std::unique_ptr<Reactor> uring_reactor() {
    auto reactor = std::make_unique<Reactor>(Reactor::Options{.backend = Backend::io_uring});
    if (reactor->valid()) return reactor;
    MESSAGE("io_uring unavailable here (" << std::string(std::strerror(errno)) << "): case skipped");
    return nullptr;
}

}  // namespace

TEST_SUITE("net") {

TEST_CASE("reactor backend: the one asked for, or invalid; automatic resolves to a real one") {
    CHECK(registered);
    CHECK(std::string_view(backend_name(Backend::io_uring)) == "io_uring");
    Reactor automatic(Reactor::Options{.backend = Backend::automatic});
    REQUIRE(automatic.valid());
    CHECK(automatic.backend() != Backend::automatic);
    // The binary links one backend file: Linux's (epoll, io_uring) or kqueue's.
    const bool linux_backend = automatic.backend() != Backend::kqueue;
    Reactor epoll(Reactor::Options{.backend = Backend::epoll});
    CHECK(epoll.valid() == linux_backend);
    if (linux_backend) CHECK(epoll.backend() == Backend::epoll);
    Reactor kqueue(Reactor::Options{.backend = Backend::kqueue});
    CHECK(kqueue.valid() == !linux_backend);
    Reactor uring(Reactor::Options{.backend = Backend::io_uring});
    if (uring.valid()) CHECK(uring.backend() == Backend::io_uring);
    if (!linux_backend) CHECK_FALSE(uring.valid());
}

TEST_CASE("io_uring: unread bytes and free send space are reported again every iteration (level-triggered)") {
    auto reactor = uring_reactor();
    if (!reactor) return;
    Pair pair;
    Recorder watcher;
    put(pair.fd[1], "unread");
    REQUIRE(reactor->add(pair.fd[0], kReadable | kWritable, &watcher));
    for (int i = 0; i < 5; ++i) CHECK(reactor->run_once(0ms));
    REQUIRE(watcher.seen.size() == 5);
    for (const EventMask m : watcher.seen) CHECK(m == (kReadable | kWritable));
    REQUIRE(reactor->modify(pair.fd[0], kReadable, &watcher));
    std::uint8_t buffer[16];
    CHECK(read_some(pair.fd[0], buffer).bytes == 6);
    CHECK_FALSE(reactor->run_once(0ms));
    CHECK(watcher.seen.size() == 5);
    put(pair.fd[1], "more");  // a new arrival after a quiet iteration
    CHECK(reactor->run_once(1000ms));
    REQUIRE(watcher.seen.size() == 6);
    CHECK(watcher.seen[5] == kReadable);
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring: a completion posted for an fd that is then removed and its number reused is dropped") {
    auto reactor = uring_reactor();
    if (!reactor) return;
    auto old_pair = std::make_unique<Pair>();
    Recorder old_watcher, newcomer;
    REQUIRE(reactor->add(old_pair->fd[0], kReadable, &old_watcher));
    CHECK_FALSE(reactor->run_once(0ms));  // the poll is now armed in the kernel
    put(old_pair->fd[1], "stale");        // ... and completes: its CQE waits in the ring
    const int number = old_pair->fd[0];
    reactor->remove(number);
    old_pair.reset();  // closes both ends
    Pair fresh;        // very likely the same numbers
    REQUIRE(reactor->add(fresh.fd[0], kReadable | kWritable, &newcomer));
    CHECK(reactor->run_once(0ms));
    CHECK(old_watcher.seen.empty());
    REQUIRE(newcomer.seen.size() == 1);
    CHECK(newcomer.seen[0] == kWritable);  // its own state: nothing to read
    if (fresh.fd[0] != number) MESSAGE("the fd number was not reused; the stale CQE was still dropped");
    reactor->remove(fresh.fd[0]);
}

TEST_CASE("io_uring: changing the interest re-checks readiness at once; pausing silences the fd") {
    auto reactor = uring_reactor();
    if (!reactor) return;
    Pair pair;
    Recorder watcher;
    REQUIRE(reactor->add(pair.fd[0], kWritable, &watcher));
    CHECK(reactor->run_once(0ms));
    put(pair.fd[1], "x");
    REQUIRE(reactor->modify(pair.fd[0], kReadable, &watcher));
    CHECK(reactor->run_once(0ms));
    REQUIRE(watcher.seen.size() == 2);
    CHECK(watcher.seen[1] == kReadable);
    REQUIRE(reactor->modify(pair.fd[0], 0, &watcher));
    ::shutdown(pair.fd[1], SHUT_RDWR);
    CHECK_FALSE(reactor->run_once(0ms));
    CHECK(watcher.seen.size() == 2);
    REQUIRE(reactor->modify(pair.fd[0], kReadable, &watcher));
    CHECK(reactor->run_once(0ms));
    REQUIRE(watcher.seen.size() == 3);
    CHECK((watcher.seen[2] & kHangup) != 0);
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring: a closed fd is refused at add(), as epoll_ctl would") {
    auto reactor = uring_reactor();
    if (!reactor) return;
    int spare[2];
    REQUIRE(::pipe(spare) == 0);
    close_fd(spare[0]);
    close_fd(spare[1]);
    Recorder watcher;
    CHECK_FALSE(reactor->add(spare[0], kReadable, &watcher));
    CHECK(reactor->registered() == 0);
}

TEST_CASE("io_uring: post() from another thread wakes a loop blocked in io_uring_enter") {
    auto reactor = uring_reactor();
    if (!reactor) return;
    std::atomic<bool> ran{false};
    std::thread poster([&] {
        std::this_thread::sleep_for(100ms);
        reactor->post([&] { ran = true; });
    });
    const auto start = Clock::now();
    CHECK(reactor->run_once(10s));
    poster.join();
    CHECK(ran.load());
    CHECK(Clock::now() - start < 5s);
    // The multishot wake-up poll stays armed: a second post wakes the loop again.
    std::thread again([&] { reactor->post([&] { ran = false; }); });
    again.join();
    CHECK(reactor->run_once(10s));
    CHECK_FALSE(ran.load());
}

TEST_CASE("io_uring: a reactor constructed on one thread and run on another gets its wake-ups and I/O") {
    // io_uring completes a poll through task work of the thread that submitted it, and
    // cancels it when that thread exits: the poller re-arms everything from the thread that
    // now runs the loop, so no completion depends on the constructing thread (blocked in
    // join() here) entering the kernel.
    auto reactor = uring_reactor();
    if (!reactor) return;
    Pair pair;
    Recorder watcher;
    REQUIRE(reactor->add(pair.fd[0], kReadable, &watcher));
    CHECK_FALSE(reactor->run_once(0ms));  // armed by this thread
    std::atomic<int> posts{0};
    std::thread loop([&] {
        reactor->run_once(0ms);  // binds the loop to this thread
        Timer watchdog([&] { reactor->stop(); });
        reactor->arm(watchdog, 10s);
        reactor->run();
        reactor->cancel(watchdog);
    });
    std::this_thread::sleep_for(100ms);
    put(pair.fd[1], "x");
    reactor->post([&] { ++posts; });
    std::this_thread::sleep_for(100ms);
    reactor->stop_from_any_thread();
    loop.join();
    CHECK(posts.load() == 1);
    CHECK(watcher.seen.size() >= 1);
    reactor->run_once(0ms);  // back to this thread
    reactor->remove(pair.fd[0]);
}

TEST_CASE("io_uring: SIGTERM reaches watch_signals through the polled signalfd") {
    auto reactor = uring_reactor();
    if (!reactor) return;
    std::vector<int> caught;
    REQUIRE(reactor->watch_signals([&](int signo) { caught.push_back(signo); }));
    REQUIRE(std::raise(SIGTERM) == 0);
    for (int i = 0; i < 50 && caught.empty(); ++i) reactor->run_once(100ms);
    CHECK(caught == std::vector<int>{SIGTERM});
    REQUIRE(std::raise(SIGINT) == 0);
    for (int i = 0; i < 50 && caught.size() < 2; ++i) reactor->run_once(100ms);
    CHECK(caught == std::vector<int>{SIGTERM, SIGINT});
}

TEST_CASE("io_uring: more ready fds than one batch and than the submission queue, each reported once per iteration") {
    auto reactor = uring_reactor();
    if (!reactor) return;
    constexpr std::size_t kPairs = 600;  // 600 polls > 512 SQEs, > 256 CQEs per batch
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    rlimit raised = saved;
    raised.rlim_cur = raised.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &raised);
    if (raised.rlim_max < 2 * kPairs + 64) {
        MESSAGE("the hard RLIMIT_NOFILE is too low: case skipped");
        return;
    }
    {
        std::vector<std::unique_ptr<Pair>> pairs;
        std::vector<Recorder> watchers(kPairs);
        for (std::size_t i = 0; i < kPairs; ++i) {
            pairs.push_back(std::make_unique<Pair>());
            put(pairs[i]->fd[1], "r");
            REQUIRE(reactor->add(pairs[i]->fd[0], kReadable, &watchers[i]));
        }
        for (int i = 0; i < 20; ++i) reactor->run_once(0ms);
        std::size_t quiet = 0;
        for (const Recorder& w : watchers) {
            CHECK(w.seen.size() >= 3);  // level-triggered: reported again and again
            if (w.seen.empty()) ++quiet;
        }
        CHECK(quiet == 0);
        for (std::size_t i = 0; i < kPairs; ++i) reactor->remove(pairs[i]->fd[0]);
    }
    ::setrlimit(RLIMIT_NOFILE, &saved);
}

}  // TEST_SUITE
