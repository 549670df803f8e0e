// kqueue()/kevent() over epoll, for testing net/reactor_kqueue.cpp on Linux. See sys/event.h
// for what is and is not emulated. Each queue is an epoll fd plus, while such filters exist,
// an eventfd (EVFILT_USER) and a signalfd (EVFILT_SIGNAL). Thread-safe like the real thing:
// a NOTE_TRIGGER may come from any thread while another waits in kevent().
#include "sys/event.h"

#include <cerrno>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

// epoll_data tags for the queue's own descriptors; fds are stored as their (non-negative) value.
constexpr std::uint64_t kUserTag = 1ull << 62;
constexpr std::uint64_t kSignalTag = (1ull << 62) | 1;
constexpr int kMaxWait = 256;

struct FdFilter {
  bool present = false;
  bool enabled = false;
  void* udata = nullptr;
};
struct FdEntry {
  FdFilter read, write;
  bool in_epoll = false;
};
struct UserFilter {
  void* udata = nullptr;
  bool enabled = true;
  bool clear = false;
  bool triggered = false;
  unsigned int fflags = 0;
};
struct SignalFilter {
  void* udata = nullptr;
  bool enabled = true;
  bool we_blocked = false;
  std::intptr_t count = 0;
};

struct Queue {
  std::mutex mutex;
  int epoll_fd = -1;
  int event_fd = -1;   // while users is non-empty
  int signal_fd = -1;  // while signals is non-empty
  std::unordered_map<int, FdEntry> fds;
  std::map<std::uintptr_t, UserFilter> users;
  std::map<int, SignalFilter> signals;
};

std::mutex registry_mutex;
std::unordered_map<int, std::shared_ptr<Queue>> registry;  // by epoll fd (= the kqueue fd)

std::shared_ptr<Queue> find_queue(int kq) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  const auto it = registry.find(kq);
  return it == registry.end() ? nullptr : it->second;
}

int sync_epoll(Queue& q, int fd, FdEntry& entry) {
  std::uint32_t wanted = 0;
  if (entry.read.present && entry.read.enabled) wanted |= EPOLLIN | EPOLLRDHUP;
  if (entry.write.present && entry.write.enabled) wanted |= EPOLLOUT;
  epoll_event ev{};
  ev.events = wanted;
  ev.data.u64 = static_cast<std::uint64_t>(fd);
  int op;
  if (wanted == 0) {
    if (!entry.in_epoll) return 0;
    op = EPOLL_CTL_DEL;
  } else {
    op = entry.in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  }
  if (epoll_ctl(q.epoll_fd, op, fd, &ev) != 0) return errno;
  entry.in_epoll = wanted != 0;
  return 0;
}

int change_fd(Queue& q, const struct kevent& change) {
  const int fd = static_cast<int>(change.ident);
  if (fcntl(fd, F_GETFD) < 0) return EBADF;
  if ((change.flags & EV_CLEAR) != 0) return EINVAL;  // edge-triggered fds: not emulated
  FdEntry before = q.fds[fd];
  FdEntry& entry = q.fds[fd];
  FdFilter& filter = change.filter == EVFILT_READ ? entry.read : entry.write;
  if ((change.flags & EV_ADD) != 0) {
    filter.present = true;
    filter.enabled = true;
    filter.udata = change.udata;
  } else if (!filter.present) {
    if (!entry.read.present && !entry.write.present) q.fds.erase(fd);
    return ENOENT;
  }
  if ((change.flags & EV_ENABLE) != 0) filter.enabled = true;
  if ((change.flags & EV_DISABLE) != 0) filter.enabled = false;
  if ((change.flags & EV_DELETE) != 0) filter = FdFilter{};
  if (const int error = sync_epoll(q, fd, entry); error != 0) {
    entry = before;
    return error;
  }
  if (!entry.read.present && !entry.write.present) q.fds.erase(fd);
  return 0;
}

void wake_users(Queue& q) {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = write(q.event_fd, &one, sizeof one);
}

