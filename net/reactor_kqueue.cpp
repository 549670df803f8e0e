// The kqueue backend (macOS, FreeBSD): EVFILT_READ and EVFILT_WRITE per fd, merged back into
// one EventMask per fd per iteration; EVFILT_USER for post(); EVFILT_SIGNAL for SIGINT and
// SIGTERM. Written against the real <sys/event.h>; on Linux the tests build it against
// test/kqueue_emulation/. Each filter's udata carries the fd's generation, so an event
// fetched for an fd that was removed and reused in the same iteration is dropped.
#include "net/reactor.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <vector>

#include <fcntl.h>
#include <sys/event.h>
#include <sys/types.h>
#include <unistd.h>

namespace sluice::net {

namespace {
constexpr int kBatch = 256;
constexpr std::uintptr_t kWakeIdent = 1;

void* generation_tag(std::uint32_t generation) {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(generation));
}

struct kevent make_change(std::uintptr_t ident, short filter, unsigned short flags, unsigned int fflags, void* udata) {
    struct kevent change;
    EV_SET(&change, ident, filter, flags, fflags, 0, udata);
    return change;
}
}  // namespace

struct Reactor::Poller {
    int kq = -1;
    bool watching_signals = false;
    struct sigaction old_int {};
    struct sigaction old_term {};
    struct kevent events[kBatch];
    // Merging: one entry per fd per batch, found through the fd's stamp.
    struct Ready {
        int fd;
        std::uint32_t generation;
        EventMask events;
    };
    Ready ready[kBatch];
    std::vector<std::uint32_t> stamp;  // by fd: the batch that last saw it
    std::vector<std::uint16_t> index;  // by fd: its position in ready[] during that batch
    std::uint32_t batch = 0;
};

bool Reactor::backend_open() noexcept {
    ring_receives_ = false;  // io_uring only
    ring_sends_ = false;
    if (backend_kind_ != Backend::automatic && backend_kind_ != Backend::kqueue) return false;
    backend_kind_ = Backend::kqueue;
    backend_ = new Poller;
    backend_->kq = ::kqueue();
    if (backend_->kq >= 0) {
        ::fcntl(backend_->kq, F_SETFD, FD_CLOEXEC);
        const struct kevent wake = make_change(kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, 0, nullptr);
        if (::kevent(backend_->kq, &wake, 1, nullptr, 0, nullptr) == 0) return true;
    }
    backend_close();
    return false;
}

void Reactor::backend_close() noexcept {
    Poller* b = backend_;
    if (b->kq >= 0) {
        // Closing the queue drops every filter; deleting these first keeps the order explicit:
        // stop observing the signals, then give them back their old dispositions.
        struct kevent changes[3];
        int n = 0;
        changes[n++] = make_change(kWakeIdent, EVFILT_USER, EV_DELETE, 0, nullptr);
        if (b->watching_signals) {
            changes[n++] = make_change(static_cast<std::uintptr_t>(SIGINT), EVFILT_SIGNAL, EV_DELETE, 0, nullptr);
            changes[n++] = make_change(static_cast<std::uintptr_t>(SIGTERM), EVFILT_SIGNAL, EV_DELETE, 0, nullptr);
        }
        for (int i = 0; i < n; ++i) ::kevent(b->kq, &changes[i], 1, nullptr, 0, nullptr);
        ::close(b->kq);
    }
    if (b->watching_signals) {
        ::sigaction(SIGINT, &b->old_int, nullptr);
        ::sigaction(SIGTERM, &b->old_term, nullptr);
    }
    delete b;
    backend_ = nullptr;
}

bool Reactor::backend_update(int fd, EventMask before, EventMask after, std::uint32_t generation) noexcept {
    const auto ident = static_cast<std::uintptr_t>(fd);
    void* const tag = generation_tag(generation);
    struct kevent changes[2];
    int n = 0;
    // kqueue has one filter per direction: add or delete each one whose bit changed.
    if ((after & kReadable) != 0 && (before & kReadable) == 0) {
        changes[n++] = make_change(ident, EVFILT_READ, EV_ADD, 0, tag);
    } else if ((after & kReadable) == 0 && (before & kReadable) != 0) {
        changes[n++] = make_change(ident, EVFILT_READ, EV_DELETE, 0, tag);
    }
    if ((after & kWritable) != 0 && (before & kWritable) == 0) {
        changes[n++] = make_change(ident, EVFILT_WRITE, EV_ADD, 0, tag);
    } else if ((after & kWritable) == 0 && (before & kWritable) != 0) {
        changes[n++] = make_change(ident, EVFILT_WRITE, EV_DELETE, 0, tag);
    }
    if (n == 0) return true;
    if (::kevent(backend_->kq, changes, n, nullptr, 0, nullptr) == 0) return true;
    // The first change may have been applied before the second failed: undo the additions so
    // that the kernel holds nothing the reactor does not know about.
    const int saved = errno;
    for (int i = 0; i < n; ++i) {
        if ((changes[i].flags & EV_ADD) == 0) continue;
        const struct kevent undo = make_change(ident, changes[i].filter, EV_DELETE, 0, tag);
        ::kevent(backend_->kq, &undo, 1, nullptr, 0, nullptr);
    }
    errno = saved;
    return false;
}

