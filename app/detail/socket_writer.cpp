// app/detail/socket_writer.cpp
#include "app/detail/socket_writer.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

#include "net/socket.hpp"

namespace sluice::detail {

WriteStatus SocketWriter::settle(WriteStatus s) noexcept {
    if (over() != over_bound_) {   // only a crossing does anything
        over_bound_ = !over_bound_;
        s.crossed = true;
    }
    return s;
}

WriteStatus SocketWriter::queue(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return {};
    if (!queue_.append_copy(bytes)) return {.failed = true};
    return settle({.queued = true});
}

WriteStatus SocketWriter::queue_shared(const core::SharedBytes& frame, std::size_t size) {
    queue_.append_shared(frame, size);
    return settle({.queued = true});
}

// Large means more than half a pool block: the size at which OutputQueue::append_copy would
// take a heap block of the frame's own size (a malloc, a copy and a free per message, which
// cost more than the syscall), while smaller frames are copied into a pooled block and
// coalesce with the other frames of this callback into the end-of-callback writev.
WriteStatus SocketWriter::write_frame(int fd, std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload) {
    const auto queue_both = [&] {
        WriteStatus s = queue(head);
        s |= queue(payload);
        return s;
    };
    // Behind bytes the kernel refused or a ring send in flight: queued, in order.
    if (want_write() || payload.size() <= queue_.block_size() / 2) return queue_both();
    struct iovec iov[64];
    const int n = queue_.gather(iov, 62);
    std::size_t queued = 0;
    for (int i = 0; i < n; ++i) queued += iov[i].iov_len;
    if (queued != queue_.size()) return queue_both();   // more segments than iovecs: keep the order
    iov[n] = {const_cast<std::uint8_t*>(head.data()), head.size()};
    iov[n + 1] = {const_cast<std::uint8_t*>(payload.data()), payload.size()};
    const net::IoResult r = net::writev_some(fd, iov, n + 2);
    // A hard error (EPIPE, ECONNRESET) is left to flush(): everything is queued, and the
    // end-of-callback writev meets the same error.
    std::size_t written = r.status == net::IoStatus::ok ? r.bytes : 0;
    const std::size_t from_queue = std::min(written, queued);
    queue_.consume(from_queue);
    written -= from_queue;
    const std::size_t from_head = std::min(written, head.size());
    written -= from_head;
    if (!queue_.append_copy(head.subspan(from_head)) || !queue_.append_copy(payload.subspan(written))) {
        return {.failed = true};
    }
    if (queue_.empty()) return {};
    WriteStatus s;
    if (r.status == net::IoStatus::ok || r.status == net::IoStatus::would_block) {
        want_write_ = true;   // the kernel refused the rest: wait for kWritable
        s.interest = true;
    } else {
        s.queued = true;
    }
    return settle(s);
}

WriteStatus SocketWriter::flush(int fd) {
    if (sending_) return {};   // the queue's front is the kernel's until the ring send completes
    const bool wanted = want_write_;
    while (!queue_.empty()) {
        struct iovec iov[64];
        const int n = queue_.gather(iov, 64);
        std::size_t want = 0;
        for (int i = 0; i < n; ++i) want += iov[i].iov_len;
        const net::IoResult r = net::writev_some(fd, iov, n);
        if (r.status == net::IoStatus::ok) {
            queue_.consume(r.bytes);
            if (r.bytes < want) {
                want_write_ = true;
                break;
            }
            continue;
        }
        if (r.status == net::IoStatus::would_block) {
            want_write_ = true;
            break;
        }
        return {.failed = true};   // EPIPE / ECONNRESET: the peer is gone
    }
    if (queue_.empty()) want_write_ = false;
    return settle({.interest = want_write_ != wanted});
}

WriteStatus SocketWriter::flush(int fd, net::Reactor& reactor) {
    if (!sending_ && !reactor.ring_sends()) return flush(fd);
    return ring_flush(fd, reactor);
}

// The completion of the send in flight (if it came), then the next send of the queue's front.
WriteStatus SocketWriter::ring_flush(int fd, net::Reactor& reactor) {
    const bool wanted = want_write();
    bool refused = false;
    if (sending_) {
        std::int32_t result = 0;
        if (!reactor.take_sent(fd, result)) {
            // Not completed: what was queued since joins it while the kernel has not taken it.
            if (queue_.size() > handed_) (void)hand(fd, reactor);
            return settle({});
        }
        sending_ = false;
        credited_ = false;
        const std::size_t handed = std::exchange(handed_, 0);
        // EPIPE / ECONNRESET: the peer is gone, as writev would have said.
        if (result < 0 && result != -EAGAIN && result != -EINTR) return {.failed = true};
        const std::size_t sent = result > 0 ? static_cast<std::size_t>(result) : 0;
        queue_.consume(sent);
        refused = sent < handed;   // the socket took less (or EAGAIN): wait for kWritable, as after writev
        want_write_ = refused;
    }
    if (!refused && !queue_.empty() && !hand(fd, reactor)) {
        // No ring send here (a paused fd, no SQE): the system call, as without the ring.
        WriteStatus s = flush(fd);
        s.interest = want_write() != wanted;
        return s;
    }
    if (queue_.empty()) want_write_ = false;
    return settle({.interest = want_write() != wanted});
}

// Hands the queue's front (at most kMaxSendIovecs segments, 1 GiB) to a ring send: a new one,
// or the one not yet submitted, extended.
bool SocketWriter::hand(int fd, net::Reactor& reactor) {
    struct iovec iov[net::Reactor::kMaxSendIovecs];
    int n = queue_.gather(iov, net::Reactor::kMaxSendIovecs);
    constexpr std::size_t kMaxHanded = std::size_t{1} << 30;
    std::size_t total = 0;
    for (int i = 0; i < n; ++i) {
        if (iov[i].iov_len >= kMaxHanded - total) {
            iov[i].iov_len = kMaxHanded - total;
            n = i + 1;
        }
        total += iov[i].iov_len;
    }
    if (!reactor.send(fd, iov, n)) return false;
    sending_ = true;
    credited_ = !want_write_;   // a socket known to be full gets no credit
    handed_ = static_cast<std::uint32_t>(total);
    return true;
}

}  // namespace sluice::detail
