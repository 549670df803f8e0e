// UringRing: one io_uring instance over the raw system calls, no liburing. Linux only.
//
//   io_uring_setup(2)  -> the ring fd and the offsets of the shared structures
//   mmap(2) x 2 or 3   -> SQ ring (head, tail, mask, index array), CQ ring (head, tail, CQEs),
//                         the SQE array (one mapping for both rings with FEAT_SINGLE_MMAP)
//   io_uring_enter(2)  -> submit what was queued, wait for completions (EXT_ARG timeout)
//   io_uring_register(2) IORING_REGISTER_PROBE -> which opcodes this kernel implements;
//                        IORING_REGISTER_SYNC_CANCEL -> a cancel that waits for the request
//
//   submission:  next_sqe() fills sqes[tail & mask] and array[tail & mask]; the tail is
//                published (release) by enter(), which the kernel reads (acquire).
//   completion:  the kernel publishes cq.tail (release); pop() copies CQEs from head to
//                tail (acquire) and publishes the new head (release), freeing the slots.
//
// Only the structures and constants come from <linux/io_uring.h>; every access to the
// shared indices goes through std::atomic_ref, never a plain load the compiler may cache.
// Not thread-safe: one ring belongs to one loop thread (the reactor's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <linux/io_uring.h>

namespace sluice::net {

// Owns the ring fd and its mappings (released by close() or the destructor). Not copyable.
class UringRing {
 public:
    UringRing() noexcept = default;
    ~UringRing() { close(); }
    UringRing(const UringRing&) = delete;
    UringRing& operator=(const UringRing&) = delete;

    // Creates a ring of `sq_entries` SQEs and `cq_entries` CQEs (both rounded up to powers of
    // two by the kernel), and maps it. False with errno set when the kernel refuses: ENOSYS
    // (no io_uring), EPERM (seccomp, /proc/sys/kernel/io_uring_disabled), ENOMEM, EINVAL.
    // `flags` are IORING_SETUP_* flags beyond CQSIZE, which open() adds itself.
    bool open(unsigned sq_entries, unsigned cq_entries, unsigned flags) noexcept;
    void close() noexcept;
    bool is_open() const noexcept { return fd_ >= 0; }

    // IORING_FEAT_* bits the kernel reported at setup.
    std::uint32_t features() const noexcept { return features_; }
    // True when the kernel implements every one of `opcodes` (one io_uring_register call).
    bool supports(std::span<const std::uint8_t> opcodes) const noexcept;

    // A zeroed SQE at the tail, or nullptr when the SQ is full (call submit() and retry).
    // The entry is submitted by the next submit() or wait().
    io_uring_sqe* next_sqe() noexcept;
    // Submits every queued SQE without waiting. Returns 0 or -errno.
    int submit() noexcept;
    // Submits every queued SQE and waits until at least one CQE is ready or `timeout_ns`
    // passed (negative: no limit; 0: do not wait). Returns 0, -ETIME or -EINTR, else -errno.
    int wait(long long timeout_ns) noexcept;

    // What a CQE says (io_uring_cqe has a flexible array member, so it is not used as an
    // array element; its three fields are copied out instead).
    struct Completion {
        std::uint64_t user_data;
        std::int32_t res;
        std::uint32_t flags;
    };
    // Copies up to out.size() ready CQEs into `out`, frees their slots, returns how many.
    std::size_t pop(std::span<Completion> out) noexcept;
    // SQEs queued but not yet consumed by the kernel.
    unsigned queued() const noexcept;
    // The SQ position of the SQE next_sqe() returned last.
    std::uint32_t last_position() const noexcept { return local_tail_ - 1; }
    // The SQE at `position` while the kernel has not consumed it (it may still be rewritten:
    // the kernel reads SQEs only inside io_uring_enter), else nullptr.
    io_uring_sqe* unconsumed(std::uint32_t position) noexcept;
    // Cancels the request `user_data` and returns once it is over (IORING_REGISTER_SYNC_CANCEL,
    // 6.0; its CQE, -ECANCELED or its result, is in the CQ): the kernel touches none of its
    // buffers any more. 0, -ENOENT (none such: already completed), or -errno (-EINVAL:
    // this kernel has no synchronous cancel).
    int cancel_now(std::uint64_t user_data) noexcept;

 private:
    int enter(unsigned min_complete, unsigned flags, const void* arg, std::size_t arg_size) noexcept;

    int fd_ = -1;
    std::uint32_t features_ = 0;
    // The mappings: SQ ring, CQ ring (the same one when single_mmap_), the SQE array.
    void* sq_map_ = nullptr;
    std::size_t sq_map_size_ = 0;
    void* cq_map_ = nullptr;
    std::size_t cq_map_size_ = 0;
    io_uring_sqe* sqes_ = nullptr;
    std::size_t sqes_size_ = 0;
    bool single_mmap_ = false;
    // Pointers into the mappings (shared with the kernel).
    std::uint32_t* sq_head_ = nullptr;   // written by the kernel
    std::uint32_t* sq_tail_ = nullptr;   // written by us
    std::uint32_t* sq_flags_ = nullptr;  // written by the kernel (IORING_SQ_*)
    std::uint32_t* sq_array_ = nullptr;  // written by us: SQE index per slot
    std::uint32_t sq_mask_ = 0;
    std::uint32_t sq_entries_ = 0;
    std::uint32_t* cq_head_ = nullptr;  // written by us
    std::uint32_t* cq_tail_ = nullptr;  // written by the kernel
    io_uring_cqe* cqes_ = nullptr;
    std::uint32_t cq_mask_ = 0;
    // Our copy of the SQ tail: advanced by next_sqe(), published by submit()/wait().
    std::uint32_t local_tail_ = 0;
};

}  // namespace sluice::net
