// The reactor: one event loop per thread, over epoll or io_uring (Linux, chosen per reactor
// at run time) or kqueue (macOS, FreeBSD).
//
//   run_once():  now = clock  ->  wait for I/O (until the next timer, at most max_wait)
//                -> now = clock (the wait's end: every handler below sees the time its
//                   event arrived, never the time before the sleep)
//                -> IoWatcher::on_events(mask) per ready fd   (one mask per fd per iteration)
//                -> now = clock -> expired timers, in (deadline, arming) order
//                -> work posted from other threads, in posting order
//
// The backend (net/reactor_epoll.cpp or net/reactor_kqueue.cpp, chosen by the Makefile)
// implements the few private `backend_*` members below and hides its quirks: kqueue's
// separate read and write filters reach the watcher as one EventMask, exactly as epoll's do.
// On Linux that file polls with epoll or, when the kernel allows it, io_uring
// (net/uring_poller.hpp), chosen when the reactor is constructed (Options::backend).
//
// Readiness is level-triggered on every backend: a watcher that leaves bytes unread (or
// keeps kWritable interest with nothing to write) is called again on the next iteration.
// Interest 0 keeps the fd registered with the reactor but asks the kernel for nothing, so
// a paused fd (backpressure) delivers no events at all, not even a hang-up.
//
// Threads: a Reactor belongs to the thread that runs it ("the loop thread": the one that
// constructed it, re-bound when run()/run_once() is called on another thread while the loop
// is not running). Every member that acts asserts that it is called on that thread; the
// exceptions are post() and stop_from_any_thread(), and the const getters.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "net/timer.hpp"

struct iovec;

namespace sluice::net {

using EventMask = std::uint32_t;
inline constexpr EventMask kReadable = 1;  // bytes to read, a connection to accept, or EOF
inline constexpr EventMask kWritable = 2;  // room in the send buffer
inline constexpr EventMask kHangup = 4;    // the peer sends nothing more (EOF follows unread data)
inline constexpr EventMask kError = 8;     // an error is pending on the socket (SO_ERROR)

// Which kernel interface a reactor polls with. `automatic` is the platform's measured best:
// epoll on Linux, kqueue elsewhere. io_uring (Linux 5.13+, where seccomp and
// kernel.io_uring_disabled allow it) is used only when asked for by name: receiving through
// the ring it wins on fan-out and loses on 64 KiB messages and in memory (net/README.md).
// Asking for one the platform lacks makes the reactor !valid().
enum class Backend : std::uint8_t { automatic, epoll, io_uring, kqueue };
const char* backend_name(Backend backend) noexcept;                        // "automatic", "epoll", "io_uring", "kqueue"
bool backend_from_name(std::string_view name, Backend& backend) noexcept;  // false: no such name

// Implemented by whatever owns an fd (a connection, a listener). kHangup and kError are
// delivered whenever the interest is non-zero, asked for or not. on_events may add, modify
// and remove any fd, its own included, and may destroy its own watcher after remove().
class IoWatcher {
 public:
    virtual void on_events(EventMask events) noexcept = 0;

 protected:
    ~IoWatcher() = default;
};

// Owns the poller, its wake-up and signal descriptors, the timer queue and the one large
// receive buffer; does not own registered fds (remove() before close()). One loop per thread.
class Reactor {
 public:
    // 256 KiB, one per thread: a 64 KiB WebSocket message (65,550 bytes with its header) then
    // usually arrives whole in one read and is delivered as a view into this buffer, instead
    // of spanning two reads and being copied into an assembly buffer (measured: 10 x 64 KiB
    // echo +15% MB/s, 32 B echo unchanged). Costs 192 KiB per thread, nothing per connection.
    static constexpr std::size_t kReceiveBufferSize = 256 * 1024;

    struct Options {
        Backend backend = Backend::automatic;  // automatic: default_backend()
        // io_uring only: sockets are also read by the ring (multishot receives into provided
        // buffers, net/uring_receiver.hpp) when the kernel allows it; false: readiness only.
        bool ring_receives = true;
        // io_uring only: send() submits sends through the ring (net/uring_sender.hpp) when the
        // kernel allows it; false: send() refuses and the watchers writev themselves.
        bool ring_sends = true;
    };

