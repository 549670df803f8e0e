// UringPoller: one-shot polls re-armed after each event (see net/uring_poller.hpp for why).
#include "net/uring_poller.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>

#include <fcntl.h>
#include <poll.h>

namespace sluice::net {

namespace {
// The user_data of POLL_REMOVE requests: its low half is no valid fd, so it never matches a slot.
constexpr std::uint64_t kCancelTag = 0xFFFF'FFFFu;
// Sizes: the SQ holds one batch of re-arms with room to spare (a full SQ is submitted early,
// never lost); the CQ holds several batches, and FEAT_NODROP keeps any overflow in the kernel.
constexpr unsigned kSqEntries = 512;
constexpr unsigned kCqEntries = 4096;

std::uint64_t tag(int fd, std::uint32_t token) {
    return (static_cast<std::uint64_t>(token) << 32) | static_cast<std::uint32_t>(fd);
}

std::uint32_t to_poll(EventMask interest) {
    std::uint32_t events = 0;
    if ((interest & kReadable) != 0) events |= POLLIN | POLLRDHUP;
    if ((interest & kWritable) != 0) events |= POLLOUT;
    // The uapi header: poll32_events is "word-reversed for BE".
    if constexpr (std::endian::native == std::endian::big) events = (events << 16) | (events >> 16);
    return events;
}

EventMask from_poll(std::int32_t res) {
    const auto events = static_cast<std::uint32_t>(res);
    EventMask mask = 0;
    if ((events & POLLIN) != 0) mask |= kReadable;
    if ((events & POLLOUT) != 0) mask |= kWritable;
    if ((events & (POLLRDHUP | POLLHUP)) != 0) mask |= kHangup;
    if ((events & POLLERR) != 0) mask |= kError;
    return mask;
}
}  // namespace

bool UringPoller::open(int wake_fd) noexcept {
    close();
    // COOP_TASKRUN: completions wait for our next io_uring_enter instead of interrupting the
    // loop (we enter every iteration anyway); SUBMIT_ALL: one bad SQE does not hold back the
    // rest. Both are optional (5.19, 5.18): an older kernel refuses them with EINVAL.
    const bool opened =
        ring_.open(kSqEntries, kCqEntries, IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN) ||
        (errno == EINVAL && ring_.open(kSqEntries, kCqEntries, IORING_SETUP_CLAMP));
    if (!opened) return false;
    constexpr std::uint32_t kFeatures = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
    static constexpr std::uint8_t kOps[] = {IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE};
    if ((ring_.features() & kFeatures) != kFeatures || !ring_.supports(kOps)) {
        close();
        errno = EOPNOTSUPP;
        return false;
    }
    // Arm the wake-up poll now: a kernel without multishot polls (before 5.13) fails it at
    // submission, with a CQE that is already there when submit() returns.
    submitter_ = std::this_thread::get_id();
    watch_own(wake_fd, Source::wake);
    prepare();
    int error = ring_.submit();
    if (error == 0) {
        UringRing::Completion early[4];
        const std::size_t n = ring_.pop(early);
        for (std::size_t i = 0; i < n && error == 0; ++i) error = early[i].res < 0 ? early[i].res : 0;
    }
    if (error != 0) {
        close();
        errno = -error;
        return false;
    }
    return true;
}

void UringPoller::close() noexcept {
    ring_.close();  // the kernel cancels every request
    slots_.clear();
    rearm_.clear();
    cancels_.clear();
}

UringPoller::Slot& UringPoller::slot(int fd) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= slots_.size()) slots_.resize(index + 1 + index / 2);
    return slots_[index];
}

bool UringPoller::update(int fd, EventMask, EventMask after, std::uint32_t generation) noexcept {
    Slot& s = slot(fd);
    // epoll_ctl refuses a closed fd at once; a POLL_ADD would only fail in a later CQE. So
    // check once per registration (a pause and resume keep the generation: no system call).
    if (after != 0 && !(s.checked && s.generation == generation)) {
        if (::fcntl(fd, F_GETFD) < 0) return false;
        s.checked = true;
    }
    if (s.armed) cancel(fd, s);
    s.interest = after;
    s.generation = generation;
    if (after != 0) queue(fd);
    return true;
}

void UringPoller::watch_signals(int signal_fd) noexcept { watch_own(signal_fd, Source::signal); }

void UringPoller::watch_own(int fd, Source source) noexcept {
    Slot& s = slot(fd);
    s.source = source;
    s.multishot = true;
    s.interest = kReadable;
    queue(fd);
}

