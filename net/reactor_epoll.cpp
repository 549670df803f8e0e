// The Linux backend: an eventfd for post(), a signalfd for SIGINT/SIGTERM, and one poller:
// level-triggered epoll (here), or io_uring (net/uring_poller.cpp) when the reactor asks for
// it or for automatic and the kernel allows it. Each epoll registration carries
// (generation << 32 | fd) in epoll_data so that an event fetched for an fd that was removed
// and reused in the same iteration is dropped; the io_uring poller reports the generation too.
#include "net/reactor.hpp"

#include <csignal>
#include <cstdint>
#include <cerrno>
#include <memory>
#include <utility>

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "net/uring_poller.hpp"

namespace sluice::net {

namespace {
// Events taken per epoll_wait. 1,000 busy connections filled a batch of 256 on every call
// (callgrind: 301 calls for 77,111 events); 1,024 takes such a wake-up in one call.
constexpr int kBatch = 1024;
// Tags for the reactor's own descriptors: their low 32 bits are not a valid fd.
constexpr std::uint64_t kWakeTag = 0xFFFF'FFFF'FFFF'FFFFull;
constexpr std::uint64_t kSignalTag = 0xFFFF'FFFE'FFFF'FFFFull;

std::uint32_t to_epoll(EventMask interest) {
    std::uint32_t events = 0;
    if ((interest & kReadable) != 0) events |= EPOLLIN | EPOLLRDHUP;
    if ((interest & kWritable) != 0) events |= EPOLLOUT;
    return events;
}

EventMask from_epoll(std::uint32_t events) {
    EventMask mask = 0;
    if ((events & EPOLLIN) != 0) mask |= kReadable;
    if ((events & EPOLLOUT) != 0) mask |= kWritable;
    if ((events & (EPOLLRDHUP | EPOLLHUP)) != 0) mask |= kHangup;
    if ((events & EPOLLERR) != 0) mask |= kError;
    return mask;
}

void drain_wake(int wake_fd) {
    std::uint64_t count;
    while (::read(wake_fd, &count, sizeof count) > 0) {}
}

bool read_signal(int signal_fd, int& signo) {
    signalfd_siginfo info;
    if (::read(signal_fd, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return false;
    signo = static_cast<int>(info.ssi_signo);
    return true;
}
}  // namespace

struct Reactor::Poller {
    int epoll_fd = -1;
    int wake_fd = -1;
    int signal_fd = -1;
    sigset_t signals_added{};  // the signals this reactor blocked (and must unblock)
    epoll_event events[kBatch]{};
    std::unique_ptr<UringPoller> uring;  // set: io_uring polls instead of epoll_fd
};

bool Reactor::backend_open() noexcept {
    const Backend wanted = backend_kind_;
    if (wanted == Backend::kqueue) return false;
    backend_ = new Poller;
    backend_->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    // io_uring only when asked for by name: it measured slower than epoll on large messages
    // and in memory (net/README.md), so `automatic` means epoll here.
    if (backend_->wake_fd >= 0 && wanted == Backend::io_uring) {
        auto uring = std::make_unique<UringPoller>();
        if (uring->open(backend_->wake_fd, ring_receives_, ring_sends_)) {
            ring_receives_ = uring->receives();
            ring_sends_ = uring->sends();
            backend_->uring = std::move(uring);
            backend_kind_ = Backend::io_uring;
            return true;
        }
    }
    ring_receives_ = false;
    ring_sends_ = false;
    if (backend_->wake_fd >= 0 && wanted != Backend::io_uring) {
        backend_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeTag;
        if (backend_->epoll_fd >= 0 && ::epoll_ctl(backend_->epoll_fd, EPOLL_CTL_ADD, backend_->wake_fd, &ev) == 0) {
            backend_kind_ = Backend::epoll;
            return true;
        }
    }
    backend_close();
    return false;
}

void Reactor::backend_close() noexcept {
    Poller* b = backend_;
    b->uring.reset();  // closing the ring cancels its polls
    if (b->signal_fd >= 0) {
        // Discard what was caught but not delivered, so unblocking cannot kill the process.
        int signo;
        while (read_signal(b->signal_fd, signo)) {}
        ::close(b->signal_fd);
        ::pthread_sigmask(SIG_UNBLOCK, &b->signals_added, nullptr);
    }
    if (b->wake_fd >= 0) ::close(b->wake_fd);
    if (b->epoll_fd >= 0) ::close(b->epoll_fd);
    delete b;
    backend_ = nullptr;
}

bool Reactor::backend_update(int fd, EventMask before, EventMask after, std::uint32_t generation) noexcept {
    if (backend_->uring) return backend_->uring->update(fd, before, after, generation);
    epoll_event ev{};
    ev.events = to_epoll(after);
    ev.data.u64 = (static_cast<std::uint64_t>(generation) << 32) | static_cast<std::uint32_t>(fd);
    // Interest 0 is "not in the kernel set": epoll would otherwise still report HUP/ERR,
    // level-triggered, to a watcher that paused itself.
    int op = EPOLL_CTL_MOD;
    if (before == 0 && after == 0) return true;
    if (before == 0) op = EPOLL_CTL_ADD;
    if (after == 0) op = EPOLL_CTL_DEL;
    return ::epoll_ctl(backend_->epoll_fd, op, fd, &ev) == 0;
}

int Reactor::backend_wait(int timeout_ms) noexcept {
    if (backend_->uring) return backend_->uring->wait(timeout_ms);
    for (;;) {
        const int n = ::epoll_wait(backend_->epoll_fd, backend_->events, kBatch, timeout_ms);
        if (n >= 0 || errno != EINTR) return n < 0 ? 0 : n;
        // EINTR: a signal handler ran, or the kernel ran task work for this thread (closing an
        // io_uring ring interrupts the next blocking call of every thread that used it). Wait
        // again for what is left: run_once() reports idle only after its whole timeout.
        if (timeout_ms > 0) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(
                now_ + std::chrono::milliseconds(timeout_ms) - Clock::now());
            timeout_ms = left.count() > 0 ? static_cast<int>(left.count()) : 0;
        }
        if (timeout_ms == 0) return 0;
    }
}

std::size_t Reactor::backend_dispatch(int n) noexcept {
    Poller* b = backend_;
    std::size_t delivered = 0;
    int signo;
    if (b->uring) {
        for (const UringPoller::Ready& r : b->uring->ready(n)) {
            if (r.source == UringPoller::Source::wake) {
                drain_wake(b->wake_fd);
            } else if (r.source == UringPoller::Source::signal) {
                for (; read_signal(b->signal_fd, signo); ++delivered) signal_caught(signo);
            } else if (deliver(r.fd, r.generation, r.events)) {
                ++delivered;
            }
        }
        return delivered;
    }
    for (int i = 0; i < n; ++i) {
        const epoll_event& ev = b->events[i];
        if (ev.data.u64 == kWakeTag) {
            drain_wake(b->wake_fd);
            continue;
        }
        if (ev.data.u64 == kSignalTag) {
            for (; read_signal(b->signal_fd, signo); ++delivered) signal_caught(signo);
            continue;
        }
        const int fd = static_cast<int>(ev.data.u64 & 0xFFFF'FFFFu);
        const auto generation = static_cast<std::uint32_t>(ev.data.u64 >> 32);
        if (deliver(fd, generation, from_epoll(ev.events))) ++delivered;
    }
    return delivered;
}

bool Reactor::send(int fd, const struct iovec* iov, int count) noexcept {
    assert_loop_thread();
    return ring_sends_ && backend_->uring->send(fd, iov, count);
}

bool Reactor::take_sent(int fd, std::int32_t& result) noexcept {
    return ring_sends_ && backend_->uring->take_sent(fd, result);
}

void Reactor::backend_wake() noexcept {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is already non-zero: the loop is awake anyway.
    [[maybe_unused]] const ssize_t n = ::write(backend_->wake_fd, &one, sizeof one);
}

bool Reactor::backend_watch_signals() noexcept {
    Poller* b = backend_;
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGINT);
    sigaddset(&wanted, SIGTERM);
    sigset_t old;
    if (::pthread_sigmask(SIG_BLOCK, &wanted, &old) != 0) return false;
    sigemptyset(&b->signals_added);
    for (int signo : {SIGINT, SIGTERM}) {
        if (sigismember(&old, signo) == 0) sigaddset(&b->signals_added, signo);
    }
    b->signal_fd = ::signalfd(-1, &wanted, SFD_NONBLOCK | SFD_CLOEXEC);
    if (b->signal_fd < 0) {
        ::pthread_sigmask(SIG_UNBLOCK, &b->signals_added, nullptr);
        return false;
    }
    if (b->uring) {
        b->uring->watch_signals(b->signal_fd);
        return true;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kSignalTag;
    return ::epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->signal_fd, &ev) == 0;
}

}  // namespace sluice::net