int change_user(Queue& q, const struct kevent& change) {
  auto it = q.users.find(change.ident);
  if ((change.flags & EV_ADD) != 0 && it == q.users.end()) {
    if (q.event_fd < 0) {
      q.event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (q.event_fd < 0) return errno;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kUserTag;
      if (epoll_ctl(q.epoll_fd, EPOLL_CTL_ADD, q.event_fd, &ev) != 0) {
        const int error = errno;
        close(q.event_fd);
        q.event_fd = -1;
        return error;
      }
    }
    it = q.users.emplace(change.ident, UserFilter{}).first;
  }
  if (it == q.users.end()) return ENOENT;
  UserFilter& user = it->second;
  if ((change.flags & EV_ADD) != 0) {
    user.udata = change.udata;
    user.clear = (change.flags & EV_CLEAR) != 0;
  }
  if ((change.flags & EV_ENABLE) != 0) user.enabled = true;
  if ((change.flags & EV_DISABLE) != 0) user.enabled = false;
  if ((change.flags & EV_DELETE) != 0) {
    q.users.erase(it);
    if (q.users.empty()) {
      close(q.event_fd);  // closing also removes it from the epoll set
      q.event_fd = -1;
    }
    return 0;
  }
  user.fflags = change.fflags & 0x00FFFFFFu;
  if ((change.fflags & NOTE_TRIGGER) != 0) {
    user.triggered = true;
    wake_users(q);
  }
  return 0;
}

int update_signal_fd(Queue& q) {
  sigset_t mask;
  sigemptyset(&mask);
  for (const auto& entry : q.signals) sigaddset(&mask, entry.first);
  if (q.signals.empty()) {
    if (q.signal_fd >= 0) close(q.signal_fd);
    q.signal_fd = -1;
    return 0;
  }
  if (q.signal_fd >= 0) return signalfd(q.signal_fd, &mask, 0) < 0 ? errno : 0;
  q.signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (q.signal_fd < 0) return errno;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kSignalTag;
  return epoll_ctl(q.epoll_fd, EPOLL_CTL_ADD, q.signal_fd, &ev) != 0 ? errno : 0;
}

int change_signal(Queue& q, const struct kevent& change) {
  const int signo = static_cast<int>(change.ident);
  if (signo <= 0 || signo >= NSIG) return EINVAL;
  auto it = q.signals.find(signo);
  if ((change.flags & EV_ADD) != 0 && it == q.signals.end()) {
    // Real kqueue observes a signal without blocking it; signalfd can only read it blocked.
    sigset_t one, old;
    sigemptyset(&one);
    sigaddset(&one, signo);
    pthread_sigmask(SIG_BLOCK, &one, &old);
    SignalFilter filter;
    filter.we_blocked = sigismember(&old, signo) == 0;
    it = q.signals.emplace(signo, filter).first;
    if (const int error = update_signal_fd(q); error != 0) return error;
  }
  if (it == q.signals.end()) return ENOENT;
  if ((change.flags & EV_ADD) != 0) it->second.udata = change.udata;
  if ((change.flags & EV_ENABLE) != 0) it->second.enabled = true;
  if ((change.flags & EV_DISABLE) != 0) it->second.enabled = false;
  if ((change.flags & EV_DELETE) != 0) {
    const bool unblock = it->second.we_blocked;
    q.signals.erase(it);
    const int error = update_signal_fd(q);
    if (unblock) {
      sigset_t one;
      sigemptyset(&one);
      sigaddset(&one, signo);
      pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
    }
    return error;
  }
  return 0;
}

int apply(Queue& q, const struct kevent& change) {
  constexpr unsigned kSupported = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_CLEAR | EV_RECEIPT;
  if ((change.flags & ~kSupported) != 0) return EINVAL;
  switch (change.filter) {
    case EVFILT_READ:
    case EVFILT_WRITE:
      return change_fd(q, change);
    case EVFILT_USER:
      return change_user(q, change);
    case EVFILT_SIGNAL:
      return change_signal(q, change);
    default:
      return EINVAL;
  }
}

struct Output {
  struct kevent* list;
  int capacity;
  int count = 0;
  bool full() const { return count >= capacity; }
  void push(std::uintptr_t ident, short filter, unsigned short flags, unsigned int fflags, std::intptr_t data,
            void* udata) {
    EV_SET(&list[count], ident, filter, flags, fflags, data, udata);
    ++count;
  }
};