int Reactor::backend_wait(int timeout_ms) noexcept {
    struct timespec timeout;
    struct timespec* wait = nullptr;
    if (timeout_ms >= 0) {
        timeout.tv_sec = static_cast<time_t>(timeout_ms / 1000);
        timeout.tv_nsec = static_cast<long>(timeout_ms % 1000) * 1'000'000L;
        wait = &timeout;
    }
    const int n = ::kevent(backend_->kq, nullptr, 0, backend_->events, kBatch, wait);
    return n < 0 ? 0 : n;  // EINTR or timeout
}

std::size_t Reactor::backend_dispatch(int n) noexcept {
    Poller* b = backend_;
    if (n <= 0) return 0;

    ++b->batch;
    std::size_t delivered = 0;
    int ready = 0;
    for (int i = 0; i < n; ++i) {
        const struct kevent& ev = b->events[i];
        if (ev.filter == EVFILT_USER) continue;  // a wake-up; EV_CLEAR re-arms it
        if (ev.filter == EVFILT_SIGNAL) {
            signal_caught(static_cast<int>(ev.ident));
            ++delivered;
            continue;
        }
        if ((ev.flags & EV_ERROR) != 0 || (ev.filter != EVFILT_READ && ev.filter != EVFILT_WRITE)) continue;
        EventMask events = ev.filter == EVFILT_READ ? kReadable : kWritable;
        if ((ev.flags & EV_EOF) != 0) events |= kHangup;
        if ((ev.flags & EV_EOF) != 0 && ev.fflags != 0) events |= kError;  // fflags: the socket error

        const auto fd = static_cast<std::size_t>(ev.ident);
        if (fd >= b->stamp.size()) {
            b->stamp.resize(fd + 1 + fd / 2, 0);
            b->index.resize(fd + 1 + fd / 2, 0);
        }
        if (b->stamp[fd] == b->batch) {
            b->ready[b->index[fd]].events |= events;
            continue;
        }
        b->stamp[fd] = b->batch;
        b->index[fd] = static_cast<std::uint16_t>(ready);
        b->ready[ready++] = {static_cast<int>(fd),
                             static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(ev.udata)), events};
    }
    for (int i = 0; i < ready; ++i) {
        const Poller::Ready& r = b->ready[i];
        if (deliver(r.fd, r.generation, r.events)) ++delivered;
    }
    return delivered;
}

void Reactor::backend_wake() noexcept {
    const struct kevent trigger = make_change(kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, nullptr);
    ::kevent(backend_->kq, &trigger, 1, nullptr, 0, nullptr);
}

bool Reactor::backend_watch_signals() noexcept {
    Poller* b = backend_;
    // EVFILT_SIGNAL observes a signal even when it is ignored, and ignoring it is what keeps
    // the default action (termination) from running.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (::sigaction(SIGINT, &ignore, &b->old_int) != 0) return false;
    if (::sigaction(SIGTERM, &ignore, &b->old_term) != 0) {
        ::sigaction(SIGINT, &b->old_int, nullptr);
        return false;
    }
    b->watching_signals = true;
    const struct kevent changes[2] = {
        make_change(static_cast<std::uintptr_t>(SIGINT), EVFILT_SIGNAL, EV_ADD, 0, nullptr),
        make_change(static_cast<std::uintptr_t>(SIGTERM), EVFILT_SIGNAL, EV_ADD, 0, nullptr),
    };
    return ::kevent(b->kq, changes, 2, nullptr, 0, nullptr) == 0;
}

// Ring sends are io_uring's: the watchers write themselves.
bool Reactor::send(int, const struct iovec*, int) noexcept { return false; }

bool Reactor::take_sent(int, std::int32_t&) noexcept { return false; }

}  // namespace sluice::net
