// app/detail/socket_writer.hpp — a connection's output side: the queue of unsent bytes and
// what is known of the socket's write side.
//
//   queue(bytes) ──▶ OutputQueue (copied, coalesced)        flush(fd) at the end of the
//   queue_shared(frame) ──▶ OutputQueue (by reference)      callback: one writev; what
//   write_frame(fd, head, payload) ──▶ writev now (large)    the kernel refuses stays
//
// Every call returns a WriteStatus instead of acting: the connection decides what a
// refused write, a gone peer or a crossed backpressure bound means in its mode. The flags
// here (want_write, over_bound) are the output side's own and nobody else's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "app/detail/output_queue.hpp"
#include "core/block_pool.hpp"

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
    SocketWriter(core::BlockPool* pool, std::size_t bound) noexcept : queue_(pool), bound_(bound) {}

    // Copies `bytes` to the end of the queue.
    WriteStatus queue(std::span<const std::uint8_t> bytes);
    // Queues bytes [0, size) of a shared (broadcast) frame by reference.
    WriteStatus queue_shared(const core::SharedBytes& frame, std::size_t size);
    // A frame whose payload is over half a pool block is written now, behind the queue, in
    // one writev; only what the kernel refuses is copied (see the .cpp for why the half).
    WriteStatus write_frame(int fd, std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload);
    // Writes the queue out (one writev per 64 segments) until it is empty or refused.
    WriteStatus flush(int fd);
    void clear() noexcept { queue_.clear(); }

    std::size_t size() const noexcept { return queue_.size(); }
    bool empty() const noexcept { return queue_.empty(); }
    bool want_write() const noexcept { return want_write_; }     // the kernel refused bytes: watch kWritable
    bool over() const noexcept { return queue_.size() > bound_; }   // more than max_backpressure queued
    bool over_bound() const noexcept { return over_bound_; }     // over(), as of the last status

 private:
    WriteStatus settle(WriteStatus s) noexcept;   // notes a crossing of the bound

    // [[no_unique_address]]: the two flags take the queue's tail padding (Itanium C++ ABI).
    [[no_unique_address]] OutputQueue queue_;
    bool want_write_ = false;
    bool over_bound_ = false;
    std::size_t bound_;            // max_backpressure
};

}  // namespace sluice::detail
