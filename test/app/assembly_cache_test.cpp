// test/app/assembly_cache_test.cpp — a worker's cache of released assembly buffers.
#include "app/detail/assembly_cache.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "proto/ws_frame.hpp"

using sluice::detail::AssemblyCache;

TEST_SUITE("app") {

TEST_CASE("assembly cache: a released block is lent again only within [min, max]") {
    AssemblyCache cache;
    std::size_t cap = 0;
    std::uint8_t* a = cache.acquire(65536, 65536, cap);
    REQUIRE(a != nullptr);
    CHECK(cap == 65536);
    CHECK(cache.allocations() == 1);
    cache.release(a, cap);
    CHECK(cache.blocks() == 1);
    CHECK(cache.bytes() == 65536);

    std::uint8_t* small = cache.acquire(4096, 8192, cap);   // too big for [4096, 8192]: a new block
    CHECK(small != a);
    CHECK(cap == 4096);
    CHECK(cache.allocations() == 2);
    std::uint8_t* again = cache.acquire(40000, 80000, cap);   // fits: the same memory, no malloc
    CHECK(again == a);
    CHECK(cap == 65536);
    CHECK(cache.allocations() == 2);
    CHECK(cache.blocks() == 0);
    cache.release(small, 4096);
    cache.release(again, 65536);
}

TEST_CASE("assembly cache: it keeps at most kMaxBlocks blocks and kMaxBytes bytes") {
    AssemblyCache cache;
    std::vector<std::pair<std::uint8_t*, std::size_t>> lent;
    for (std::size_t i = 0; i < AssemblyCache::kMaxBlocks + 2; ++i) {
        std::size_t cap = 0;
        lent.emplace_back(cache.acquire(1000 + i, 1000 + i, cap), cap);
    }
    for (auto [p, c] : lent) cache.release(p, c);
    CHECK(cache.blocks() == AssemblyCache::kMaxBlocks);
    std::size_t cap = 0;
    std::uint8_t* huge = cache.acquire(AssemblyCache::kMaxBytes, AssemblyCache::kMaxBytes, cap);
    REQUIRE(huge != nullptr);
    cache.release(huge, cap);   // over the byte budget with the others: freed, not kept
    CHECK(cache.blocks() == AssemblyCache::kMaxBlocks);
    CHECK(cache.bytes() <= AssemblyCache::kMaxBytes);
}

TEST_CASE("RFC 6455 5.4: a receiver fed by the cache reuses one block across messages, no malloc per message") {
    AssemblyCache cache;
    using namespace sluice::proto;
    WsReceiver rx(Role::server, {}, WsInput::returned_after_each_event, cache.source());
    constexpr std::array<std::uint8_t, 4> key = {9, 8, 7, 6};
    for (int round = 0; round < 5; ++round) {
        const std::string payload(70000, static_cast<char>('a' + round));
        std::vector<std::uint8_t> in(kMaxFrameHeader + payload.size());
        const std::size_t h = encode_frame_header(in.data(), Opcode::binary, true, payload.size(), &key);
        in.resize(h + payload.size());
        std::memcpy(in.data() + h, payload.data(), payload.size());
        unmask(std::span<std::uint8_t>(in.data() + h, payload.size()), key, 0);
        std::vector<std::uint8_t> first(in.begin(), in.begin() + 50000), second(in.begin() + 50000, in.end());
        REQUIRE(rx.next(first).kind == WsEventKind::need_more);
        const WsEvent ev = rx.next(second);
        REQUIRE(ev.kind == WsEventKind::message);
        CHECK(std::string(ev.payload.begin(), ev.payload.end()) == payload);
        std::vector<std::uint8_t> none;
        CHECK(rx.next(none).kind == WsEventKind::need_more);   // delivered: the block goes back
        CHECK(rx.assembly_capacity() == 0);
    }
    CHECK(cache.allocations() == 1);
    CHECK(cache.blocks() == 1);
}

}  // TEST_SUITE
