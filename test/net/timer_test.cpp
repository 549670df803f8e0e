#include "net/timer.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace sluice::net;
using namespace std::chrono_literals;

namespace {
const TimePoint t0{std::chrono::seconds(1000)};
}

TEST_SUITE("net") {

TEST_CASE("timers: a timer fires once its deadline is reached, not before") {
  TimerQueue queue;
  int fired = 0;
  Timer timer([&] { ++fired; });
  queue.arm(timer, t0, 10ms);
  CHECK(timer.armed());
  CHECK(queue.next_deadline() == t0 + 10ms);
  CHECK(queue.run_expired(t0 + 9ms) == 0);
  CHECK(fired == 0);
  CHECK(queue.run_expired(t0 + 10ms) == 1);
  CHECK(fired == 1);
  CHECK_FALSE(timer.armed());
  CHECK(queue.run_expired(t0 + 1h) == 0);
  CHECK(fired == 1);
}

TEST_CASE("timers: deadlines fire in order, ties in arming order") {
  TimerQueue queue;
  std::string order;
  Timer a([&] { order += 'a'; }), b([&] { order += 'b'; }), c([&] { order += 'c'; });
  Timer d([&] { order += 'd'; }), e([&] { order += 'e'; });
  queue.arm_at(c, t0 + 5ms);
  queue.arm_at(a, t0 + 5ms);
  queue.arm_at(e, t0 + 1ms);
  queue.arm_at(b, t0 + 5ms);
  queue.arm_at(d, t0 + 9ms);
  CHECK(queue.run_expired(t0 + 20ms) == 5);
  CHECK(order == "ecabd");
}

TEST_CASE("timers: the 32-bit arming order wraps: ties still fire in arming order, and a due timer armed before the wrap fires") {
  TimerQueue queue(0xFFFF'FFFEu);   // the next armings take 0xFFFFFFFE, 0xFFFFFFFF, 0, 1
  std::string order;
  Timer a([&] { order += 'a'; }), b([&] { order += 'b'; }), c([&] { order += 'c'; }), d([&] { order += 'd'; });
  queue.arm_at(a, t0 + 5ms);
  queue.arm_at(b, t0 + 5ms);
  queue.arm_at(c, t0 + 5ms);   // sequence 0: after a and b, not before
  queue.arm_at(d, t0 + 5ms);
  CHECK(queue.run_expired(t0 + 5ms) == 4);
  CHECK(order == "abcd");

  // A callback that re-arms a timer for now: it waits for the next call, across the wrap too.
  TimerQueue q2(0xFFFF'FFFFu);
  int fired = 0;
  Timer again([&] { ++fired; });
  Timer rearm([&] {
    ++fired;
    q2.arm_at(again, t0);   // sequence 0, armed during the call
  });
  q2.arm_at(rearm, t0);     // sequence 0xFFFFFFFF
  CHECK(q2.run_expired(t0) == 1);
  CHECK(fired == 1);
  CHECK(q2.run_expired(t0) == 1);
  CHECK(fired == 2);
}

TEST_CASE("timers: a re-armed timer moves and goes behind earlier ties") {
  TimerQueue queue;
  std::string order;
  Timer a([&] { order += 'a'; }), b([&] { order += 'b'; });
  queue.arm_at(a, t0 + 5ms);
  queue.arm_at(b, t0 + 5ms);
  queue.arm_at(a, t0 + 5ms);  // same deadline, newer sequence
  CHECK(queue.size() == 2);
  queue.run_expired(t0 + 5ms);
  CHECK(order == "ba");

  order.clear();
  queue.arm_at(a, t0 + 1ms);
  queue.arm_at(b, t0 + 2ms);
  queue.arm_at(a, t0 + 3ms);  // later
  CHECK(queue.next_deadline() == t0 + 2ms);
  queue.arm_at(a, t0);  // earlier again
  CHECK(queue.next_deadline() == t0);
  queue.run_expired(t0 + 3ms);
  CHECK(order == "ab");
}

TEST_CASE("timers: cancel removes from anywhere in the heap; destroying an armed timer cancels it") {
  TimerQueue queue;
  std::vector<int> fired;
  std::vector<std::unique_ptr<Timer>> timers;
  for (int i = 0; i < 100; ++i) {
    timers.push_back(std::make_unique<Timer>([&fired, i] { fired.push_back(i); }));
    queue.arm_at(*timers.back(), t0 + std::chrono::milliseconds((i * 37) % 100));
  }
  for (int i = 0; i < 100; i += 3) queue.cancel(*timers[static_cast<std::size_t>(i)]);
  for (int i = 1; i < 100; i += 3) timers[static_cast<std::size_t>(i)].reset();
  queue.cancel(*timers[0]);  // twice: a no-op
  CHECK(queue.size() == 33);
  CHECK(queue.run_expired(t0 + 1s) == 33);
  REQUIRE(fired.size() == 33);
  for (std::size_t i = 1; i < fired.size(); ++i) {
    CHECK((fired[i - 1] * 37) % 100 < (fired[i] * 37) % 100);
  }
  for (int i : fired) CHECK(i % 3 == 2);
}

TEST_CASE("timers: overflow is clamped to never, and a past or zero delay is due now") {
  TimerQueue queue;
  int fired = 0;
  Timer forever([&] { ++fired; }), past([&] { ++fired; }), zero([&] { ++fired; });
  queue.arm(forever, t0, Clock::duration::max());
  CHECK(forever.deadline() == TimePoint::max());
  CHECK(TimerQueue::deadline_after(TimePoint::max() - 1s, 2s) == TimePoint::max());
  CHECK(TimerQueue::deadline_after(t0, -5s) == t0);
  queue.arm(past, t0, -1h);
  queue.arm(zero, t0, 0ms);
  CHECK(queue.run_expired(t0) == 2);
  CHECK(fired == 2);
  CHECK(forever.armed());
  CHECK(queue.run_expired(TimePoint::max() - 1ns) == 0);
}

TEST_CASE("timers: a callback that re-arms itself for now fires on the next run, not in a loop") {
  TimerQueue queue;
  int fired = 0;
  Timer timer;
  timer.set_callback([&] {
    ++fired;
    queue.arm(timer, t0, 0ms);
  });
  queue.arm(timer, t0, 0ms);
  CHECK(queue.run_expired(t0) == 1);
  CHECK(timer.armed());
  CHECK(queue.run_expired(t0) == 1);
  CHECK(fired == 2);
}

TEST_CASE("timers: callbacks may cancel and destroy other timers, and destroy their own") {
  TimerQueue queue;
  std::string order;
  auto victim = std::make_unique<Timer>([&] { order += 'v'; });
  auto self = std::make_unique<Timer>();
  Timer killer([&] {
    order += 'k';
    victim.reset();
  });
  self->set_callback([&] {
    order += 's';
    self.reset();
  });
  queue.arm_at(killer, t0 + 1ms);
  queue.arm_at(*victim, t0 + 2ms);
  queue.arm_at(*self, t0 + 3ms);
  CHECK(queue.run_expired(t0 + 5ms) == 2);
  CHECK(order == "ks");
  CHECK(queue.empty());
}

TEST_CASE("timers: moving a timer between queues and destroying a queue disarms") {
  int fired = 0;
  Timer timer([&] { ++fired; });
  TimerQueue first;
  {
    TimerQueue second;
    first.arm_at(timer, t0);
    second.arm_at(timer, t0);
    CHECK(first.empty());
    CHECK(second.size() == 1);
  }
  CHECK_FALSE(timer.armed());
  CHECK(first.run_expired(t0) == 0);
  CHECK(fired == 0);
}

TEST_CASE("timers: a heap of 10,000 fires in (deadline, arming) order") {
  TimerQueue queue;
  std::vector<std::pair<long, int>> fired;
  std::vector<std::unique_ptr<Timer>> timers;
  std::uint32_t seed = 12345;
  for (int i = 0; i < 10000; ++i) {
    seed = seed * 1103515245u + 12345u;
    const long ms = static_cast<long>((seed >> 16) % 500);
    timers.push_back(std::make_unique<Timer>([&fired, ms, i] { fired.emplace_back(ms, i); }));
    queue.arm_at(*timers.back(), t0 + std::chrono::milliseconds(ms));
  }
  CHECK(queue.run_expired(t0 + 250ms) + queue.run_expired(t0 + 1s) == 10000);
  REQUIRE(fired.size() == 10000);
  for (std::size_t i = 1; i < fired.size(); ++i) CHECK(fired[i - 1] < fired[i]);
}

}  // TEST_SUITE
