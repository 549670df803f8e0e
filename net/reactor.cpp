// The backend-independent half of the reactor: the fd table, the loop, timers and posts.
#include "net/reactor.hpp"

#include <atomic>
#include <cassert>
#include <climits>
#include <cstdlib>
#include <utility>

#include <sys/resource.h>

namespace sluice::net {

namespace {
std::atomic<Backend> default_backend_choice{Backend::automatic};
std::atomic<bool> ring_sends_allowed{true};
}  // namespace

const char* backend_name(Backend backend) noexcept {
    switch (backend) {
        case Backend::automatic: return "automatic";
        case Backend::epoll: return "epoll";
        case Backend::io_uring: return "io_uring";
        case Backend::kqueue: return "kqueue";
    }
    return "unknown";
}

bool backend_from_name(std::string_view name, Backend& backend) noexcept {
    for (const Backend b : {Backend::automatic, Backend::epoll, Backend::io_uring, Backend::kqueue}) {
        if (name == backend_name(b)) {
            backend = b;
            return true;
        }
    }
    return false;
}

void Reactor::set_default_backend(Backend backend) noexcept { default_backend_choice.store(backend); }

Backend Reactor::default_backend() noexcept { return default_backend_choice.load(); }

void Reactor::set_ring_sends_allowed(bool allowed) noexcept { ring_sends_allowed.store(allowed); }
#if defined(__x86_64__) && !defined(SLUICE_PLAIN_REACTOR_SLOT)
static_assert((kReadable | kWritable) == 3, "Reactor::Slot keeps the interest in an address's two low bits");

IoWatcher* Reactor::Slot::watcher() const noexcept {
    return reinterpret_cast<IoWatcher*>(static_cast<std::uintptr_t>(bits_ & 0x0000'FFFF'FFFF'FFFCull));
}
EventMask Reactor::Slot::interest() const noexcept { return static_cast<EventMask>(bits_ & kInterestBits); }
std::uint32_t Reactor::Slot::generation() const noexcept { return static_cast<std::uint32_t>(bits_ >> 48); }

void Reactor::Slot::set(IoWatcher* watcher, EventMask interest, std::uint32_t generation) noexcept {
    const auto address = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(watcher));
    if ((address & ~0x0000'FFFF'FFFF'FFFCull) != 0) std::abort();   // not pointer-aligned, or above 48 bits
    bits_ = address | (interest & kInterestBits) | (static_cast<std::uint64_t>(generation & 0xFFFFu) << 48);
}
#else
IoWatcher* Reactor::Slot::watcher() const noexcept { return watcher_; }
EventMask Reactor::Slot::interest() const noexcept { return interest_; }
std::uint32_t Reactor::Slot::generation() const noexcept { return generation_; }

void Reactor::Slot::set(IoWatcher* watcher, EventMask interest, std::uint32_t generation) noexcept {
    watcher_ = watcher;
    interest_ = static_cast<std::uint8_t>(interest & (kReadable | kWritable));
    generation_ = static_cast<std::uint16_t>(generation & 0xFFFFu);
}
#endif

Reactor::Reactor() noexcept : Reactor(Options{}) {}

Reactor::Reactor(const Options& options) noexcept
    : backend_kind_(options.backend == Backend::automatic ? default_backend() : options.backend),
      ring_receives_(options.ring_receives),
      ring_sends_(options.ring_sends && ring_sends_allowed.load()),
      now_(Clock::now()),
      loop_thread_(std::this_thread::get_id()),
      receive_buffer_(new std::uint8_t[kReceiveBufferSize]) {
    if (!backend_open()) backend_ = nullptr;
    // The fd table reserved up to the descriptor limit (at most 1 Mi fds, 8 MiB of address
    // space): its pages are touched only as fds are used, and it never grows by copying (a
    // grown vector's old buffers stayed in the heap: resident memory no connection used).
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        constexpr rlim_t kMaxReserved = rlim_t{1} << 20;
        slots_.reserve(static_cast<std::size_t>(limit.rlim_cur < kMaxReserved ? limit.rlim_cur : kMaxReserved));
    }
}

Reactor::~Reactor() {
    if (backend_ != nullptr) backend_close();
}

void Reactor::assert_loop_thread() const noexcept {
    assert(std::this_thread::get_id() == loop_thread_ && "sluice::net::Reactor used off its loop thread");
}

bool Reactor::add(int fd, EventMask interest, IoWatcher* watcher) noexcept {
    assert_loop_thread();
    if (backend_ == nullptr || fd < 0 || watcher == nullptr) return false;
    const auto index = static_cast<std::size_t>(fd);
    if (index >= slots_.size()) slots_.resize(index < slots_.capacity() ? index + 1 : index + 1 + index / 2);
    Slot& slot = slots_[index];
    if (slot.watcher() != nullptr) return false;
    interest &= kReadable | kWritable;
    if (!backend_update(fd, 0, interest, slot.generation())) return false;
    slot.set(watcher, interest, slot.generation());
    ++registered_;
    return true;
}

bool Reactor::modify(int fd, EventMask interest, IoWatcher* watcher) noexcept {
    assert_loop_thread();
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots_.size() || watcher == nullptr) return false;
    Slot& slot = slots_[static_cast<std::size_t>(fd)];
    if (slot.watcher() == nullptr) return false;
    interest &= kReadable | kWritable;
    if (interest != slot.interest() && !backend_update(fd, slot.interest(), interest, slot.generation())) return false;
    slot.set(watcher, interest, slot.generation());
    return true;
}

void Reactor::remove(int fd) noexcept {
    assert_loop_thread();
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots_.size()) return;
    Slot& slot = slots_[static_cast<std::size_t>(fd)];
    if (slot.watcher() == nullptr) return;
    // The next generation tells the backend that this is a removal, not a pause (io_uring
    // drops what it received for the fd); epoll and kqueue ignore it on the way out.
    const std::uint32_t next = slot.next_generation();
    backend_update(fd, slot.interest(), 0, next);
    slot.set(nullptr, 0, next);
    --registered_;
}

EventMask Reactor::interest(int fd) const noexcept {
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots_.size()) return 0;
    return slots_[static_cast<std::size_t>(fd)].interest();
}

