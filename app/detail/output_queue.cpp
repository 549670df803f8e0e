// app/detail/output_queue.cpp
#include "app/detail/output_queue.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>

namespace sluice::detail {

bool OutputQueue::append_copy(std::span<const std::uint8_t> bytes) {
    if (head_ < segments_.size()) {   // the common case: it fits in the tail block
        Segment& tail = segments_.back();
        if (tail.capacity - tail.end >= bytes.size()) {   // shared segments have capacity 0
            std::memcpy(tail.data + tail.end, bytes.data(), bytes.size());
            tail.end += bytes.size();
            size_ += bytes.size();
            return true;
        }
    }
    std::size_t at = 0;
    while (at < bytes.size()) {
        if (head_ < segments_.size()) {
            Segment& tail = segments_.back();
            const std::size_t room = tail.own ? tail.capacity - tail.end : 0;
            if (room > 0) {
                const std::size_t n = std::min(room, bytes.size() - at);
                std::memcpy(tail.data + tail.end, bytes.data() + at, n);
                tail.end += n;
                at += n;
                size_ += n;
                continue;
            }
        }
        const std::size_t left = bytes.size() - at;
        const std::size_t block = pool_ != nullptr ? pool_->block_size() : left;
        // A pool block has a 32-byte header inside it (core::SharedBytes); ask for what fits.
        const std::size_t want = left > block / 2 ? left : block - 32;
        core::SharedBytes b = core::SharedBytes::create(pool_, want);
        if (!b) return false;
        std::uint8_t* data = b.writable().data();
        const std::size_t capacity = b.size();
        segments_.push_back(Segment{std::move(b), data, capacity, 0, 0, true});
    }
    return true;
}

void OutputQueue::append_shared(const core::SharedBytes& block, std::size_t size) {
    if (size == 0) return;
    segments_.push_back(Segment{block, const_cast<std::uint8_t*>(block.bytes().data()), 0, 0, size, false});
    size_ += size;
}

int OutputQueue::gather(struct iovec* iov, int max) const noexcept {
    int n = 0;
    for (std::size_t i = head_; i < segments_.size() && n < max; ++i) {
        const Segment& s = segments_[i];
        if (s.end == s.begin) continue;
        iov[n].iov_base = s.data + s.begin;
        iov[n].iov_len = s.end - s.begin;
        ++n;
    }
    return n;
}

void OutputQueue::consume(std::size_t n) noexcept {
    n = std::min(n, size_);
    size_ -= n;
    while (n > 0 && head_ < segments_.size()) {
        Segment& s = segments_[head_];
        const std::size_t take = std::min(n, s.end - s.begin);
        s.begin += take;
        n -= take;
        if (s.begin == s.end) {
            s.block.reset();
            ++head_;
        }
    }
    // Drop fully written segments; keep an own tail block only while bytes remain.
    if (size_ == 0) {
        clear();
    } else if (head_ > 32 && std::size_t{head_} * 2 > segments_.size()) {
        segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
}

void OutputQueue::clear() noexcept {
    segments_.clear();
    if (segments_.capacity() > 8) segments_.shrink_to_fit();   // keep a small one: no malloc per burst
    head_ = 0;
    size_ = 0;
}

}  // namespace sluice::detail
