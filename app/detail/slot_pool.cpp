// app/detail/slot_pool.cpp — see slot_pool.hpp.
#include "app/detail/slot_pool.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_SLOT_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_SLOT_POOL_ASAN 1
#endif
#endif
#ifdef SLUICE_SLOT_POOL_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace sluice::detail {

namespace {

// One thread's state for one pool: its free slots (linked through their first bytes) and the
// uncarved rest of its current slab. At most a few pools exist; a small fixed table suffices.
struct SlotPoolThreadState {
    const SlotPool* pool = nullptr;
    void* free_head = nullptr;
    unsigned char* carve = nullptr;
    std::size_t carve_left = 0;   // bytes
};
constexpr std::size_t kSlotPoolsMax = 4;
thread_local SlotPoolThreadState t_slot_pools[kSlotPoolsMax];

std::mutex g_slot_slabs_lock;
std::vector<void*>* g_slot_slabs = nullptr;   // every slab carved, kept for the process's life (never freed)

SlotPoolThreadState& slot_state_for(const SlotPool* pool) {
    for (SlotPoolThreadState& s : t_slot_pools) {
        if (s.pool == pool) return s;
        if (s.pool == nullptr) {
            s.pool = pool;
            return s;
        }
    }
    std::abort();   // more pools than kSlotPoolsMax: a programming error (the table is sized for the pools that exist)
}

void poison_slot(void* p, std::size_t n) noexcept {
#ifdef SLUICE_SLOT_POOL_ASAN
    ASAN_POISON_MEMORY_REGION(p, n);
#else
    (void)p;
    (void)n;
#endif
}

void unpoison_slot(void* p, std::size_t n) noexcept {
#ifdef SLUICE_SLOT_POOL_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
    (void)p;
    (void)n;
#endif
}

}  // namespace

SlotPool::SlotPool(std::size_t slot_size) noexcept
    : slot_size_((slot_size + alignof(void*) - 1) / alignof(void*) * alignof(void*)) {}

void* SlotPool::take() {
    SlotPoolThreadState& s = slot_state_for(this);
    if (s.free_head != nullptr) {
        void* slot = s.free_head;
        unpoison_slot(slot, slot_size_);
        std::memcpy(&s.free_head, slot, sizeof(void*));
        return slot;
    }
    if (s.carve_left < slot_size_) {
        auto* slab = static_cast<unsigned char*>(::operator new(kSlabBytes));
        {
            const std::lock_guard<std::mutex> lock(g_slot_slabs_lock);
            if (g_slot_slabs == nullptr) g_slot_slabs = new std::vector<void*>();
            g_slot_slabs->push_back(slab);
        }
        s.carve = slab;
        s.carve_left = kSlabBytes;
    }
    void* slot = s.carve;
    s.carve += slot_size_;
    s.carve_left -= slot_size_;
    return slot;
}

void SlotPool::give(void* slot) noexcept {
    SlotPoolThreadState* s = nullptr;
    for (SlotPoolThreadState& t : t_slot_pools) {
        if (t.pool == this || t.pool == nullptr) {
            t.pool = this;
            s = &t;
            break;
        }
    }
    if (s == nullptr) return;   // unreachable (take() made the entry on some thread); kept, not freed
    std::memcpy(slot, &s->free_head, sizeof(void*));
    s->free_head = slot;
    poison_slot(slot, slot_size_);
}

}  // namespace sluice::detail
