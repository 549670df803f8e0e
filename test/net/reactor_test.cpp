#include "net/reactor.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/socket.hpp"
#include "test/support/reactor_fixtures.hpp"

using namespace sluice::net;
using namespace std::chrono_literals;
using sluice::test::Pair;
using sluice::test::put;
using sluice::test::Recorder;

namespace {




bool signal_blocked(int signo) {
  sigset_t current;
  pthread_sigmask(SIG_BLOCK, nullptr, &current);
  return sigismember(&current, signo) == 1;
}

}  // namespace

TEST_SUITE("net") {

TEST_CASE("reactor: constructs valid with a 256 KiB receive buffer and idles without work") {
  Reactor reactor;
  REQUIRE(reactor.valid());
  CHECK(reactor.receive_buffer().size() == 256 * 1024);
  CHECK_FALSE(reactor.run_once(0ms));
  CHECK(reactor.registered() == 0);
}

TEST_CASE("reactor: add, modify and remove drive read readiness") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  REQUIRE(reactor.add(pair.fd[0], 0, &watcher));  // registered, paused
  CHECK(reactor.registered() == 1);
  put(pair.fd[1], "ping");
  CHECK_FALSE(reactor.run_once(0ms));
  CHECK(watcher.seen.empty());

  REQUIRE(reactor.modify(pair.fd[0], kReadable, &watcher));
  CHECK(reactor.interest(pair.fd[0]) == kReadable);
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 1);
  CHECK(watcher.seen[0] == kReadable);

  // Level-triggered: unread bytes are reported again.
  CHECK(reactor.run_once(0ms));
  CHECK(watcher.seen.size() == 2);

  std::uint8_t buffer[16];
  CHECK(read_some(pair.fd[0], buffer).bytes == 4);
  CHECK_FALSE(reactor.run_once(0ms));
  CHECK(watcher.seen.size() == 2);

  reactor.remove(pair.fd[0]);
  CHECK(reactor.registered() == 0);
  put(pair.fd[1], "pong");
  CHECK_FALSE(reactor.run_once(0ms));
  CHECK(watcher.seen.size() == 2);
  CHECK(reactor.interest(pair.fd[0]) == 0);
}

TEST_CASE("reactor: registration errors are values") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  CHECK_FALSE(reactor.add(-1, kReadable, &watcher));
  CHECK_FALSE(reactor.add(pair.fd[0], kReadable, nullptr));
  CHECK_FALSE(reactor.modify(pair.fd[0], kReadable, &watcher));  // not registered
  REQUIRE(reactor.add(pair.fd[0], kReadable, &watcher));
  CHECK_FALSE(reactor.add(pair.fd[0], kReadable, &watcher));  // twice
  reactor.remove(pair.fd[0]);
  reactor.remove(pair.fd[0]);  // twice: a no-op

  int spare[2];
  REQUIRE(::pipe(spare) == 0);
  close_fd(spare[0]);
  close_fd(spare[1]);
  CHECK_FALSE(reactor.add(spare[0], kReadable, &watcher));  // a closed fd: the kernel refuses
  CHECK(reactor.registered() == 0);
}

TEST_CASE("reactor: write readiness follows the send buffer") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  REQUIRE(reactor.add(pair.fd[0], kWritable, &watcher));
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 1);
  CHECK(watcher.seen[0] == kWritable);

  std::vector<std::uint8_t> chunk(64 * 1024, 0x5a);
  std::size_t written = 0;
  for (;;) {
    const IoResult r = write_some(pair.fd[0], chunk);
    if (r.status == IoStatus::would_block) break;
    REQUIRE(r.status == IoStatus::ok);
    written += r.bytes;
  }
  CHECK(written > 0);
  watcher.seen.clear();
  CHECK_FALSE(reactor.run_once(0ms));
  CHECK(watcher.seen.empty());

  std::size_t drained = 0;
  while (drained < written) {
    const IoResult r = read_some(pair.fd[1], chunk);
    REQUIRE(r.status == IoStatus::ok);
    drained += r.bytes;
  }
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 1);
  CHECK(watcher.seen[0] == kWritable);
}

TEST_CASE("reactor: read and write readiness of one fd arrive as one mask") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  put(pair.fd[1], "x");
  REQUIRE(reactor.add(pair.fd[0], kReadable | kWritable, &watcher));
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 1);
  CHECK(watcher.seen[0] == (kReadable | kWritable));
  REQUIRE(reactor.modify(pair.fd[0], kWritable, &watcher));
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 2);
  CHECK(watcher.seen[1] == kWritable);
}

TEST_CASE("reactor: the peer's close is reported as a hang-up after the unread bytes") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  REQUIRE(reactor.add(pair.fd[0], kReadable, &watcher));
  put(pair.fd[1], "last words");
  pair.close_end(1);
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 1);
  CHECK((watcher.seen[0] & kReadable) != 0);
  CHECK((watcher.seen[0] & kHangup) != 0);
  std::uint8_t buffer[32];
  const IoResult data = read_some(pair.fd[0], buffer);
  CHECK(data.status == IoStatus::ok);
  CHECK(data.bytes == 10);
  CHECK(read_some(pair.fd[0], buffer).status == IoStatus::closed);
  reactor.remove(pair.fd[0]);
}

