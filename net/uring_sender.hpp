// UringSender: sends through io_uring, one in flight per fd, batched into the loop's one
// io_uring_enter (net/uring_poller.hpp owns the ring and asks this class to fill SQEs).
//
//   Reactor::send(fd, iov)   -> prepare(): an IORING_OP_SEND (one buffer) or IORING_OP_SENDMSG
//                               (several, the msghdr and iovecs copied into a record that
//                               lives until the SQE is submitted) goes into the SQ; the kernel
//                               gets it with the iteration's io_uring_enter, not before;
//                               a second send() of the fd before that enter extends it (the
//                               writes of one iteration go out in one send, as with writev)
//   its CQE                  -> completed(): the result is kept for the fd, and the poller
//                               reports the fd kWritable (the watcher asked for it)
//   Reactor::take_sent(fd)   -> take(): bytes sent, or -errno; the fd may send again
//   Reactor::remove(fd)      -> the poller submits what is queued and cancels a send in flight
//                               synchronously (UringRing::cancel_now): when remove() returns,
//                               the kernel reads none of its bytes; forget() drops the state
//
// The contract with the caller (app/detail/socket_writer.cpp): the bytes of a send stay alive
// and unmoved until its completion has been taken or the fd removed; the iovec array itself
// may go as soon as send() returns. A short send completes with the count sent (no
// MSG_WAITALL): the caller sends the rest. Order is kept by one send per fd at a time.
//
// The kernel must copy a SENDMSG's msghdr and iovecs at submission (IORING_FEAT_SUBMIT_STABLE,
// 5.7), which open() checks: a record is reused by the next iteration.
//
// Requests carry kSendBit | token << 32 | fd; a CQE whose token is not the fd's current send
// belongs to a removed registration and is dropped. Owns its records; does not own the fds.
// Memory: 16 bytes per fd number (the State), the records of one iteration's SENDMSGs.
// Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

#include "net/reactor.hpp"
#include "net/uring_ring.hpp"

namespace sluice::net {

class UringSender {
 public:
    static constexpr std::uint64_t kSendBit = std::uint64_t{1} << 62;
    // iovecs per SENDMSG: what is queued beyond them goes in the next send, after this one's CQE.
    static constexpr int kMaxIovecs = Reactor::kMaxSendIovecs;

    UringSender() noexcept = default;
    ~UringSender() { close(); }
    UringSender(const UringSender&) = delete;
    UringSender& operator=(const UringSender&) = delete;

    void enable(bool on) noexcept { enabled_ = on; }
    bool enabled() const noexcept { return enabled_; }
    void close() noexcept;

    // True when a send of fd is in the kernel (its CQE has not come).
    bool busy(int fd) const noexcept;
    // The user_data of fd's send in flight (busy(fd) only).
    std::uint64_t request(int fd) const noexcept;
    // Fills `entry` with a send of iov[0, min(count, kMaxIovecs)) on fd. busy(fd) must be false.
    void prepare(io_uring_sqe* entry, std::uint32_t position, int fd, const iovec* iov, int count) noexcept;
    // Rewrites fd's send in flight over iov (the same bytes and more after them) while the
    // kernel has not taken its SQE yet; false once it has.
    bool extend(UringRing& ring, int fd, const iovec* iov, int count) noexcept;
    // A CQE with kSendBit: true when it completed fd's current send (report it kWritable).
    bool completed(const UringRing::Completion& c, int& fd) noexcept;
    // The completed send's result (bytes, or -errno), once; false while in flight or none.
    bool take(int fd, std::int32_t& result) noexcept;
    // fd was removed (its send, if any, cancelled): a later CQE of it is dropped.
    void forget(int fd) noexcept;
    // The SQ is empty: every record has been copied by the kernel.
    void submitted() noexcept { records_used_ = 0; }
    // Sends in the kernel (tests: none is left behind).
    std::size_t in_flight() const noexcept;

 private:
    struct State {
        std::uint32_t token = 0;
        std::uint32_t position = 0;   // the SQ position of the send's SQE
        bool live = false;   // the send `token` is in the kernel
        bool done = false;   // its CQE came: `result` waits for take()
        std::int32_t result = 0;
    };
    struct Record {   // a SENDMSG's header, read by the kernel at submission
        msghdr message{};
        iovec iov[kMaxIovecs]{};
    };

    State& state(int fd) noexcept;
    void fill(io_uring_sqe* entry, const iovec* iov, int count) noexcept;

    bool enabled_ = false;
    std::vector<State> states_;   // by fd
    std::vector<std::unique_ptr<Record>> records_;
    std::size_t records_used_ = 0;
};

}  // namespace sluice::net
