// test/app/output_queue_test.cpp — coalescing copies, shared frames by reference, partial writes.
#include "app/detail/output_queue.hpp"

#include <doctest/doctest.h>

#include <sys/uio.h>

#include <cstring>
#include <string>

using sluice::detail::OutputQueue;
using sluice::core::BlockPool;
using sluice::core::SharedBytes;

namespace {
std::span<const std::uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
std::string gathered(const OutputQueue& q) {
    struct iovec iov[64];
    const int n = q.gather(iov, 64);
    std::string out;
    for (int i = 0; i < n; ++i) out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    return out;
}
}  // namespace

TEST_SUITE("app") {

TEST_CASE("output queue: small copies coalesce into one segment") {
    BlockPool pool(4096);
    OutputQueue q(&pool);
    for (int i = 0; i < 10; ++i) REQUIRE(q.append_copy(bytes("frame" + std::to_string(i) + ";")));
    CHECK(q.segments() == 1);
    CHECK(gathered(q) == "frame0;frame1;frame2;frame3;frame4;frame5;frame6;frame7;frame8;frame9;");
}

TEST_CASE("output queue: a copy larger than a block gets its own block; order is kept") {
    BlockPool pool(1024);
    OutputQueue q(&pool);
    const std::string big(5000, 'b');
    REQUIRE(q.append_copy(bytes("head")));
    REQUIRE(q.append_copy(bytes(big)));
    REQUIRE(q.append_copy(bytes("tail")));
    CHECK(q.size() == 5008);
    CHECK(gathered(q) == "head" + big + "tail");
}

TEST_CASE("output queue: a shared frame is queued by reference, never copied") {
    BlockPool pool(4096);
    SharedBytes frame = SharedBytes::create(&pool, 5);
    std::memcpy(frame.writable().data(), "hello", 5);
    OutputQueue a(&pool), b(&pool);
    a.append_shared(frame, 5);
    b.append_shared(frame, 5);
    CHECK(frame.use_count() == 3);
    CHECK(gathered(a) == "hello");
    struct iovec iov[4];
    REQUIRE(a.gather(iov, 4) == 1);
    CHECK(iov[0].iov_base == frame.bytes().data());   // the very same bytes
    REQUIRE(a.append_copy(bytes("!")));               // a copy after it does not write into it
    CHECK(gathered(a) == "hello!");
    CHECK(gathered(b) == "hello");
    a.consume(6);
    b.consume(5);
    CHECK(frame.use_count() == 1);
    CHECK(a.empty());
}

TEST_CASE("output queue: partial writes consume across segments") {
    BlockPool pool(256);
    OutputQueue q(&pool);
    SharedBytes frame = SharedBytes::create(&pool, 3);
    std::memcpy(frame.writable().data(), "SSS", 3);
    REQUIRE(q.append_copy(bytes("abc")));
    q.append_shared(frame, 3);
    REQUIRE(q.append_copy(bytes("xyz")));
    q.consume(2);
    CHECK(gathered(q) == "cSSSxyz");
    q.consume(2);
    CHECK(gathered(q) == "SSxyz");
    q.consume(4);
    CHECK(gathered(q) == "z");
    q.consume(10);   // clamped
    CHECK(q.empty());
    CHECK(q.segments() == 0);
    CHECK(pool.in_use() == 1);   // only `frame` remains: the queue released its blocks
}

}  // TEST_SUITE