    Reactor() noexcept;  // Options{}
    explicit Reactor(const Options& options) noexcept;
    ~Reactor();
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    // False when the poller or the wake-up descriptor could not be created (EMFILE, ENOMEM):
    // every other call is then a no-op.
    bool valid() const noexcept { return backend_ != nullptr; }
    // The backend in use (never automatic when valid()); the one asked for when not valid().
    Backend backend() const noexcept { return backend_kind_; }
    // True when io_uring reads the sockets itself (Options::ring_receives, granted by the kernel).
    bool ring_receives() const noexcept { return ring_receives_; }
    // True when send() goes through io_uring (Options::ring_sends, granted by the kernel).
    bool ring_sends() const noexcept { return ring_sends_; }
    // Process-wide: false turns ring sends off for reactors constructed from now on, whatever
    // their Options say (benchmarks compare the two). Initially true. THREAD-SAFE.
    static void set_ring_sends_allowed(bool allowed) noexcept;

    // Ring sends (ring_sends() only; false otherwise, and the caller writes itself): queues
    // one send of iov[0, count) on the registered fd (count <= kMaxSendIovecs), submitted with
    // the iteration's one io_uring_enter; a second send() of fd before that enter replaces
    // the first (the same bytes, and more behind them). It never waits for room: it completes
    // with the count the socket took, or -EAGAIN (then poll kWritable, as after writev).
    // False when fd has a send the kernel took and has not completed, is paused (interest 0),
    // or the ring refuses. The bytes must stay alive and unmoved until the
    // completion is taken or the fd is remove()d (which cancels a send in flight before it
    // returns); the iovecs may go at once. The completion reports fd kWritable to a watcher
    // whose interest has kWritable (keep it while a send is in flight).
    bool send(int fd, const struct iovec* iov, int count) noexcept;
    static constexpr int kMaxSendIovecs = 16;  // iovecs one send() takes
    // The completed send's result, once: bytes sent (a short count: send the rest) or -errno
    // (EPIPE, ECONNRESET: as writev's). False while in flight, or with nothing sent.
    bool take_sent(int fd, std::int32_t& result) noexcept;

    // What Backend::automatic means for reactors constructed from now on, process-wide (tests
    // and benchmarks run every reactor, those inside app/ included, on one backend this way).
    // Initially automatic. THREAD-SAFE, but meant to be called before any reactor is made.
    static void set_default_backend(Backend backend) noexcept;
    static Backend default_backend() noexcept;

    // Registers `fd` with an interest (kReadable | kWritable, or 0 to register paused).
    // False when fd is negative, already registered, or the kernel refuses it (errno kept).
    bool add(int fd, EventMask interest, IoWatcher* watcher) noexcept;
    // Changes the interest and/or the watcher of a registered fd. False when not registered.
    bool modify(int fd, EventMask interest, IoWatcher* watcher) noexcept;
    // Unregisters; events already fetched for `fd` in this iteration are dropped, so a
    // closed-and-reused fd number never sees its predecessor's events. Call before close().
    void remove(int fd) noexcept;
    // The registered interest of `fd`, or 0.
    EventMask interest(int fd) const noexcept;

    // Runs iterations until stop(). A stop() issued before run() makes it return at once.
    void run() noexcept;
    // One iteration that blocks at most `max_wait` (0: poll and return; negative: forever,
    // or until the next timer). True when it dispatched anything (an I/O event, a timer,
    // posted work), false when it timed out idle.
    bool run_once(std::chrono::milliseconds max_wait) noexcept;
    // Makes run() return after the current iteration. Loop thread only.
    void stop() noexcept;

    // Monotonic time, read before waiting, when the wait returns (before any event is
    // handled) and before the timers run; cheap to call. A deadline armed from an event
    // handler therefore counts from when its event arrived.
    TimePoint now() const noexcept { return now_; }

    // Timers, relative to now() (clamped: a huge `after` means never). O(log n).
    void arm(Timer& t, Clock::duration after) noexcept;
    void arm_at(Timer& t, TimePoint deadline) noexcept;
    void cancel(Timer& t) noexcept;

    // THREAD-SAFE: the one call that is safe from any thread. Queues `fn` to run on the loop
    // thread after the I/O and timers of the current or next iteration, and wakes the loop
    // (eventfd on epoll, EVFILT_USER on kqueue; one wake-up per batch of posts). Work posted
    // to a reactor that is destroyed before running it is destroyed unrun.
    void post(std::function<void()> fn) noexcept;
    // THREAD-SAFE: post(stop).
    void stop_from_any_thread() noexcept;