TEST_CASE("reactor: a half-close (shutdown of the peer's writing side) is a hang-up") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  REQUIRE(reactor.add(pair.fd[0], kReadable, &watcher));
  REQUIRE(shutdown_write(pair.fd[1]));
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 1);
  CHECK((watcher.seen[0] & kHangup) != 0);
  std::uint8_t buffer[4];
  CHECK(read_some(pair.fd[0], buffer).status == IoStatus::closed);
  // We can still write to the half-closed peer.
  put(pair.fd[0], "ok");
  CHECK(read_some(pair.fd[1], buffer).bytes == 2);
  reactor.remove(pair.fd[0]);
}

TEST_CASE("reactor: a paused fd (interest 0) reports nothing, not even a hang-up") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  REQUIRE(reactor.add(pair.fd[0], kReadable, &watcher));
  REQUIRE(reactor.modify(pair.fd[0], 0, &watcher));
  pair.close_end(1);
  CHECK_FALSE(reactor.run_once(0ms));
  CHECK(watcher.seen.empty());
  REQUIRE(reactor.modify(pair.fd[0], kReadable, &watcher));
  CHECK(reactor.run_once(0ms));
  CHECK(watcher.seen.size() == 1);
  reactor.remove(pair.fd[0]);
}

TEST_CASE("reactor: events fetched for an fd removed (and its number reused) in the same iteration are dropped") {
  Reactor reactor;
  Pair a, b;
  Recorder first, second, newcomer;
  Pair* replacement = nullptr;
  int calls = 0;
  // Whichever of the two runs first removes and closes the other's fd, then registers a
  // fresh socket that very likely gets the same number: it must not inherit the event.
  auto kill_other = [&](Pair& other) {
    ++calls;
    if (replacement != nullptr) return;
    reactor.remove(other.fd[0]);
    other.close_end(0);
    replacement = new Pair;
    REQUIRE(reactor.add(replacement->fd[0], kReadable | kWritable, &newcomer));
  };
  first.hook = [&](EventMask) { kill_other(b); };
  second.hook = [&](EventMask) { kill_other(a); };
  put(a.fd[1], "a");
  put(b.fd[1], "b");
  REQUIRE(reactor.add(a.fd[0], kReadable, &first));
  REQUIRE(reactor.add(b.fd[0], kReadable, &second));
  CHECK(reactor.run_once(0ms));
  CHECK(calls == 1);
  CHECK(newcomer.seen.empty());
  CHECK(reactor.run_once(0ms));
  CHECK(newcomer.seen.size() == 1);  // its own (writable) event, from the next iteration
  REQUIRE(replacement != nullptr);
  reactor.remove(replacement->fd[0]);
  if (a.fd[0] >= 0) reactor.remove(a.fd[0]);
  if (b.fd[0] >= 0) reactor.remove(b.fd[0]);
  delete replacement;
}

// The per-fd slot is 8 bytes: its generation is 16 bits and wraps. An fd removed and added
// again past the wrap still gets its events, and only while registered.
TEST_CASE("reactor: an fd's generation wraps at 16 bits and its registration still delivers") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  int added = 0;
  for (int i = 0; i < 65536 + 3; ++i) {
    if (reactor.add(pair.fd[0], kReadable, &watcher)) ++added;
    reactor.remove(pair.fd[0]);
  }
  CHECK(added == 65536 + 3);
  put(pair.fd[1], "x");
  CHECK_FALSE(reactor.run_once(0ms));
  CHECK(watcher.seen.empty());
  REQUIRE(reactor.add(pair.fd[0], kReadable | kWritable, &watcher));
  CHECK(reactor.interest(pair.fd[0]) == (kReadable | kWritable));
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 1);
  CHECK(watcher.seen[0] == (kReadable | kWritable));
  reactor.remove(pair.fd[0]);
  CHECK(reactor.registered() == 0);
}

TEST_CASE("reactor: a watcher may remove itself and register others inside on_events") {
  Reactor reactor;
  Pair pair;
  Recorder watcher;
  watcher.hook = [&](EventMask) {
    reactor.remove(pair.fd[0]);
    REQUIRE(reactor.add(pair.fd[1], kWritable, &watcher));
  };
  put(pair.fd[1], "z");
  REQUIRE(reactor.add(pair.fd[0], kReadable, &watcher));
  CHECK(reactor.run_once(0ms));
  watcher.hook = nullptr;
  CHECK(reactor.run_once(0ms));
  REQUIRE(watcher.seen.size() == 2);
  CHECK(watcher.seen[1] == kWritable);
  reactor.remove(pair.fd[1]);
}

