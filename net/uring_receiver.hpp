// UringReceiver: bytes that io_uring received for a socket, queued until its watcher reads them.
//
// The io_uring poller (net/uring_poller.hpp) keeps one multishot IORING_OP_RECV per socket that
// wants reading; the kernel picks one of this receiver's provided buffers (buffer group kGroup,
// handed over with IORING_OP_PROVIDE_BUFFERS) for each completion. The receiver then:
//
//   received(fd, cqe)     -> the buffer (its id is in the CQE) is appended to fd's FIFO, or
//                            EOF (res 0) / an error (res < 0) is recorded as the FIFO's end
//   read_some(fd, into)   -> net/socket.cpp asks serving(fd) first: a served fd is read here,
//                            one memcpy per buffer, each emptied buffer given back at once
//   provide(sqes)         -> the buffers given back since the last wait, as PROVIDE_BUFFERS
//                            SQEs (one per run of consecutive ids) in the wait's io_uring_enter
//   forget(fd)            -> the fd was removed (it is about to be closed): its buffers go back
//
// Why PROVIDE_BUFFERS and not a registered buffer ring (IORING_REGISTER_PBUF_RING, 5.19, no
// SQE per returned buffer): on this machine's kernel (6.18) the registration succeeds but
// every receive that selects from the ring fails with ENOBUFS, with the ring's memory ours or
// the kernel's (IOU_PBUF_RING_MMAP), while PROVIDE_BUFFERS works (net/README.md).
//
// So a watcher cannot tell the backends apart: read_some returns the same bytes in the same
// order, `would_block` while a receive is in flight with nothing queued yet, `closed` at EOF
// (again on every later read, as read(2) returns 0 again). When no receive is in flight and
// nothing is queued (reading paused, or the buffers ran out), read_some falls back to read(2):
// the socket then holds everything not yet received, so the order is kept.
//
// Every buffer is in exactly one place: the kernel's pool, the list to provide again, or one
// fd's FIFO, so a buffer's id is also its FIFO node. Memory: kBuffers x kBufferSize per
// reactor (4 MiB, touched as used), nothing per connection beyond the 12-byte Queue of its fd number.
//
// serving(fd) is process-wide (an fd number names one file in the process): a table of
// atomic pointers, written by the owning reactor's thread on serve()/forget(), read by
// read_some on the same thread. Loop thread only, except serving().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/reactor.hpp"
#include "net/socket.hpp"
#include <linux/io_uring.h>

namespace sluice::net {

// Owns the buffers (one anonymous mapping), lent to the kernel: close() unmaps them, so the
// ring they were provided to must be closed first.
class UringReceiver {
 public:
    static constexpr unsigned kBuffers = 1024;           // ids fit 16 bits, 0xFFFF excluded
    static constexpr std::uint32_t kBufferSize = 4096;   // a 32 B message still takes one
    static constexpr std::uint16_t kGroup = 0;           // the buffer group id in SQEs

    UringReceiver() noexcept = default;
    ~UringReceiver() { close(); }
    UringReceiver(const UringReceiver&) = delete;
    UringReceiver& operator=(const UringReceiver&) = delete;

    // Maps the buffers, every one of them waiting for provide(). False with errno (ENOMEM).
    bool open() noexcept;
    void close() noexcept;  // forgets every fd; call after the ring was closed
    // Fills up to sqes.size() IORING_OP_PROVIDE_BUFFERS entries with the buffers given back
    // since the last call (one per run of consecutive ids); returns how many it filled.
    std::size_t provide(std::span<io_uring_sqe* const> sqes) noexcept;
    bool has_returns() const noexcept { return !returned_.empty(); }
    bool is_open() const noexcept { return buffers_ != nullptr; }

    // The receiver that reads fd for read_some, or null (read(2) as usual). THREAD-SAFE.
    static UringReceiver* serving(int fd) noexcept;
    void serve(int fd) noexcept;   // from now on
    void forget(int fd) noexcept;  // drops what is queued, buffers back to the ring

    // A receive CQE of fd's current request: bytes in a buffer, EOF (0), or -errno.
    void received(int fd, std::int32_t res, std::uint32_t cqe_flags) noexcept;
    // Gives back the buffer of a CQE that belongs to no one any more (a removed fd's).
    void recycle(std::uint32_t cqe_flags) noexcept;
    // A receive request is in flight for fd (set by the poller when it arms one, cleared by
    // the request's last CQE): with nothing queued, a read is then would_block.
    void set_receiving(int fd, bool receiving) noexcept;

    // What fd's queue reports: kReadable (bytes, EOF or an error wait), plus kHangup at EOF,
    // kError after an error; 0 when nothing is queued.
    EventMask events(int fd) const noexcept;
    // The fds whose queue was non-empty at some point and not yet seen empty: the poller
    // reports them again every iteration (level-triggered) while they want reading.
    std::vector<int>& listed() noexcept { return listed_; }
    void unlist(int fd) noexcept { queue(fd).listed = false; }

    // read_some for a served fd: false when the caller must read(2) itself (nothing queued
    // and no receive in flight), else `out` holds the result.
    bool read(int fd, std::span<std::uint8_t> into, IoResult& out) noexcept;
    std::size_t free_buffers() const noexcept { return free_; }

 private:
    static constexpr std::uint16_t kNone = 0xFFFF;
    struct Queue {
        std::uint16_t head = kNone;  // buffer ids, linked through chunks_
        std::uint16_t tail = kNone;
        std::int32_t end = 1;        // 1: open; 0: EOF queued after the bytes; < 0: -errno
        bool receiving = false;
        bool listed = false;
        bool served = false;
    };
    struct Chunk {
        std::uint16_t next = kNone;
        std::uint32_t offset = 0;  // bytes of the buffer already read
        std::uint32_t length = 0;
    };

    Queue& queue(int fd) noexcept;
    const Queue* find(int fd) const noexcept;
    void list(int fd, Queue& q) noexcept;
    void give_back(std::uint16_t bid) noexcept;

    std::uint8_t* buffers_ = nullptr;
    std::size_t free_ = 0;                 // buffers the kernel has or gets at the next enter
    std::vector<std::uint16_t> returned_;  // given back, not yet provided again
    Chunk chunks_[kBuffers];
    std::vector<Queue> queues_;  // by fd
    std::vector<int> listed_;
};

}  // namespace sluice::net
