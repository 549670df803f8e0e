// test/app/slot_pool_test.cpp — the per-thread slot pool behind Connection's operator new.
#include "app/detail/slot_pool.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <thread>
#include <vector>

using sluice::detail::SlotPool;

TEST_SUITE("app") {

TEST_CASE("slot pool: slots are distinct, the exact size, and a freed one is the next taken") {
    static SlotPool pool(100);   // pools live for the process (their slabs are never returned)
    CHECK(pool.slot_size() == 104);   // rounded up to a pointer's alignment
    std::vector<unsigned char*> slots;
    const std::size_t many = 2 * SlotPool::kSlabBytes / pool.slot_size() + 3;   // across slabs
    for (std::size_t i = 0; i < many; ++i) {
        auto* s = static_cast<unsigned char*>(pool.take());
        CHECK(reinterpret_cast<std::uintptr_t>(s) % alignof(void*) == 0);
        std::memset(s, static_cast<int>(i & 0xff), pool.slot_size());   // the whole slot is usable
        slots.push_back(s);
    }
    for (std::size_t i = 0; i < many; ++i) {
        CHECK(slots[i][0] == static_cast<unsigned char>(i & 0xff));   // no two overlap
        CHECK(slots[i][pool.slot_size() - 1] == static_cast<unsigned char>(i & 0xff));
    }
    unsigned char* const freed = slots[5];
    pool.give(freed);
    CHECK(pool.take() == freed);
    for (unsigned char* s : slots) pool.give(s);
}

TEST_CASE("slot pool: a slot taken on one thread may be given back on another") {
    static SlotPool pool(64);
    void* slot = pool.take();
    std::thread other([&] {
        pool.give(slot);
        CHECK(pool.take() == slot);   // it joined that thread's free list
        pool.give(slot);
    });
    other.join();
}

}  // TEST_SUITE