    // SIGINT and SIGTERM reach `on_signal` on the loop thread instead of killing the process
    // (signalfd with the two signals blocked in the calling thread on epoll; EVFILT_SIGNAL
    // with their disposition set to ignore on kqueue). Call it before starting other threads,
    // which then inherit the mask. The destructor restores the mask and dispositions, after
    // discarding signals that were caught but not yet delivered. A second call replaces the
    // callback. Watch signals on one reactor per process (the signals are the process's, not
    // the loop's). SIGPIPE is never raised by net/'s socket writes (MSG_NOSIGNAL / SO_NOSIGPIPE).
    bool watch_signals(std::function<void(int signo)> on_signal) noexcept;

    // The reactor's large read buffer: read into it, parse in place, copy only the unparsed
    // tail elsewhere. Valid until the next read on this loop; never owned by a connection.
    std::span<std::uint8_t> receive_buffer() noexcept { return {receive_buffer_.get(), kReceiveBufferSize}; }

    // Number of registered fds (tests, diagnostics).
    std::size_t registered() const noexcept { return registered_; }

 private:
    struct Poller;  // the backend's state, defined by the backend file
    // One per fd (every connection has one): the watcher (null: not registered), its interest,
    // and the generation (bumped by remove(); tags the kernel registration; 16 bits, wrapping).
    // On x86-64, 8 bytes: the address with the interest in its two low bits (a watcher is
    // pointer-aligned) and the generation in the top 16 (user-space addresses fit in 47 bits
    // there unless a process maps above them on purpose; net/reactor.cpp aborts if one does).
    // Elsewhere (32-bit, or arm64 where heap pointers may carry tags in the top byte) the three
    // are plain fields: 16 bytes on 64-bit, 8 on 32-bit.
    class Slot {
     public:
        IoWatcher* watcher() const noexcept;
        EventMask interest() const noexcept;
        std::uint32_t generation() const noexcept;
        std::uint32_t next_generation() const noexcept { return (generation() + 1) & 0xFFFFu; }
        void set(IoWatcher* watcher, EventMask interest, std::uint32_t generation) noexcept;

     private:
#if defined(__x86_64__) && !defined(SLUICE_PLAIN_REACTOR_SLOT)
        static constexpr std::uint64_t kInterestBits = 3;   // kReadable | kWritable
        std::uint64_t bits_ = 0;
#else
        IoWatcher* watcher_ = nullptr;
        std::uint16_t generation_ = 0;
        std::uint8_t interest_ = 0;   // kReadable | kWritable
#endif
    };

    // Called by the backend for each ready fd; drops stale and unregistered events.
    bool deliver(int fd, std::uint32_t generation, EventMask events) noexcept;
    void signal_caught(int signo) noexcept;
    void assert_loop_thread() const noexcept;
    std::size_t run_posted() noexcept;

    // ---- implemented by the backend file (reactor_epoll.cpp / reactor_kqueue.cpp) ----
    // Opens the backend_kind_ asked for (automatic: the platform's best) and sets
    // backend_kind_ to it; false when that backend cannot be opened here.
    bool backend_open() noexcept;
    void backend_close() noexcept;
    // Moves the kernel registration of fd from `before` to `after` (either may be 0).
    bool backend_update(int fd, EventMask before, EventMask after, std::uint32_t generation) noexcept;
    // Waits up to timeout_ms (-1: forever) and keeps what the kernel reported; returns how
    // many events it fetched (0 on timeout or EINTR). Delivers nothing: the loop reads the
    // clock between the two calls, so no handler sees the time from before the sleep.
    int backend_wait(int timeout_ms) noexcept;
    // deliver()s the `n` events the last backend_wait() fetched; returns how many it delivered.
    std::size_t backend_dispatch(int n) noexcept;
    void backend_wake() noexcept;  // thread-safe
    bool backend_watch_signals() noexcept;

    Poller* backend_ = nullptr;
    Backend backend_kind_;     // asked for until backend_open() sets the one it opened
    bool ring_receives_;       // asked for until backend_open() says whether it got them
    bool ring_sends_;          // likewise
    std::vector<Slot> slots_;  // indexed by fd
    std::size_t registered_ = 0;
    TimerQueue timers_;
    TimePoint now_;
    std::thread::id loop_thread_;
    bool stop_requested_ = false;
    bool running_ = false;
    std::function<void(int)> on_signal_;
    std::unique_ptr<std::uint8_t[]> receive_buffer_;

    std::mutex post_mutex_;
    std::vector<std::function<void()>> posted_;         // guarded by post_mutex_
    bool wake_pending_ = false;                         // guarded by post_mutex_
    std::vector<std::function<void()>> running_posts_;  // loop thread only
};

}  // namespace sluice::net
