// UringRing: the system calls and the shared-memory protocol (see net/uring_ring.hpp).
#include "net/uring_ring.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sluice::net {

namespace {
// glibc has no wrappers for these: syscall(2) with the numbers from <sys/syscall.h>.
int sys_setup(unsigned entries, io_uring_params* params) {
    return static_cast<int>(::syscall(__NR_io_uring_setup, entries, params));
}
int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, const void* arg, std::size_t size) {
    return static_cast<int>(::syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, size));
}
int sys_register(int fd, unsigned opcode, void* arg, unsigned count) {
    return static_cast<int>(::syscall(__NR_io_uring_register, fd, opcode, arg, count));
}

std::uint32_t* at(void* base, std::uint32_t offset) {
    return reinterpret_cast<std::uint32_t*>(static_cast<char*>(base) + offset);
}
std::uint32_t load_acquire(std::uint32_t* p) {
    return std::atomic_ref<std::uint32_t>(*p).load(std::memory_order_acquire);
}
void store_release(std::uint32_t* p, std::uint32_t v) {
    std::atomic_ref<std::uint32_t>(*p).store(v, std::memory_order_release);
}

void* map(int fd, std::size_t size, off_t offset) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
    return p == MAP_FAILED ? nullptr : p;
}
}  // namespace

bool UringRing::open(unsigned sq_entries, unsigned cq_entries, unsigned flags) noexcept {
    close();
    io_uring_params params{};
    params.flags = flags | IORING_SETUP_CQSIZE;
    params.cq_entries = cq_entries;
    const int fd = sys_setup(sq_entries, &params);
    if (fd < 0) return false;
    fd_ = fd;
    features_ = params.features;

    // The SQ ring ends with its index array, the CQ ring with its CQEs. Since 5.4 one mapping
    // (the larger size, at the SQ ring's offset) holds both.
    sq_map_size_ = params.sq_off.array + params.sq_entries * sizeof(std::uint32_t);
    cq_map_size_ = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
    single_mmap_ = (features_ & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single_mmap_) sq_map_size_ = cq_map_size_ = std::max(sq_map_size_, cq_map_size_);
    sq_map_ = map(fd_, sq_map_size_, static_cast<off_t>(IORING_OFF_SQ_RING));
    cq_map_ = single_mmap_ ? sq_map_ : map(fd_, cq_map_size_, static_cast<off_t>(IORING_OFF_CQ_RING));
    sqes_size_ = params.sq_entries * sizeof(io_uring_sqe);
    void* sqes = map(fd_, sqes_size_, static_cast<off_t>(IORING_OFF_SQES));
    if (sq_map_ == nullptr || cq_map_ == nullptr || sqes == nullptr) {
        const int saved = errno;
        if (sqes != nullptr) ::munmap(sqes, sqes_size_);
        close();
        errno = saved;
        return false;
    }
    sqes_ = static_cast<io_uring_sqe*>(sqes);

    sq_head_ = at(sq_map_, params.sq_off.head);
    sq_tail_ = at(sq_map_, params.sq_off.tail);
    sq_flags_ = at(sq_map_, params.sq_off.flags);
    sq_array_ = at(sq_map_, params.sq_off.array);
    sq_mask_ = *at(sq_map_, params.sq_off.ring_mask);
    sq_entries_ = *at(sq_map_, params.sq_off.ring_entries);
    cq_head_ = at(cq_map_, params.cq_off.head);
    cq_tail_ = at(cq_map_, params.cq_off.tail);
    cq_mask_ = *at(cq_map_, params.cq_off.ring_mask);
    cqes_ = reinterpret_cast<io_uring_cqe*>(static_cast<char*>(cq_map_) + params.cq_off.cqes);
    local_tail_ = *sq_tail_;
    return true;
}

void UringRing::close() noexcept {
    if (sqes_ != nullptr) ::munmap(sqes_, sqes_size_);
    if (cq_map_ != nullptr && !single_mmap_) ::munmap(cq_map_, cq_map_size_);
    if (sq_map_ != nullptr) ::munmap(sq_map_, sq_map_size_);
    if (fd_ >= 0) ::close(fd_);  // cancels every request still in flight
    fd_ = -1;
    features_ = 0;
    sq_map_ = cq_map_ = nullptr;
    sqes_ = nullptr;
    sq_map_size_ = cq_map_size_ = sqes_size_ = 0;
    single_mmap_ = false;
    sq_head_ = sq_tail_ = sq_flags_ = sq_array_ = cq_head_ = cq_tail_ = nullptr;
    cqes_ = nullptr;
    sq_mask_ = sq_entries_ = cq_mask_ = local_tail_ = 0;
}

