// UringReceiver: the provided-buffer ring and the per-fd FIFOs (see net/uring_receiver.hpp).
#include "net/uring_receiver.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>

#include <sys/mman.h>

namespace sluice::net {

namespace {
// The process-wide fd -> receiver table: pages of 4,096 atomic pointers made on first use and
// never freed (32 KiB per 4,096 fd numbers ever served), so a lookup takes no lock.
constexpr std::size_t kPageBits = 12;
constexpr std::size_t kPageSize = std::size_t{1} << kPageBits;
constexpr std::size_t kPages = 1024;  // fd numbers below 4,194,304
using OwnerPage = std::atomic<UringReceiver*>;
std::atomic<OwnerPage*> owner_pages[kPages];

OwnerPage* owner_slot(int fd, bool create) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (fd < 0 || (index >> kPageBits) >= kPages) return nullptr;
    std::atomic<OwnerPage*>& page = owner_pages[index >> kPageBits];
    OwnerPage* p = page.load(std::memory_order_acquire);
    if (p == nullptr && create) {
        auto* fresh = new (std::nothrow) OwnerPage[kPageSize]();
        if (fresh == nullptr) return nullptr;
        if (page.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) {
            p = fresh;
        } else {
            delete[] fresh;  // another thread made it first: p is theirs
        }
    }
    return p == nullptr ? nullptr : &p[index & (kPageSize - 1)];
}
}  // namespace

bool UringReceiver::open() noexcept {
    close();
    void* b = ::mmap(nullptr, std::size_t{kBuffers} * kBufferSize, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) return false;
    buffers_ = static_cast<std::uint8_t*>(b);
    free_ = 0;
    returned_.reserve(kBuffers);
    for (unsigned bid = 0; bid < kBuffers; ++bid) give_back(static_cast<std::uint16_t>(bid));
    return true;
}

std::size_t UringReceiver::provide(std::span<io_uring_sqe* const> sqes) noexcept {
    std::size_t used = 0;
    std::size_t i = 0;
    while (i < returned_.size() && used < sqes.size()) {
        // One SQE per run of consecutive buffer ids (all of them at open()).
        std::size_t j = i + 1;
        while (j < returned_.size() && returned_[j] == returned_[j - 1] + 1) ++j;
        io_uring_sqe* e = sqes[used++];
        e->opcode = IORING_OP_PROVIDE_BUFFERS;
        e->fd = static_cast<std::int32_t>(j - i);  // how many
        e->addr = reinterpret_cast<std::uint64_t>(buffers_ + std::size_t{returned_[i]} * kBufferSize);
        e->len = kBufferSize;
        e->off = returned_[i];  // the first id
        e->buf_group = kGroup;
        i = j;
    }
    returned_.erase(returned_.begin(), returned_.begin() + static_cast<std::ptrdiff_t>(i));
    return used;
}

void UringReceiver::close() noexcept {
    for (std::size_t fd = 0; fd < queues_.size(); ++fd) {
        if (queues_[fd].served) forget(static_cast<int>(fd));
    }
    queues_.clear();
    listed_.clear();
    returned_.clear();
    if (buffers_ != nullptr) ::munmap(buffers_, std::size_t{kBuffers} * kBufferSize);
    buffers_ = nullptr;
    free_ = 0;
}

UringReceiver* UringReceiver::serving(int fd) noexcept {
    OwnerPage* slot = owner_slot(fd, false);
    return slot == nullptr ? nullptr : slot->load(std::memory_order_acquire);
}

UringReceiver::Queue& UringReceiver::queue(int fd) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= queues_.size()) queues_.resize(index + 1 + index / 2);
    return queues_[index];
}

const UringReceiver::Queue* UringReceiver::find(int fd) const noexcept {
    const auto index = static_cast<std::size_t>(fd);
    return fd < 0 || index >= queues_.size() ? nullptr : &queues_[index];
}

void UringReceiver::serve(int fd) noexcept {
    OwnerPage* slot = owner_slot(fd, true);
    if (slot == nullptr) return;  // no table page (ENOMEM): reads stay read(2), never armed
    Queue& q = queue(fd);
    const bool listed = q.listed;  // still in listed_ from a predecessor: not listed twice
    q = Queue{};
    q.served = true;
    q.listed = listed;
    slot->store(this, std::memory_order_release);
}

