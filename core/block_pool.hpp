// core/block_pool.hpp — fixed-size blocks with O(1) acquire/release, and SharedBytes,
// a reference-counted immutable block for data queued on many connections at once.
//
//   chunk (one allocation of blocks_per_chunk blocks)
//   +--------+---------+---------+---------+-----+
//   | header | block 0 | block 1 | block 2 | ... |     header links the chunks together
//   +--------+---------+---------+---------+-----+
//                 |                   ^
//                 +-- next free ------+             a free block stores the next free
//                                                  block's address in its first bytes
//
// acquire() pops the free list; when it is empty, it carves the next never-used block of
// the newest chunk (blocks are written only once acquired: untouched ones cost no resident
// pages), and when that is used up too, one more chunk is allocated. release() pushes. Chunks are only returned to the OS by the destructor,
// so once a workload has reached its high water mark, acquire/release never allocate
// (allocated() stops growing; the tests check exactly that).
//
// Under AddressSanitizer, free blocks are poisoned: touching a block after release() is
// reported at once.
//
// One thread: a pool belongs to one reactor thread (DESIGN.md "Threads"). Nothing here
// is atomic or locked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::core {

class BlockPool {  // Owns every block it ever allocated; frees them all in its destructor. One thread.
 public:
    // Blocks hold at least block_size bytes (rounded up to a multiple of 16 and to at
    // least 16), aligned to 16. blocks_per_chunk of 0 is treated as 1.
    explicit BlockPool(std::size_t block_size, std::size_t blocks_per_chunk = 64) noexcept;
    ~BlockPool();
    BlockPool(const BlockPool&) = delete;
    BlockPool& operator=(const BlockPool&) = delete;

    // O(1) (amortised: every blocks_per_chunk-th call on an empty pool allocates a chunk).
    // nullptr only when the OS refuses memory.
    std::uint8_t* acquire() noexcept;
    // O(1). `block` must come from this pool's acquire() and not be released twice;
    // nullptr is ignored.
    void release(std::uint8_t* block) noexcept;

    std::size_t block_size() const noexcept { return block_size_; }
    std::size_t in_use() const noexcept { return in_use_; }          // acquired, not released
    std::size_t high_water() const noexcept { return high_water_; }  // max in_use() ever
    std::size_t allocated() const noexcept { return allocated_; }    // blocks ever allocated
    std::size_t chunks() const noexcept { return chunks_; }          // OS allocations made

 private:
    bool grow() noexcept;

    std::size_t block_size_;
    std::size_t blocks_per_chunk_;
    void* free_ = nullptr;    // head of the intrusive free list
    void* chunks_head_ = nullptr;  // head of the chunk list (each chunk's header)
    std::uint8_t* carve_ = nullptr;  // the newest chunk's first never-acquired block
    std::size_t uncarved_ = 0;       // blocks from carve_ to that chunk's end
    std::size_t in_use_ = 0;
    std::size_t high_water_ = 0;
    std::size_t allocated_ = 0;
    std::size_t chunks_ = 0;
};

// A reference-counted, immutable byte block shared by many connections' output queues
// (a broadcast frame encoded once). The last SharedBytes to drop it returns the memory to
// its pool (or frees it, for sizes above the pool's block size).
//
// Shares ownership of one block: copy = ref+1, destroy = ref-1, the last one frees. The
// count is a plain integer, not atomic: every handle to one block lives on one thread. A
// publish that reaches subscribers on other threads is re-encoded once per thread, so
// no block is ever shared across threads. The pool must outlive every SharedBytes made
// from it.
//
//   allocation: [ Header: pool, refs, size | bytes ... ]     one block or one heap block
class SharedBytes {
 public:
    SharedBytes() noexcept = default;
    SharedBytes(const SharedBytes& other) noexcept;
    SharedBytes(SharedBytes&& other) noexcept;
    SharedBytes& operator=(const SharedBytes& other) noexcept;
    SharedBytes& operator=(SharedBytes&& other) noexcept;
    ~SharedBytes() { reset(); }

    // Bytes at the start of each allocation before bytes(): a pooled SharedBytes holds at
    // most pool.block_size() - kHeaderBytes bytes.
    static constexpr std::size_t kHeaderBytes = 32;

    // size bytes from `pool` when they fit its blocks (with the kHeaderBytes header), else
    // from the heap (operator new(nothrow)); pool may be nullptr => heap. An empty handle
    // (operator bool false) if memory is refused.
    static SharedBytes create(BlockPool* pool, std::size_t size) noexcept;

    // Fill once, before sharing (copies see the same bytes).
    std::span<std::uint8_t> writable() noexcept;
    std::span<const std::uint8_t> bytes() const noexcept;
    std::size_t size() const noexcept;

    // Handles that share this block (0 for an empty handle).
    std::size_t use_count() const noexcept;
    explicit operator bool() const noexcept { return header_ != nullptr; }

    // Drops this handle's reference; the handle becomes empty.
    void reset() noexcept;

 private:
    struct Header;
    explicit SharedBytes(Header* header) noexcept : header_(header) {}
    Header* header_ = nullptr;
};

}  // namespace sluice::core
