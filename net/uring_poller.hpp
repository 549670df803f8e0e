// UringPoller: level-triggered readiness on io_uring, the reactor's second Linux poller, and
// (when the kernel allows it) the receiver of its sockets' bytes.
//
// Receiving (receives()): a socket that wants reading has one multishot IORING_OP_RECV into
// provided buffers instead of a POLLIN poll; its bytes wait in net/uring_receiver.hpp, where
// read_some finds them, and the fd is reported kReadable while any wait (kHangup at EOF,
// kError after an error), every iteration, as epoll would. Pausing reading cancels the
// receive (ASYNC_CANCEL) and keeps what came; a removal (Reactor::remove passes the next
// generation) drops it. ENOBUFS (every buffer queued somewhere) ends the receive: the fd is
// polled and read with read(2) until half the buffers are back. Receive requests carry
// kRecvBit | token << 32 | fd; a CQE of an older registration only gives its buffer back.
// A listener (its receive fails with ENOTCONN, SO_ACCEPTCONN set) gets a multishot
// IORING_OP_ACCEPT instead, its fds queued in net/uring_acceptor.hpp for Listener.
// kWritable is a one-shot POLLOUT poll, except while the fd has a ring send in flight.
//
// Sending (sends()): Reactor::send() puts an IORING_OP_SEND/SENDMSG into the SQ
// (net/uring_sender.hpp), submitted with the next wait()'s io_uring_enter together with every
// other SQE of the iteration; its CQE reports the fd kWritable, and the watcher takes the
// result with take_sent(). While it is in flight no POLLOUT is armed for the fd.
//
// Polling (everything else, and every fd when receives are off): the ring only says when an
// fd is ready, exactly as epoll would, and the watchers read and write themselves.
//
//   update(fd, interest)  -> queues a one-shot IORING_OP_POLL_ADD (the previous request, if
//                            any, is cancelled with IORING_OP_POLL_REMOVE)
//   wait(timeout)         -> one io_uring_enter: submits every queued SQE, waits for a CQE
//                            (EXT_ARG timeout), then turns each CQE into a Ready entry
//   after a CQE           -> the fd is queued again and re-armed by the next wait()
//
// Why one-shot polls re-armed after each event, and not a multishot poll per fd: arming a
// poll checks readiness at once (vfs_poll) and completes in the same system call when the fd
// is already ready, which is exactly epoll's level-triggered re-check. A multishot poll is
// edge-triggered: it posts a CQE only on a new wake-up of the socket (measured on 6.18: bytes
// left unread produce no second CQE until more arrive), and IORING_POLL_ADD_LEVEL is refused
// with multishot (EINVAL). The re-arm costs one SQE, batched into the wait that follows, so
// no system call: the same one io_uring_enter per iteration as epoll_wait.
//
// The reactor's own descriptors (the eventfd of post(), the signalfd) are drained whenever
// they fire, so they use multishot polls (IORING_POLL_ADD_MULTI): no re-arm per wake-up.
//
// Stale completions: each request carries user_data = token << 32 | fd, where the token is
// the fd's request counter. A CQE whose token is not the fd's current one (a cancelled
// request, or one that completed while being cancelled) is dropped here; every Ready entry
// carries the reactor's generation so that the reactor drops events for an fd removed later
// in the same batch, as with epoll.
//
// Threads: io_uring completes a poll through task work on the thread that submitted it, so
// every request is submitted by the loop thread. When wait() runs on another thread than the
// last one (the reactor was re-bound), every armed request is cancelled and re-armed from it.
//
// Owns the ring; does not own the fds it polls (the wake-up and signal fds included).
// Loop thread only. Linux 5.13 or later (see open()).
#pragma once

#include <cstdint>
#include <span>
#include <thread>
#include <vector>

#include "net/reactor.hpp"
#include "net/uring_acceptor.hpp"
#include "net/uring_receiver.hpp"
#include "net/uring_ring.hpp"
#include "net/uring_sender.hpp"

namespace sluice::net {

class UringPoller {
 public:
    // What a wait() found: a watched fd with its generation, or one of the reactor's own.
    enum class Source : std::uint8_t { watched, wake, signal };
    struct Ready {
        Source source;
        int fd;
        std::uint32_t generation;
        EventMask events;
    };

    UringPoller() noexcept = default;
    ~UringPoller() { close(); }  // the ring first: the kernel must be done with the buffers
    UringPoller(const UringPoller&) = delete;
    UringPoller& operator=(const UringPoller&) = delete;