bool UringRing::supports(std::span<const std::uint8_t> opcodes) const noexcept {
    // struct io_uring_probe ends in a flexible array: a zeroed byte buffer holds it, and the
    // fields are read back by offset with memcpy.
    constexpr unsigned kOps = 256;
    alignas(8) unsigned char probe[sizeof(io_uring_probe) + kOps * sizeof(io_uring_probe_op)] = {};
    if (sys_register(fd_, IORING_REGISTER_PROBE, probe, kOps) < 0) return false;
    const unsigned char ops_len = probe[offsetof(io_uring_probe, ops_len)];
    for (const std::uint8_t opcode : opcodes) {
        if (opcode >= ops_len) return false;
        io_uring_probe_op op;
        std::memcpy(&op, probe + sizeof(io_uring_probe) + opcode * sizeof op, sizeof op);
        if ((op.flags & IO_URING_OP_SUPPORTED) == 0) return false;
    }
    return true;
}

io_uring_sqe* UringRing::next_sqe() noexcept {
    if (local_tail_ - load_acquire(sq_head_) >= sq_entries_) return nullptr;
    const std::uint32_t index = local_tail_ & sq_mask_;
    io_uring_sqe* sqe = &sqes_[index];
    std::memset(sqe, 0, sizeof *sqe);
    sq_array_[index] = index;
    ++local_tail_;
    return sqe;
}

unsigned UringRing::queued() const noexcept { return local_tail_ - load_acquire(sq_head_); }

io_uring_sqe* UringRing::unconsumed(std::uint32_t position) noexcept {
    // Unconsumed: from the kernel's head up to our tail (wrapping arithmetic).
    if (sqes_ == nullptr || position - load_acquire(sq_head_) >= queued()) return nullptr;
    return &sqes_[sq_array_[position & sq_mask_]];
}

namespace {
// struct io_uring_sync_cancel_reg and its opcode (uapi, 6.0); older headers lack them.
constexpr unsigned kRegisterSyncCancel = 24;
struct SyncCancel {
    std::uint64_t addr;
    std::int32_t fd;
    std::uint32_t flags;
    __kernel_timespec timeout;
    std::uint64_t pad[4];
};
static_assert(sizeof(SyncCancel) == 64);
}  // namespace

int UringRing::cancel_now(std::uint64_t user_data) noexcept {
    SyncCancel reg{};
    reg.addr = user_data;
    reg.fd = -1;
    reg.timeout.tv_sec = -1;  // no limit: a send waiting for room is cancelled at once anyway
    reg.timeout.tv_nsec = -1;
    return sys_register(fd_, kRegisterSyncCancel, &reg, 1) < 0 ? -errno : 0;
}

int UringRing::enter(unsigned min_complete, unsigned flags, const void* arg, std::size_t arg_size) noexcept {
    store_release(sq_tail_, local_tail_);  // publish what next_sqe() filled
    const int n = sys_enter(fd_, queued(), min_complete, flags, arg, arg_size);
    return n < 0 ? -errno : 0;
}

int UringRing::submit() noexcept { return queued() == 0 ? 0 : enter(0, 0, nullptr, 0); }

int UringRing::wait(long long timeout_ns) noexcept {
    if (timeout_ns == 0) {
        // Nothing to submit and completions already waiting: no system call. Otherwise enter
        // with GETEVENTS anyway: it runs pending task work and flushes CQEs that overflowed
        // the ring (FEAT_NODROP keeps them in the kernel until then).
        const std::uint32_t pending = load_acquire(cq_tail_) - *cq_head_;
        const std::uint32_t busy = load_acquire(sq_flags_) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN);
        if (queued() == 0 && pending != 0 && busy == 0) return 0;
        return enter(0, IORING_ENTER_GETEVENTS, nullptr, 0);
    }
    if (timeout_ns < 0) return enter(1, IORING_ENTER_GETEVENTS, nullptr, 0);
    // EXT_ARG (5.11): the timeout travels with the wait itself, no IORING_OP_TIMEOUT request.
    __kernel_timespec ts{};
    ts.tv_sec = timeout_ns / 1'000'000'000LL;
    ts.tv_nsec = timeout_ns % 1'000'000'000LL;
    io_uring_getevents_arg arg{};
    arg.ts = reinterpret_cast<std::uint64_t>(&ts);
    return enter(1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
}

std::size_t UringRing::pop(std::span<Completion> out) noexcept {
    const std::uint32_t head = *cq_head_;
    const std::uint32_t ready = load_acquire(cq_tail_) - head;
    const std::size_t n = std::min<std::size_t>(ready, out.size());
    for (std::size_t i = 0; i < n; ++i) {
        const io_uring_cqe& cqe = cqes_[(head + static_cast<std::uint32_t>(i)) & cq_mask_];
        out[i] = {cqe.user_data, cqe.res, cqe.flags};
    }
    store_release(cq_head_, head + static_cast<std::uint32_t>(n));  // the kernel may reuse the slots
    return n;
}

}  // namespace sluice::net
