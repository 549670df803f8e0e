// The epoll backend (Linux): level-triggered epoll, an eventfd for post(), a signalfd for
// SIGINT/SIGTERM. Each registration carries (generation << 32 | fd) in epoll_data so that an
// event fetched for an fd that was removed and reused in the same iteration is dropped.
#include "net/reactor.hpp"

#include <csignal>
#include <cstdint>
#include <cerrno>

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace sluice::net {

namespace {
constexpr int kBatch = 256;
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
}  // namespace

struct Reactor::Backend {
  int epoll_fd = -1;
  int wake_fd = -1;
  int signal_fd = -1;
  sigset_t signals_added{};  // the signals this reactor blocked (and must unblock)
  epoll_event events[kBatch]{};
};

bool Reactor::backend_open() noexcept {
  backend_ = new Backend;
  backend_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  backend_->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (backend_->epoll_fd >= 0 && backend_->wake_fd >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    if (::epoll_ctl(backend_->epoll_fd, EPOLL_CTL_ADD, backend_->wake_fd, &ev) == 0) return true;
  }
  backend_close();
  return false;
}

void Reactor::backend_close() noexcept {
  Backend* b = backend_;
  if (b->signal_fd >= 0) {
    // Discard what was caught but not delivered, so unblocking cannot kill the process.
    signalfd_siginfo info;
    while (::read(b->signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    }
    ::close(b->signal_fd);
    ::pthread_sigmask(SIG_UNBLOCK, &b->signals_added, nullptr);
  }
  if (b->wake_fd >= 0) ::close(b->wake_fd);
  if (b->epoll_fd >= 0) ::close(b->epoll_fd);
  delete b;
  backend_ = nullptr;
}

bool Reactor::backend_update(int fd, EventMask before, EventMask after, std::uint32_t generation) noexcept {
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
  const int n = ::epoll_wait(backend_->epoll_fd, backend_->events, kBatch, timeout_ms);
  return n < 0 ? 0 : n;  // EINTR: the caller's loop simply iterates again
}

std::size_t Reactor::backend_dispatch(int n) noexcept {
  Backend* b = backend_;
  std::size_t delivered = 0;
  for (int i = 0; i < n; ++i) {
    const epoll_event& ev = b->events[i];
    if (ev.data.u64 == kWakeTag) {
      std::uint64_t count;
      while (::read(b->wake_fd, &count, sizeof count) > 0) {
      }
      continue;
    }
    if (ev.data.u64 == kSignalTag) {
      signalfd_siginfo info;
      while (::read(b->signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        signal_caught(static_cast<int>(info.ssi_signo));
        ++delivered;
      }
      continue;
    }
    const int fd = static_cast<int>(ev.data.u64 & 0xFFFF'FFFFu);
    const auto generation = static_cast<std::uint32_t>(ev.data.u64 >> 32);
    if (deliver(fd, generation, from_epoll(ev.events))) ++delivered;
  }
  return delivered;
}

void Reactor::backend_wake() noexcept {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop is awake anyway.
  [[maybe_unused]] const ssize_t n = ::write(backend_->wake_fd, &one, sizeof one);
}

bool Reactor::backend_watch_signals() noexcept {
  Backend* b = backend_;
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
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kSignalTag;
  return ::epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->signal_fd, &ev) == 0;
}

}  // namespace sluice::net