    // Creates the ring and checks that this kernel has what the poller needs: IORING_FEAT_NODROP
    // (no CQE lost when the CQ is full), IORING_FEAT_EXT_ARG (the wait's timeout, 5.11),
    // POLL_ADD and POLL_REMOVE (IORING_REGISTER_PROBE), and multishot polls (5.13: the wake-up
    // poll is armed and must not fail). False, with errno set, when any of it is missing or
    // io_uring is refused (ENOSYS; EPERM under seccomp or kernel.io_uring_disabled): the
    // reactor then uses epoll. `wake_fd` is polled from now on.
    // `ring_receives`: also receive through the ring (multishot IORING_OP_RECV into provided
    // buffers, net/uring_receiver.hpp) when this kernel has RECV, ASYNC_CANCEL and
    // PROVIDE_BUFFERS; a socket whose receive the kernel refuses (EINVAL before 6.0's multishot
    // receives, ENOTSOCK for a pipe, ENOTCONN for a listener) is polled instead. When false,
    // or without them, the poller only polls.
    // `ring_sends`: Reactor::send() goes through the ring (net/uring_sender.hpp) when this
    // kernel has SEND, SENDMSG, ASYNC_CANCEL and IORING_FEAT_SUBMIT_STABLE.
    bool open(int wake_fd, bool ring_receives = true, bool ring_sends = true) noexcept;
    // True when sockets are read by the ring (open()'s `ring_receives` was granted).
    bool receives() const noexcept { return receiver_.is_open(); }
    // Receive buffers the kernel has or gets at the next wait() (tests: nothing leaks).
    std::size_t free_buffers() const noexcept { return receiver_.free_buffers(); }
    // True when Reactor::send() goes through the ring (open()'s `ring_sends` was granted).
    bool sends() const noexcept { return sender_.enabled(); }
    // The Reactor::send / take_sent contract (net/reactor.hpp).
    bool send(int fd, const iovec* iov, int count) noexcept;
    bool take_sent(int fd, std::int32_t& result) noexcept { return sender_.take(fd, result); }
    // Sends in the kernel (tests: none is left behind a close).
    std::size_t sends_in_flight() const noexcept { return sender_.in_flight(); }
    void close() noexcept;

    // Moves fd's interest from `before` to `after` (the Reactor::backend_update contract).
    // False (EBADF) when fd is not an open descriptor; nothing reaches the kernel before the
    // next wait(). Pausing (after 0) cancels the request: a paused fd reports nothing.
    bool update(int fd, EventMask before, EventMask after, std::uint32_t generation) noexcept;
    // Polls the signalfd from now on.
    void watch_signals(int signal_fd) noexcept;

    // Submits, waits up to timeout_ms (-1: forever, 0: not at all), and collects at most one
    // batch of completions; returns how many Ready entries ready() now holds.
    int wait(int timeout_ms) noexcept;
    std::span<const Ready> ready(int n) const noexcept { return {ready_.data(), static_cast<std::size_t>(n)}; }

 private:
    static constexpr int kBatch = 256;

    struct Slot {
        EventMask interest = 0;        // what is (or will be) asked of the kernel; 0: nothing
        std::uint32_t generation = 0;  // the reactor's, reported with every event
        std::uint32_t token = 0;       // the current request's id; older CQEs are stale
        Source source = Source::watched;
        std::uint8_t armed_events = 0;  // what the armed poll asks for (poll_events() then)
        bool armed = false;      // the request `token` is in the kernel
        bool queued = false;     // listed in rearm_, to be armed by the next wait()
        bool multishot = false;  // the reactor's own fds
        bool checked = false;    // fd was verified open for `generation` (update()'s EBADF)
        // Ring receives (receives() only). Reading goes through a multishot IORING_OP_RECV
        // while `served` and neither poll_reads nor starved; otherwise through the poll.
        bool served = false;      // the receiver serves this registration's reads
        bool poll_reads = false;  // the kernel refused a socket receive here (a pipe)
        bool accepts = false;     // a listener: its "receive" is a multishot accept
        bool starved = false;     // ENOBUFS: polled for reading until buffers are back
        bool recv_live = false;   // the request `recv_token` is armed and not being cancelled
        std::uint16_t recv_inflight = 0;  // receive requests whose last CQE has not come yet
        std::uint32_t recv_token = 0;     // the newest receive request's id
        std::uint32_t recv_first = 0;     // the first receive request of this registration
        std::uint32_t stamp = 0;          // the batch in which `ready_at` is valid
        std::uint32_t ready_at = 0;       // this fd's entry in ready_ during batch `stamp`
    };

    Slot& slot(int fd) noexcept;
    void queue(int fd) noexcept;
    void cancel(int fd, Slot& s) noexcept;
    bool push_remove(std::uint64_t request) noexcept;
    void arm(int fd, Slot& s) noexcept;
    void watch_own(int fd, Source source) noexcept;
    void rearm_all() noexcept;
    void prepare() noexcept;
    io_uring_sqe* sqe() noexcept;
    int collect() noexcept;
    EventMask poll_events(int fd, const Slot& s) const noexcept;
    bool wants_recv(const Slot& s) const noexcept;
    void arm_recv(int fd, Slot& s) noexcept;
    void cancel_recv(int fd, Slot& s) noexcept;
    void completed_recv(int fd, Slot& s, const UringRing::Completion& c) noexcept;
    bool readable_backlog() noexcept;
    void report(int& count, Source source, int fd, Slot& s, EventMask events) noexcept;

    UringRing ring_;
    std::vector<Slot> slots_;             // by fd
    std::vector<int> rearm_;              // fds to arm before the next wait
    std::vector<std::uint64_t> cancels_;  // POLL_REMOVEs that found the SQ full (rare)
    std::thread::id submitter_;
    UringRing::Completion completions_[kBatch];
    std::vector<Ready> ready_;  // one entry per fd per batch: CQEs and queued receives merged
    std::uint32_t batch_ = 0;   // counts collect()s (Slot::stamp)
    UringReceiver receiver_;
    UringAcceptor acceptor_;
    UringSender sender_;
};

}  // namespace sluice::net
