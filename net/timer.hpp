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
// they were (re-)armed. The sequence is 32 bits, compared as a serial number (it wraps
// after 2^32 armings): the order of two ties armed more than 2^31 armings apart is either. Deadlines are clamped, never overflowed: `after` too large for the
// clock means "never" (TimePoint::max()), and a deadline in the past fires on the next run.
//
// Not thread-safe: a queue and its timers belong to one loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::net {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

class TimerQueue;

// Intrusive timer node owned by its user (e.g. a connection); destroying it cancels it.
// Owns its callback; does not own the queue it is armed in. Neither copyable nor movable
// (the queue holds its address).
//
// The callback is kept in 16 bytes, not a std::function's 32 (every idle connection has a
// Timer): a callable of one pointer that is trivially copyable -- a lambda capturing only
// `this` -- is kept in place; a larger one in its own block (user timers, tests).
class Timer {
 public:
    Timer() noexcept = default;
    template <class F>
    explicit Timer(F&& on_fire) { set_callback(std::forward<F>(on_fire)); }
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Replaces the callback (an empty std::function: none). Allowed while armed; the new
    // callback is the one that fires. Allocates only for a callable larger than a pointer.
    template <class F>
    void set_callback(F&& on_fire);
    bool armed() const noexcept { return queue_ != nullptr; }
    // The deadline of the last arming (meaningful while armed()).
    TimePoint deadline() const noexcept { return deadline_; }

 private:
    friend class TimerQueue;
    static constexpr std::uint32_t kNotQueued = static_cast<std::uint32_t>(-1);
    // Calls (destroy false) or destroys (true) the callable in callable_; null: none.
    using Operation = void (*)(Timer&, bool destroy);

    void drop_callback() noexcept {
        if (operation_ != nullptr) std::exchange(operation_, nullptr)(*this, true);
    }

    Operation operation_ = nullptr;
    alignas(void*) unsigned char callable_[sizeof(void*)];   // the callable, or a pointer to its block
    TimePoint deadline_{};
    // 32 bits each, packed in one word: every idle connection has a Timer (40 B, not 48).
    std::uint32_t sequence_ = 0;        // arming order (a serial number), breaks deadline ties
    std::uint32_t index_ = kNotQueued;  // position in TimerQueue::heap_ (fewer than 2^32 armed)
    TimerQueue* queue_ = nullptr;     // the queue it is armed in, or null
};

template <class F>
void Timer::set_callback(F&& on_fire) {
    using Fn = std::decay_t<F>;
    drop_callback();
    if constexpr (std::is_same_v<Fn, std::function<void()>>) {
        if (!on_fire) return;
    }
    if constexpr (sizeof(Fn) <= sizeof(callable_) && alignof(Fn) <= alignof(void*) &&
                  std::is_trivially_copyable_v<Fn>) {
        ::new (static_cast<void*>(callable_)) Fn(std::forward<F>(on_fire));
        operation_ = [](Timer& t, bool destroy) {
            // Trivially destructible: nothing to destroy. The call may destroy `t`.
            if (!destroy) (*std::launder(reinterpret_cast<Fn*>(t.callable_)))();
        };
    } else {
        Fn* const block = new Fn(std::forward<F>(on_fire));
        std::memcpy(callable_, &block, sizeof block);
        operation_ = [](Timer& t, bool destroy) {
            Fn* fn = nullptr;
            std::memcpy(&fn, t.callable_, sizeof fn);
            if (destroy) {
                delete fn;
            } else {
                (*fn)();   // may destroy `t` (and with it fn): nothing is touched after
            }
        };
    }
}

// A binary min-heap of armed timers, driven by explicit time points so that tests inject
// the clock. Owns its index array; does not own the timers (they unlink themselves when
// destroyed). The reactor owns one and feeds it its cached now().
class TimerQueue {
 public:
    TimerQueue() noexcept = default;
    // Starts the arming order at `first_sequence` (tests: near the 32-bit wrap).
    explicit TimerQueue(std::uint32_t first_sequence) noexcept : next_sequence_(first_sequence) {}
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
    std::uint32_t next_sequence_ = 0;   // wraps
};

}  // namespace sluice::net
