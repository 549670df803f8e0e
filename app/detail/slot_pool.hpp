// app/detail/slot_pool.hpp — fixed-size blocks for one type, carved from 16 KiB slabs.
//
// Every idle WebSocket is one Connection block: from malloc it carries a 16-byte header and
// rounds up to its size class, and a spike of accepts leaves holes between the survivors.
// A slot pool carves slabs into slots of the exact size and keeps a free list per thread
// (a connection lives and dies on its worker's thread), so a slot costs its size and nothing
// else, and a freed one is the next accept's.
//
//   SlotPool::take(): this thread's free list -> the rest of its slab -> a new slab
//   SlotPool::give(): onto this thread's free list (a slot freed on another thread joins that one)
//
// Slabs are never returned: they are kept for the process's life (in one list, under a lock
// taken once per slab) and their free slots are reused, as malloc keeps a peak's arena.
// Under AddressSanitizer a free slot is poisoned: a use after free is still reported.
#pragma once

#include <cstddef>

namespace sluice::detail {

class SlotPool {  // Owns the slabs it carved (for the process's life); the free lists are per thread.
 public:
    // `slot_size` bytes each, aligned to a pointer (rounded up to a multiple of it).
    explicit SlotPool(std::size_t slot_size) noexcept;
    SlotPool(const SlotPool&) = delete;
    SlotPool& operator=(const SlotPool&) = delete;

    void* take();                       // one slot of slot_size bytes (throws std::bad_alloc)
    void give(void* slot) noexcept;     // a slot from take(), on any thread
    std::size_t slot_size() const noexcept { return slot_size_; }

    static constexpr std::size_t kSlabBytes = 16 * 1024;

 private:
    std::size_t slot_size_;
};

}  // namespace sluice::detail
