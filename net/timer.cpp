#include "net/timer.hpp"

#include <cstdlib>
#include <utility>

namespace sluice::net {

Timer::~Timer() {
    if (queue_ != nullptr) queue_->cancel(*this);
    drop_callback();
}

TimerQueue::~TimerQueue() {
    for (Timer* timer : heap_) {
        timer->queue_ = nullptr;
        timer->index_ = Timer::kNotQueued;
    }
}

TimePoint TimerQueue::deadline_after(TimePoint now, Clock::duration after) noexcept {
    if (after <= Clock::duration::zero()) return now;
    if (after > TimePoint::max() - now) return TimePoint::max();
    return now + after;
}

void TimerQueue::arm(Timer& timer, TimePoint now, Clock::duration after) noexcept {
    arm_at(timer, deadline_after(now, after));
}

void TimerQueue::arm_at(Timer& timer, TimePoint deadline) noexcept {
    if (timer.queue_ != nullptr && timer.queue_ != this) timer.queue_->cancel(timer);
    timer.deadline_ = deadline;
    timer.sequence_ = next_sequence_++;
    if (timer.queue_ == this) {
        // Re-arm in place: the key moved either way, so try both directions.
        sift_up(timer.index_);
        sift_down(timer.index_);
        return;
    }
    if (heap_.size() >= Timer::kNotQueued) std::abort();   // 2^32 - 1 timers armed: a 32-bit index no longer fits
    timer.queue_ = this;
    heap_.push_back(&timer);
    timer.index_ = static_cast<std::uint32_t>(heap_.size() - 1);
    sift_up(timer.index_);
}

void TimerQueue::cancel(Timer& timer) noexcept {
    if (timer.queue_ != this) return;
    const std::size_t index = timer.index_;
    Timer* last = heap_.back();
    heap_.pop_back();
    timer.queue_ = nullptr;
    timer.index_ = Timer::kNotQueued;
    if (last == &timer) return;
    place(index, last);
    sift_up(index);
    sift_down(last->index_);
}

std::size_t TimerQueue::run_expired(TimePoint now) noexcept {
    const std::uint32_t armed_before = next_sequence_;
    std::size_t fired = 0;
    while (!heap_.empty()) {
        Timer* top = heap_.front();
        // Armed during this call: its sequence is in [armed_before, next_sequence_), modulo
        // 2^32 (an older timer that lands there by wrapping fires on the next call).
        const bool armed_now =
            static_cast<std::uint32_t>(top->sequence_ - armed_before) <
            static_cast<std::uint32_t>(next_sequence_ - armed_before);
        if (top->deadline_ > now || armed_now) break;
        cancel(*top);
        ++fired;
        if (top->operation_ != nullptr) top->operation_(*top, false);
    }
    return fired;
}

TimePoint TimerQueue::next_deadline() const noexcept {
    return heap_.empty() ? TimePoint::max() : heap_.front()->deadline_;
}

bool TimerQueue::before(const Timer* a, const Timer* b) noexcept {
    if (a->deadline_ != b->deadline_) return a->deadline_ < b->deadline_;
    return static_cast<std::int32_t>(a->sequence_ - b->sequence_) < 0;   // serial order: wraps
}

void TimerQueue::place(std::size_t index, Timer* timer) noexcept {
    heap_[index] = timer;
    timer->index_ = static_cast<std::uint32_t>(index);
}

void TimerQueue::sift_up(std::size_t index) noexcept {
    Timer* moving = heap_[index];
    while (index > 0) {
        const std::size_t parent = (index - 1) / 2;
        if (!before(moving, heap_[parent])) break;
        place(index, heap_[parent]);
        index = parent;
    }
    place(index, moving);
}

void TimerQueue::sift_down(std::size_t index) noexcept {
    Timer* moving = heap_[index];
    const std::size_t count = heap_.size();
    for (;;) {
        std::size_t child = 2 * index + 1;
        if (child >= count) break;
        if (child + 1 < count && before(heap_[child + 1], heap_[child])) ++child;
        if (!before(heap_[child], moving)) break;
        place(index, heap_[child]);
        index = child;
    }
    place(index, moving);
}

}  // namespace sluice::net
