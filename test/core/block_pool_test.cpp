#include "core/block_pool.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "test/support/dies_in_child.hpp"

using sluice::core::BlockPool;
using sluice::core::SharedBytes;
using sluice::test::dies_in_child;

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_TEST_ASAN 1
#endif
#endif


TEST_SUITE("core") {

TEST_CASE("BlockPool: blocks are distinct, aligned, at least block_size, and counted") {
    BlockPool pool(100, 4);
    CHECK(pool.block_size() >= 100);
    CHECK(pool.block_size() % 16 == 0);
    std::vector<std::uint8_t*> blocks;
    std::set<std::uint8_t*> seen;
    for (int i = 0; i < 10; ++i) {
        std::uint8_t* b = pool.acquire();
        REQUIRE(b != nullptr);
        CHECK(reinterpret_cast<std::uintptr_t>(b) % 16 == 0);
        std::memset(b, i, pool.block_size());  // the whole block is ours (ASan checks)
        blocks.push_back(b);
        seen.insert(b);
    }
    CHECK(seen.size() == 10);
    CHECK(pool.in_use() == 10);
    CHECK(pool.high_water() == 10);
    CHECK(pool.allocated() == 12);  // 3 chunks of 4
    CHECK(pool.chunks() == 3);
    for (int i = 0; i < 10; ++i) CHECK(blocks[static_cast<std::size_t>(i)][pool.block_size() - 1] == i);
    for (auto* b : blocks) pool.release(b);
    CHECK(pool.in_use() == 0);
    CHECK(pool.high_water() == 10);
    pool.release(nullptr);
    CHECK(pool.in_use() == 0);
}

TEST_CASE("BlockPool: no allocation after warm-up in steady state") {
    BlockPool pool(4096, 8);
    std::vector<std::uint8_t*> live;
    // Warm-up: reach the peak once.
    for (int i = 0; i < 20; ++i) live.push_back(pool.acquire());
    for (auto* b : live) pool.release(b);
    live.clear();
    const std::size_t warmed = pool.allocated();
    // Steady state: churn below the peak many times.
    for (int round = 0; round < 1000; ++round) {
        for (int i = 0; i < 1 + round % 20; ++i) live.push_back(pool.acquire());
        while (!live.empty()) {
            pool.release(live.back());
            live.pop_back();
        }
    }
    CHECK(pool.allocated() == warmed);
    CHECK(pool.high_water() == 20);
    CHECK(pool.in_use() == 0);
}

#if defined(SLUICE_TEST_ASAN)
TEST_CASE("BlockPool: under ASan, touching a block after release() is reported") {
    BlockPool pool(64);
    std::uint8_t* block = pool.acquire();
    block[40] = 1;  // fine while acquired
    CHECK_FALSE(dies_in_child([&] { block[40] = 2; }));
    pool.release(block);
    CHECK(dies_in_child([&] { block[40] = 3; }));
    CHECK(pool.acquire() == block);  // usable again once re-acquired
    block[63] = 4;
    CHECK(block[63] == 4);
}
#endif

TEST_CASE("BlockPool: a released block is reused first (LIFO, warm in cache)") {
    BlockPool pool(64);
    std::uint8_t* a = pool.acquire();
    std::uint8_t* b = pool.acquire();
    pool.release(a);
    CHECK(pool.acquire() == a);
    pool.release(b);
    CHECK(pool.acquire() == b);
}

TEST_CASE("SharedBytes: copies share one block; the last drop returns it to the pool") {
    BlockPool pool(256, 4);
    {
        SharedBytes frame = SharedBytes::create(&pool, 100);
        REQUIRE(frame);
        CHECK(frame.size() == 100);
        CHECK(frame.use_count() == 1);
        CHECK(pool.in_use() == 1);
        std::memset(frame.writable().data(), 0xAB, 100);
        std::vector<SharedBytes> queues(5, frame);  // five subscribers
        CHECK(frame.use_count() == 6);
        CHECK(pool.in_use() == 1);
        CHECK(queues[3].bytes().data() == frame.bytes().data());
        CHECK(queues[3].bytes()[99] == 0xAB);
        CHECK(reinterpret_cast<std::uintptr_t>(frame.bytes().data()) % 16 == 0);
        queues.clear();
        CHECK(frame.use_count() == 1);
        CHECK(pool.in_use() == 1);
    }
    CHECK(pool.in_use() == 0);
}

TEST_CASE("SharedBytes: move, assignment, self-assignment and reset") {
    BlockPool pool(128);
    SharedBytes a = SharedBytes::create(&pool, 10);
    SharedBytes b = std::move(a);
    CHECK_FALSE(a);  // NOLINT: moved-from is empty by contract
    CHECK(a.use_count() == 0);
    CHECK(a.bytes().empty());
    CHECK(b.use_count() == 1);
    SharedBytes c;
    c = b;
    CHECK(b.use_count() == 2);
    const SharedBytes& alias = c;
    c = alias;  // self-assignment keeps the count
    CHECK(c.use_count() == 2);
    SharedBytes d = SharedBytes::create(&pool, 10);
    CHECK(pool.in_use() == 2);
    d = std::move(c);  // d's old block is released
    CHECK(pool.in_use() == 1);
    CHECK(d.use_count() == 2);
    d.reset();
    b.reset();
    CHECK(pool.in_use() == 0);
}

TEST_CASE("SharedBytes: sizes above the pool's block size, or no pool, come from the heap") {
    BlockPool pool(64);
    SharedBytes big = SharedBytes::create(&pool, 1000);
    REQUIRE(big);
    CHECK(pool.in_use() == 0);
    std::memset(big.writable().data(), 1, 1000);  // ASan checks the whole span is ours
    SharedBytes heap = SharedBytes::create(nullptr, 5);
    REQUIRE(heap);
    CHECK(heap.size() == 5);
    SharedBytes border = SharedBytes::create(&pool, pool.block_size());  // no room for the header
    CHECK(pool.in_use() == 0);
    SharedBytes fits = SharedBytes::create(&pool, pool.block_size() - SharedBytes::kHeaderBytes);
    CHECK(pool.in_use() == 1);
    std::memset(fits.writable().data(), 2, fits.size());
    SharedBytes zero = SharedBytes::create(&pool, 0);
    CHECK(zero);
    CHECK(zero.bytes().empty());
}

}  // TEST_SUITE
