// app/detail/output_queue.hpp — a connection's bytes waiting for the socket.
//
// A list of segments, each a range of a reference-counted block (core::SharedBytes):
//
//   [ block A: 101 head + frame ][ broadcast frame (shared, refs=N) ][ block B: frames... ]
//     copied, coalesced            queued by reference                 copied, coalesced
//
// append_copy() copies small writes into the tail block when that block is this queue's
// own (not shared) and has room, so a burst of small frames becomes one segment and one
// iovec; a write larger than a pool block gets a heap block of its own size (a large
// WebSocket frame only lands here for the part the kernel refused: Connection writes it
// straight to the socket first).
// append_shared() queues a broadcast frame by reference (no copy). gather() fills iovecs
// for one writev; consume() drops what the kernel took. An empty queue holds no block, so
// an idle connection owns no output memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/block_pool.hpp"

struct iovec;

namespace sluice::detail {

class OutputQueue {  // Owns references to its blocks; does not own the pool (the worker's).
 public:
    explicit OutputQueue(core::BlockPool* pool) noexcept : pool_(pool) {}

    // Copies `bytes` to the end. False (nothing queued) if memory is refused.
    bool append_copy(std::span<const std::uint8_t> bytes);
    // Queues bytes [0, size) of a shared block by reference.
    void append_shared(const core::SharedBytes& block, std::size_t size);

    std::size_t size() const noexcept { return size_; }   // bytes not yet written
    bool empty() const noexcept { return size_ == 0; }
    std::size_t segments() const noexcept { return segments_.size() - head_; }
    std::size_t block_size() const noexcept { return pool_ != nullptr ? pool_->block_size() : 0; }

    // Fills up to `max` iovecs from the front; returns how many.
    int gather(struct iovec* iov, int max) const noexcept;
    // The first n bytes were written.
    void consume(std::size_t n) noexcept;
    void clear() noexcept;

 private:
    struct Segment {
        core::SharedBytes block;
        std::uint8_t* data = nullptr;   // block's bytes (cached: no call per append)
        std::size_t capacity = 0;       // own blocks: room up to here; shared: 0
        std::size_t begin = 0;
        std::size_t end = 0;
        bool own = false;   // created by append_copy: may take more bytes at its end
    };
    core::BlockPool* pool_;
    std::vector<Segment> segments_;
    std::size_t size_ = 0;
    std::uint32_t head_ = 0;   // first unconsumed segment (last: its owner may use the tail padding)
};

}  // namespace sluice::detail
