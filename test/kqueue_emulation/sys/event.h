// A test-only stand-in for the BSD/macOS <sys/event.h>, just enough of it for
// net/reactor_kqueue.cpp, implemented over epoll in kqueue_emulation.cpp. Linux only.
//
// Emulated: EVFILT_READ, EVFILT_WRITE (level-triggered, EV_EOF on hang-up, fflags = the
// socket error), EVFILT_USER (NOTE_TRIGGER, EV_CLEAR; thread-safe), EVFILT_SIGNAL (the signal
// is blocked in the thread that adds the filter and read from a signalfd; EV_DELETE unblocks
// it). Flags: EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE, EV_CLEAR, EV_RECEIPT; EV_ERROR and
// EV_EOF in results. Anything else is rejected with EINVAL, loudly rather than approximately.
// Not emulated: EV_ONESHOT, EV_DISPATCH, timers, vnode/proc filters, the data field's byte
// counts, closing an fd silently removing its filters (callers must EV_DELETE first).
//
// The struct layout and constant values follow macOS/FreeBSD; they matter only inside
// this emulation, since the backend uses names, EV_SET and field names only.
#pragma once
// Treated as the system header it stands in for (as the real one is): a function named
// like its struct is the BSD API, not a shadowing mistake.
#pragma GCC system_header

#include <cstdint>
#include <ctime>

struct kevent {
  std::uintptr_t ident;  // fd, signal number or user ident
  short filter;          // EVFILT_*
  unsigned short flags;  // EV_*
  unsigned int fflags;   // NOTE_* in, filter-specific out
  std::intptr_t data;    // filter-specific
  void* udata;           // opaque, returned as given
};

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_SIGNAL (-6)
#define EVFILT_USER (-10)

#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008
#define EV_ONESHOT 0x0010
#define EV_CLEAR 0x0020
#define EV_RECEIPT 0x0040
#define EV_DISPATCH 0x0080
#define EV_ERROR 0x4000
#define EV_EOF 0x8000

#define NOTE_TRIGGER 0x01000000u
#define NOTE_FFNOP 0x00000000u

#define EV_SET(kevp, a, b, c, d, e, f) \
  do {                                 \
    struct kevent* ev_set_ = (kevp);   \
    ev_set_->ident = (a);              \
    ev_set_->filter = (b);             \
    ev_set_->flags = (c);              \
    ev_set_->fflags = (d);             \
    ev_set_->data = (e);               \
    ev_set_->udata = (f);              \
  } while (0)

extern "C" {
int kqueue(void);
int kevent(int kq, const struct kevent* changelist, int nchanges, struct kevent* eventlist, int nevents,
           const struct timespec* timeout);
}
