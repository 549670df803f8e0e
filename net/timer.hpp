// Timers: an intrusive node (Timer) and the min-heap that orders them (TimerQueue).
//
// A connection owns a few Timer members (idle, handshake, close); the reactor's TimerQueue
// only points at them. Arm, re-arm and cancel are O(log n); finding the next deadline is
// O(1); a loop iteration costs nothing per armed timer that has not expired.
//
//   heap_ (std::vector<Timer*>)      each Timer remembers its index in heap_, so cancel
//   [0] earliest (deadline, seq)     and re-arm find it without a search.
//   [1] [2] ...
//
// Ordering is (deadline, sequence): two timers with the same deadline fire in the order
// they were (re-)armed. Deadlines are clamped, never overflowed: `after` too large for the
// clock means "never" (TimePoint::max()), and a deadline in the past fires on the next run.
//
// Not thread-safe: a queue and its timers belong to one loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sluice::net {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

class TimerQueue;

// Intrusive timer node owned by its user (e.g. a connection); destroying it cancels it.
// Owns its callback; does not own the queue it is armed in. Neither copyable nor movable
// (the queue holds its address).
class Timer {
 public:
    Timer() noexcept = default;
    explicit Timer(std::function<void()> on_fire) noexcept : on_fire_(std::move(on_fire)) {}
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Replaces the callback. Allowed while armed; the new callback is the one that fires.
    void set_callback(std::function<void()> on_fire) noexcept { on_fire_ = std::move(on_fire); }
    bool armed() const noexcept { return queue_ != nullptr; }
    // The deadline of the last arming (meaningful while armed()).
    TimePoint deadline() const noexcept { return deadline_; }

 private:
    friend class TimerQueue;
    static constexpr std::size_t kNotQueued = static_cast<std::size_t>(-1);

    std::function<void()> on_fire_;
    TimePoint deadline_{};
    std::uint64_t sequence_ = 0;      // arming order, breaks deadline ties
    std::size_t index_ = kNotQueued;  // position in TimerQueue::heap_
    TimerQueue* queue_ = nullptr;     // the queue it is armed in, or null
};

// A binary min-heap of armed timers, driven by explicit time points so that tests inject
// the clock. Owns its index array; does not own the timers (they unlink themselves when
// destroyed). The reactor owns one and feeds it its cached now().
class TimerQueue {
 public:
    TimerQueue() noexcept = default;
    ~TimerQueue();  // disarms every timer still queued
    TimerQueue(const TimerQueue&) = delete;
    TimerQueue& operator=(const TimerQueue&) = delete;

    // Arms `timer` to fire at `deadline`, moving it if it is already armed (here or in another
    // queue). A re-armed timer takes a new sequence number: it fires after timers armed
    // earlier for the same deadline. O(log n). Growing the index array may allocate.
    void arm_at(Timer& timer, TimePoint deadline) noexcept;
    // Arms relative to `now`; `after` <= 0 means "due now"; past the clock's range, "never".
    void arm(Timer& timer, TimePoint now, Clock::duration after) noexcept;
    // Disarms; a no-op when the timer is not armed here. O(log n).
    void cancel(Timer& timer) noexcept;

    // Fires, in (deadline, sequence) order, every timer due at `now` that was armed before
    // this call began; a callback that re-arms its own timer for `now` (or earlier) fires on
    // the next call, not in a loop. Callbacks may arm, cancel and destroy any timer, their
    // own included (touching none of their captures after destroying it). Returns the count.
    std::size_t run_expired(TimePoint now) noexcept;

    // The earliest deadline, or TimePoint::max() when nothing is armed. O(1).
    TimePoint next_deadline() const noexcept;
    std::size_t size() const noexcept { return heap_.size(); }
    bool empty() const noexcept { return heap_.empty(); }

    // Clamped deadline arithmetic, shared with the reactor: now + after without overflow.
    static TimePoint deadline_after(TimePoint now, Clock::duration after) noexcept;

 private:
    static bool before(const Timer* a, const Timer* b) noexcept;
    void place(std::size_t index, Timer* timer) noexcept;
    void sift_up(std::size_t index) noexcept;
    void sift_down(std::size_t index) noexcept;

    std::vector<Timer*> heap_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace sluice::net