// Turns what epoll reported into kevents, under the queue's lock.
void translate(Queue& q, const epoll_event* ready, int n, Output& out) {
  bool users = false;
  bool signals = false;
  for (int i = 0; i < n; ++i) {
    const epoll_event& ev = ready[i];
    if (ev.data.u64 == kUserTag) {
      users = true;
      continue;
    }
    if (ev.data.u64 == kSignalTag) {
      signals = true;
      continue;
    }
    const int fd = static_cast<int>(ev.data.u64);
    const auto it = q.fds.find(fd);
    if (it == q.fds.end()) continue;
    const FdEntry& entry = it->second;
    // The emulation does not read SO_ERROR (that would clear it); EIO stands for "pending".
    const unsigned int error = (ev.events & EPOLLERR) != 0 ? EIO : 0;
    if (entry.read.present && entry.read.enabled && !out.full() &&
        (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
      const bool eof = (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
      out.push(static_cast<std::uintptr_t>(fd), EVFILT_READ, eof ? EV_EOF : 0, eof ? error : 0, 0, entry.read.udata);
    }
    if (entry.write.present && entry.write.enabled && !out.full() &&
        (ev.events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
      const bool eof = (ev.events & (EPOLLHUP | EPOLLERR)) != 0;
      out.push(static_cast<std::uintptr_t>(fd), EVFILT_WRITE, eof ? EV_EOF : 0, eof ? error : 0, 0,
               entry.write.udata);
    }
  }
  if (users && q.event_fd >= 0) {
    std::uint64_t count;
    while (read(q.event_fd, &count, sizeof count) > 0) {
    }
    bool still_triggered = false;
    for (auto& [ident, user] : q.users) {
      if (!user.triggered || !user.enabled) continue;
      if (out.full()) {
        still_triggered = true;
        continue;
      }
      out.push(ident, EVFILT_USER, 0, user.fflags, 0, user.udata);
      if (user.clear) {
        user.triggered = false;
      } else {
        still_triggered = true;
      }
    }
    if (still_triggered) wake_users(q);
  }
  if (signals && q.signal_fd >= 0) {
    signalfd_siginfo info;
    while (read(q.signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      const auto it = q.signals.find(static_cast<int>(info.ssi_signo));
      if (it != q.signals.end()) ++it->second.count;
    }
  }
  // Pending signal counts are reported (and cleared) whenever there is room.
  for (auto& [signo, filter] : q.signals) {
    if (filter.count == 0 || !filter.enabled || out.full()) continue;
    out.push(static_cast<std::uintptr_t>(signo), EVFILT_SIGNAL, 0, 0, filter.count, filter.udata);
    filter.count = 0;
  }
}

int timeout_ms(const struct timespec* timeout) {
  if (timeout == nullptr) return -1;
  const long long ms = static_cast<long long>(timeout->tv_sec) * 1000 + (timeout->tv_nsec + 999'999) / 1'000'000;
  return ms > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<int>(ms);
}

}  // namespace

extern "C" int kqueue(void) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return -1;
  auto q = std::make_shared<Queue>();
  q->epoll_fd = epoll_fd;
  std::lock_guard<std::mutex> lock(registry_mutex);
  // A stale entry under this number belonged to a queue closed with close(): replace it,
  // releasing the helper fds that its owner did not delete.
  if (auto it = registry.find(epoll_fd); it != registry.end()) {
    if (it->second->event_fd >= 0) close(it->second->event_fd);
    if (it->second->signal_fd >= 0) close(it->second->signal_fd);
  }
  registry[epoll_fd] = std::move(q);
  return epoll_fd;
}

extern "C" int kevent(int kq, const struct kevent* changelist, int nchanges, struct kevent* eventlist,
                      int nevents, const struct timespec* timeout) {
  const std::shared_ptr<Queue> q = find_queue(kq);
  if (q == nullptr || nchanges < 0 || nevents < 0) {
    errno = q == nullptr ? EBADF : EINVAL;
    return -1;
  }
  Output out{eventlist, nevents};
  {
    std::lock_guard<std::mutex> lock(q->mutex);
    // Changes first; an error goes into the event list as EV_ERROR when there is room
    // (always with EV_RECEIPT), else kevent() fails with it, as on BSD.
    for (int i = 0; i < nchanges; ++i) {
      const struct kevent& change = changelist[i];
      const int error = apply(*q, change);
      if (error == 0 && (change.flags & EV_RECEIPT) == 0) continue;
      if (out.full()) {
        if (error == 0) continue;
        errno = error;
        return -1;
      }
      out.push(change.ident, change.filter, static_cast<unsigned short>(change.flags | EV_ERROR), 0, error,
               change.udata);
    }
  }
  if (out.count > 0 || nevents == 0) return out.count;

  epoll_event ready[kMaxWait];
  const int n = epoll_wait(q->epoll_fd, ready, nevents < kMaxWait ? nevents : kMaxWait, timeout_ms(timeout));
  if (n < 0) return -1;  // EINTR, as kevent() reports it
  std::lock_guard<std::mutex> lock(q->mutex);
  translate(*q, ready, n, out);
  return out.count;
}