bool Reactor::deliver(int fd, std::uint32_t generation, EventMask events) noexcept {
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots_.size()) return false;
    const Slot slot = slots_[static_cast<std::size_t>(fd)];
    if (slot.watcher() == nullptr || slot.generation() != generation || slot.interest() == 0) return false;
    events &= slot.interest() | kHangup | kError;
    if (events == 0) return false;
    slot.watcher()->on_events(events);
    return true;
}

void Reactor::run() noexcept {
    if (!running_) loop_thread_ = std::this_thread::get_id();  // the thread that runs the loop owns it
    assert_loop_thread();
    while (!stop_requested_) run_once(std::chrono::milliseconds(-1));
    stop_requested_ = false;
}

bool Reactor::run_once(std::chrono::milliseconds max_wait) noexcept {
    if (!running_) loop_thread_ = std::this_thread::get_id();
    assert_loop_thread();
    if (backend_ == nullptr) return false;
    running_ = true;
    now_ = Clock::now();

    // Sleep until the next timer (rounded up, so the loop never wakes early and spins),
    // but no longer than max_wait.
    long long wait_ms = max_wait.count() < 0 ? -1 : max_wait.count();
    const TimePoint next = timers_.next_deadline();
    if (next != TimePoint::max()) {
        const auto until = next <= now_ ? Clock::duration::zero() : next - now_;
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until).count();
        if (wait_ms < 0 || ms < wait_ms) wait_ms = ms;
    }
    if (wait_ms > INT_MAX) wait_ms = INT_MAX;

    const int ready = backend_wait(static_cast<int>(wait_ms));
    now_ = Clock::now();  // before any handler runs: a deadline armed now counts from here
    std::size_t work = backend_dispatch(ready);
    now_ = Clock::now();
    work += timers_.run_expired(now_);
    work += run_posted();
    running_ = false;
    return work != 0;
}

void Reactor::stop() noexcept {
    assert_loop_thread();
    stop_requested_ = true;
}

void Reactor::arm(Timer& t, Clock::duration after) noexcept {
    assert_loop_thread();
    timers_.arm(t, now_, after);
}

void Reactor::arm_at(Timer& t, TimePoint deadline) noexcept {
    assert_loop_thread();
    timers_.arm_at(t, deadline);
}

void Reactor::cancel(Timer& t) noexcept {
    assert_loop_thread();
    timers_.cancel(t);
}

void Reactor::post(std::function<void()> fn) noexcept {
    bool wake = false;
    {
        std::lock_guard<std::mutex> lock(post_mutex_);
        posted_.push_back(std::move(fn));
        wake = !wake_pending_;
        wake_pending_ = true;
    }
    if (wake && backend_ != nullptr) backend_wake();
}

void Reactor::stop_from_any_thread() noexcept {
    post([this] { stop(); });
}

std::size_t Reactor::run_posted() noexcept {
    {
        std::lock_guard<std::mutex> lock(post_mutex_);
        if (posted_.empty()) return 0;
        running_posts_.swap(posted_);
        wake_pending_ = false;
    }
    // Work posted while these run lands in posted_ and wakes the next iteration.
    const std::size_t count = running_posts_.size();
    for (auto& fn : running_posts_) {
        if (fn) fn();
    }
    running_posts_.clear();
    return count;
}

bool Reactor::watch_signals(std::function<void(int signo)> on_signal) noexcept {
    assert_loop_thread();
    if (backend_ == nullptr) return false;
    const bool first = !on_signal_;
    on_signal_ = std::move(on_signal);
    return first ? backend_watch_signals() : true;
}

void Reactor::signal_caught(int signo) noexcept {
    if (on_signal_) on_signal_(signo);
}

}  // namespace sluice::net