void UringReceiver::forget(int fd) noexcept {
    if (OwnerPage* slot = owner_slot(fd, false); slot != nullptr && slot->load() == this) {
        slot->store(nullptr, std::memory_order_release);
    }
    const auto index = static_cast<std::size_t>(fd);
    if (index >= queues_.size()) return;
    Queue& q = queues_[index];
    for (std::uint16_t bid = q.head; bid != kNone;) {
        const std::uint16_t next = chunks_[bid].next;
        give_back(bid);
        bid = next;
    }
    const bool listed = q.listed;
    q = Queue{};
    q.listed = listed;  // the poller's list still names it; it unlists it when it sees it empty
}

void UringReceiver::give_back(std::uint16_t bid) noexcept {
    returned_.push_back(bid);  // the kernel has it again after the next io_uring_enter
    ++free_;
}

void UringReceiver::recycle(std::uint32_t cqe_flags) noexcept {
    if ((cqe_flags & IORING_CQE_F_BUFFER) == 0) return;
    --free_;
    give_back(static_cast<std::uint16_t>(cqe_flags >> IORING_CQE_BUFFER_SHIFT));
}

void UringReceiver::list(int fd, Queue& q) noexcept {
    if (q.listed) return;
    q.listed = true;
    listed_.push_back(fd);
}

void UringReceiver::received(int fd, std::int32_t res, std::uint32_t cqe_flags) noexcept {
    Queue& q = queue(fd);
    if ((cqe_flags & IORING_CQE_F_BUFFER) != 0) {
        --free_;
        const auto bid = static_cast<std::uint16_t>(cqe_flags >> IORING_CQE_BUFFER_SHIFT);
        if (res <= 0 || !q.served || q.end != 1) {
            give_back(bid);  // a buffer without bytes, or bytes after the end: nothing to keep
        } else {
            chunks_[bid] = Chunk{kNone, 0, static_cast<std::uint32_t>(res)};
            if (q.tail == kNone) {
                q.head = bid;
            } else {
                chunks_[q.tail].next = bid;
            }
            q.tail = bid;
            list(fd, q);
            return;
        }
    }
    if (res <= 0 && q.served && q.end == 1) {
        q.end = res;
        list(fd, q);
    }
}

void UringReceiver::set_receiving(int fd, bool receiving) noexcept { queue(fd).receiving = receiving; }

EventMask UringReceiver::events(int fd) const noexcept {
    const Queue* q = find(fd);
    if (q == nullptr || (q->head == kNone && q->end == 1)) return 0;
    EventMask mask = kReadable;
    if (q->end == 0) mask |= kHangup;
    if (q->end < 0) mask |= kError;
    return mask;
}

bool UringReceiver::read(int fd, std::span<std::uint8_t> into, IoResult& out) noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= queues_.size()) return false;
    Queue& q = queues_[index];
    if (q.head == kNone) {
        if (q.end == 0) {
            out = {IoStatus::closed, 0, 0};
        } else if (q.end < 0) {
            const int error = -q.end;
            q.end = 0;  // read(2) reports a reset once, then EOF
            out = (error == ECONNRESET || error == EPIPE) ? IoResult{IoStatus::closed, 0, error}
                                                         : IoResult{IoStatus::error, 0, error};
        } else if (q.receiving) {
            out = {IoStatus::would_block, 0, 0};
        } else {
            return false;
        }
        return true;
    }
    std::size_t copied = 0;
    while (q.head != kNone && copied < into.size()) {
        const std::uint16_t bid = q.head;
        Chunk& c = chunks_[bid];
        const std::size_t n = std::min<std::size_t>(c.length - c.offset, into.size() - copied);
        std::memcpy(into.data() + copied, buffers_ + std::size_t{bid} * kBufferSize + c.offset, n);
        copied += n;
        c.offset += static_cast<std::uint32_t>(n);
        if (c.offset < c.length) break;
        q.head = c.next;
        if (q.head == kNone) q.tail = kNone;
        give_back(bid);
    }
    out = {IoStatus::ok, copied, 0};
    return true;
}

}  // namespace sluice::net
