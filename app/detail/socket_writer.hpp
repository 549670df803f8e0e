// app/detail/socket_writer.hpp — a connection's output side: the queue of unsent bytes and
// what is known of the socket's write side.
//
//   queue(bytes) ──▶ OutputQueue (copied, coalesced)        flush(fd) at the end of the
//   queue_shared(frame) ──▶ OutputQueue (by reference)      callback: one writev; what
//   write_frame(fd, head, payload) ──▶ writev now (large)    the kernel refuses stays
//
// Ring sends (flush(fd, reactor) on a reactor with ring_sends()): the flush hands the queue's
// front to Reactor::send instead of writev, and the kernel gets it with the loop iteration's
// one io_uring_enter (a later flush in the same iteration extends that send). Those bytes stay
// in the queue, pinned (nothing consumes or frees them), until the send's completion arrives
// as kWritable and the next flush takes it: what was sent is consumed; a short send or EAGAIN
// means the socket is full, as after writev (want_write, kWritable polled, the rest sent then);
// an error fails as writev's would, one iteration later. Bytes handed while the socket was not
// known to be full do not count against max_backpressure until the completion gives them back
// (as bytes writev hands to the kernel). want_write() is true while a send is in flight (its
// completion needs kWritable interest); write_frame() queues behind it. A close frees the
// queue after Reactor::remove(), which cancels a send in flight before it returns: the kernel
// reads no freed block.
//
// Every call returns a WriteStatus instead of acting: the connection decides what a
// refused write, a gone peer or a crossed backpressure bound means in its mode. The flags
// here (want_write, over_bound) are the output side's own and nobody else's.
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "app/detail/output_queue.hpp"
#include "core/block_pool.hpp"
#include "net/reactor.hpp"

namespace sluice::detail {

// A string's bytes, as the writers take them.
inline std::span<const std::uint8_t> bytes_of(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// What one write changed, for the connection to act on.
struct WriteStatus {
    bool failed = false;     // the peer is gone (EPIPE, ECONNRESET) or memory was refused: end it
    bool queued = false;     // bytes wait in the queue: flush at the end of this callback
    bool crossed = false;    // the queue crossed max_backpressure (over_bound() says which way)
    bool interest = false;   // want_write() changed: update what the reactor watches
    WriteStatus& operator|=(const WriteStatus& o) noexcept {
        failed |= o.failed;
        queued |= o.queued;
        crossed |= o.crossed;
        interest |= o.interest;
        return *this;
    }
};

class SocketWriter {  // Owns the output queue's references; does not own the fd or the pool.
 public:
    // A bound of 4 GiB or more is 4 GiB (no queue gets near it).
    SocketWriter(core::BlockPool* pool, std::size_t bound) noexcept
        : queue_(pool), bound_(static_cast<std::uint32_t>(std::min<std::size_t>(bound, UINT32_MAX))) {}

    // Copies `bytes` to the end of the queue.
    WriteStatus queue(std::span<const std::uint8_t> bytes);
    // Queues bytes [0, size) of a shared (broadcast) frame by reference.
    WriteStatus queue_shared(const core::SharedBytes& frame, std::size_t size);
    // A frame whose payload is over half a pool block is written now, behind the queue, in
    // one writev; only what the kernel refuses is copied (see the .cpp for why the half).
    WriteStatus write_frame(int fd, std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload);
    // Writes the queue out (one writev per 64 segments) until it is empty or refused.
    WriteStatus flush(int fd);
    // flush(fd), or through the ring when the reactor has ring sends (see the file comment).
    WriteStatus flush(int fd, net::Reactor& reactor);
    // Drops the queue. With a ring send in flight, only after the fd's Reactor::remove().
    void clear() noexcept {
        queue_.clear();
        sending_ = false;
        credited_ = false;
        handed_ = 0;
    }

    std::size_t size() const noexcept { return queue_.size(); }
    bool empty() const noexcept { return queue_.empty(); }
    // The kernel refused bytes, or has a ring send in flight: watch kWritable.
    bool want_write() const noexcept { return want_write_ || sending_; }
    bool sending() const noexcept { return sending_; }      // a ring send is in flight
    // More than max_backpressure queued, not counting bytes handed to a ring send while the
    // socket was not known to be full (the kernel's, as writev's would be, unless the
    // completion says it refused them: then they count again).
    bool over() const noexcept { return queue_.size() - (credited_ ? handed_ : 0) > bound_; }
    bool over_bound() const noexcept { return over_bound_; }     // over(), as of the last status

 private:
    WriteStatus settle(WriteStatus s) noexcept;   // notes a crossing of the bound
    WriteStatus ring_flush(int fd, net::Reactor& reactor);
    bool hand(int fd, net::Reactor& reactor);

    // [[no_unique_address]]: the four flags take the queue's tail padding (Itanium C++ ABI).
    [[no_unique_address]] OutputQueue queue_;
    bool want_write_ = false;
    bool over_bound_ = false;
    bool sending_ = false;   // the queue's front is in a ring send: pinned until its completion
    bool credited_ = false;  // over() does not count the handed bytes
    std::uint32_t bound_;          // max_backpressure
    std::uint32_t handed_ = 0;     // bytes at the queue's front in the ring send (while sending_)
};

}  // namespace sluice::detail