TEST_CASE("reactor: a handler sees now() from after the wait, never from before the sleep") {
  // The clock is read when the wait returns, before any event is handled: a deadline that a
  // handler arms counts from when its event arrived (a stale now() made every deadline armed
  // after a long sleep early by the length of the sleep).
  Reactor r;
  Pair p;
  Recorder rec;
  TimePoint seen{};
  rec.hook = [&](EventMask) { seen = r.now(); };
  REQUIRE(r.add(p.fd[0], kReadable, &rec));
  std::atomic<std::int64_t> written_at{0};
  std::thread writer([&] {
    std::this_thread::sleep_for(200ms);   // the loop is asleep in its wait meanwhile
    written_at = Clock::now().time_since_epoch().count();
    put(p.fd[1], "x");
  });
  REQUIRE(r.run_once(5000ms));
  writer.join();
  REQUIRE(rec.seen.size() == 1);
  CHECK(seen.time_since_epoch().count() >= written_at.load());
  r.remove(p.fd[0]);
}

TEST_CASE("reactor: timers fire from the loop; run_once sleeps until the next one") {
  Reactor reactor;
  std::vector<int> fired;
  Timer soon([&] { fired.push_back(1); });
  Timer later([&] { fired.push_back(2); });
  Timer cancelled([&] { fired.push_back(3); });
  reactor.arm(later, 20ms);
  reactor.arm(soon, 0ms);
  reactor.arm(cancelled, 1ms);
  reactor.cancel(cancelled);
  CHECK(reactor.run_once(0ms));
  CHECK(fired == std::vector<int>{1});
  // No I/O is registered: a blocking iteration can only end with the timer.
  for (int i = 0; i < 1000 && fired.size() < 2; ++i) reactor.run_once(-1ms);
  CHECK(fired == std::vector<int>{1, 2});
  CHECK(reactor.now() >= later.deadline());
  CHECK_FALSE(cancelled.armed());
}

TEST_CASE("reactor: arm_at in the past fires on the next iteration") {
  Reactor reactor;
  int fired = 0;
  Timer timer([&] { ++fired; });
  reactor.arm_at(timer, reactor.now() - 1s);
  CHECK(reactor.run_once(-1ms));
  CHECK(fired == 1);
}

TEST_CASE("reactor: post from another thread wakes a blocked loop, in order") {
  Reactor reactor;
  std::vector<int> ran;
  bool timed_out = false;
  Timer watchdog([&] {
    timed_out = true;
    reactor.stop();
  });
  reactor.arm(watchdog, 30s);
  std::thread poster([&] {
    for (int i = 0; i < 1000; ++i) reactor.post([&ran, i] { ran.push_back(i); });
    reactor.stop_from_any_thread();
  });
  reactor.run();
  poster.join();
  CHECK_FALSE(timed_out);
  REQUIRE(ran.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(ran[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("reactor: stop() before run() makes run() return at once; work posted from the loop runs next iteration") {
  Reactor reactor;
  int ran = 0;
  reactor.post([&] {
    ++ran;
    reactor.post([&] { ++ran; });
  });
  CHECK(reactor.run_once(0ms));
  CHECK(ran == 1);
  CHECK(reactor.run_once(-1ms));  // woken by the nested post
  CHECK(ran == 2);
  reactor.stop();
  reactor.run();
  CHECK(ran == 2);
}

TEST_CASE("reactor: SIGTERM and SIGINT raised in the loop thread reach watch_signals, then the mask is restored") {
  const bool term_was_blocked = signal_blocked(SIGTERM);
  struct sigaction before_term {};
  sigaction(SIGTERM, nullptr, &before_term);
  {
    Reactor reactor;
    std::vector<int> caught;
    REQUIRE(reactor.watch_signals([&](int signo) { caught.push_back(signo); }));
    REQUIRE(std::raise(SIGTERM) == 0);
    while (caught.empty()) CHECK(reactor.run_once(5s));
    CHECK(caught == std::vector<int>{SIGTERM});
    REQUIRE(std::raise(SIGINT) == 0);
    while (caught.size() < 2) CHECK(reactor.run_once(5s));
    CHECK(caught == std::vector<int>{SIGTERM, SIGINT});
    // Caught but never delivered: the destructor must discard it, not die from it.
    REQUIRE(std::raise(SIGTERM) == 0);
  }
  CHECK(signal_blocked(SIGTERM) == term_was_blocked);
  struct sigaction after_term {};
  sigaction(SIGTERM, nullptr, &after_term);
  CHECK((after_term.sa_handler == before_term.sa_handler));
}

TEST_CASE("reactor: kill(getpid(), SIGTERM) in a child process reaches the loop instead of killing it") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    Reactor reactor;
    int caught = 0;
    if (!reactor.watch_signals([&](int signo) { caught = signo; })) ::_exit(2);
    ::kill(::getpid(), SIGTERM);
    for (int i = 0; i < 100 && caught == 0; ++i) reactor.run_once(100ms);
    ::_exit(caught == SIGTERM ? 0 : 3);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK_FALSE(WIFSIGNALED(status));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // TEST_SUITE