void UringPoller::queue(int fd) noexcept {
    Slot& s = slots_[static_cast<std::size_t>(fd)];
    if (s.queued) return;
    s.queued = true;
    rearm_.push_back(fd);
}

io_uring_sqe* UringPoller::sqe() noexcept {
    io_uring_sqe* entry = ring_.next_sqe();
    if (entry == nullptr && ring_.submit() == 0) entry = ring_.next_sqe();  // the SQ was full
    return entry;
}

void UringPoller::cancel(int fd, Slot& s) noexcept {
    s.armed = false;
    // A request never cancelled would hold its file open: retry at the next wait().
    if (!push_remove(tag(fd, s.token))) cancels_.push_back(tag(fd, s.token));
}

bool UringPoller::push_remove(std::uint64_t request) noexcept {
    io_uring_sqe* entry = sqe();
    if (entry == nullptr) return false;
    entry->opcode = IORING_OP_POLL_REMOVE;
    entry->fd = -1;
    entry->addr = request;
    entry->user_data = kCancelTag;
    return true;
}

void UringPoller::arm(int fd, Slot& s) noexcept {
    io_uring_sqe* entry = sqe();
    if (entry == nullptr) return;  // still queued: the next wait() tries again
    ++s.token;
    entry->opcode = IORING_OP_POLL_ADD;
    entry->fd = fd;
    entry->poll32_events = to_poll(s.interest);
    entry->len = s.multishot ? IORING_POLL_ADD_MULTI : 0;
    entry->user_data = tag(fd, s.token);
    s.armed = true;
}

void UringPoller::rearm_all() noexcept {
    submitter_ = std::this_thread::get_id();
    for (std::size_t fd = 0; fd < slots_.size(); ++fd) {
        Slot& s = slots_[fd];
        if (!s.armed) continue;
        cancel(static_cast<int>(fd), s);
        queue(static_cast<int>(fd));
    }
}

// Turns the queued cancels and (re-)arms into SQEs; what finds no SQE stays queued.
void UringPoller::prepare() noexcept {
    std::size_t kept = 0;
    for (const std::uint64_t request : cancels_) {
        if (!push_remove(request)) cancels_[kept++] = request;
    }
    cancels_.resize(kept);
    kept = 0;
    for (const int fd : rearm_) {
        Slot& s = slots_[static_cast<std::size_t>(fd)];
        if (s.interest != 0 && !s.armed) arm(fd, s);
        if (s.interest != 0 && !s.armed) {
            rearm_[kept++] = fd;  // no SQE to be had: stays queued
            continue;
        }
        s.queued = false;
    }
    rearm_.resize(kept);
}

int UringPoller::wait(int timeout_ms) noexcept {
    if (std::this_thread::get_id() != submitter_) rearm_all();
    prepare();
    // A timeout or a refused submission leaves us to collect whatever completed; the next
    // wait() retries what is still queued. EINTR (a signal handler ran) waits again for the
    // rest of the timeout, as the epoll path does.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    long long timeout_ns = timeout_ms < 0 ? -1 : static_cast<long long>(timeout_ms) * 1'000'000LL;
    while (ring_.wait(timeout_ns) == -EINTR && timeout_ns != 0) {
        if (timeout_ns < 0) continue;
        const auto left =
            std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now());
        timeout_ns = std::max<long long>(0, left.count());
    }
    return collect();
}

int UringPoller::collect() noexcept {
    const std::size_t n = ring_.pop(completions_);
    int count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const UringRing::Completion& c = completions_[i];
        const auto index = static_cast<std::size_t>(c.user_data & 0xFFFF'FFFFu);
        const auto token = static_cast<std::uint32_t>(c.user_data >> 32);
        if (c.user_data == kCancelTag || index >= slots_.size()) continue;
        Slot& s = slots_[index];
        if (!s.armed || token != s.token) continue;  // a cancelled or superseded request
        const int fd = static_cast<int>(index);
        if ((c.flags & IORING_CQE_F_MORE) == 0) {
            // The request is over (always, for a one-shot poll): arm a new one next time.
            s.armed = false;
            if (s.interest != 0) queue(fd);
        }
        // The kernel cancelled it (its submitting thread exited): re-armed above, no event.
        if (c.res == -ECANCELED) continue;
        const EventMask events = c.res < 0 ? kError : from_poll(c.res);
        if (events != 0) ready_[count++] = {s.source, fd, s.generation, events};
    }
    return count;
}

}  // namespace sluice::net
