#include "core/buffer.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string_view text_of(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("Buffer: a fresh buffer keeps kFramePrependRoom (RFC 6455 5.2 max header, 14) in front") {
    std::array<std::uint8_t, 64> storage{};
    sluice::core::Buffer b(storage.data(), storage.size());
    CHECK(sluice::core::kFramePrependRoom == 14);
    CHECK(b.capacity() == 64);
    CHECK(b.prependable_size() == 14);
    CHECK(b.readable_size() == 0);
    CHECK(b.writable_size() == 50);
    CHECK(b.writable().data() == storage.data() + 14);
    sluice::core::Buffer empty;
    CHECK(empty.capacity() == 0);
    CHECK(empty.writable_size() == 0);
    CHECK_FALSE(empty.append(bytes_of("x")));
    CHECK(empty.append(bytes_of("")));
}

TEST_CASE("Buffer: commit makes written bytes readable, consume drops them") {
    std::array<std::uint8_t, 32> storage{};
    sluice::core::Buffer b(storage.data(), storage.size(), 4);
    std::memcpy(b.writable().data(), "hello", 5);
    b.commit(5);
    CHECK(text_of(b.readable()) == "hello");
    CHECK(b.writable_size() == 32 - 4 - 5);
    b.consume(2);
    CHECK(text_of(b.readable()) == "llo");
    CHECK(b.prependable_size() == 6);
    b.consume(3);  // empty again: back at the prepend boundary
    CHECK(b.readable_size() == 0);
    CHECK(b.prependable_size() == 4);
    CHECK(b.writable_size() == 28);
    b.commit(1000);  // clamped
    CHECK(b.readable_size() == 28);
    CHECK(b.writable_size() == 0);
    b.consume(1000);  // clamped
    CHECK(b.readable_size() == 0);
}

TEST_CASE("Buffer: append is all or nothing") {
    std::array<std::uint8_t, 20> storage{};
    sluice::core::Buffer b(storage.data(), storage.size());  // 14 prepend + 6 writable
    CHECK(b.append(bytes_of("abcd")));
    CHECK_FALSE(b.append(bytes_of("efg")));  // only 2 left
    CHECK(text_of(b.readable()) == "abcd");
    CHECK(b.append(bytes_of("ef")));
    CHECK(text_of(b.readable()) == "abcdef");
    CHECK(b.writable_size() == 0);
}

TEST_CASE("RFC 6455 5.2: a header is prepended in front of a payload without moving it") {
    std::array<std::uint8_t, 64> storage{};
    sluice::core::Buffer b(storage.data(), storage.size());
    REQUIRE(b.append(bytes_of("payload")));
    const std::uint8_t* payload_at = b.readable().data();
    std::uint8_t* header = b.prepend(2);
    REQUIRE(header != nullptr);
    header[0] = 0x81;  // FIN + text
    header[1] = 7;
    CHECK(b.readable_size() == 9);
    CHECK(b.readable()[0] == 0x81);
    CHECK(b.readable().data() + 2 == payload_at);
    CHECK(b.prepend(12) != nullptr);  // the full 14 bytes fit
    CHECK(b.prependable_size() == 0);
    CHECK(b.prepend(1) == nullptr);  // no room: nothing changes
    CHECK(b.readable_size() == 21);
}

TEST_CASE("Buffer: compact moves the content back to the prepend boundary") {
    std::array<std::uint8_t, 32> storage{};
    sluice::core::Buffer b(storage.data(), storage.size(), 4);
    REQUIRE(b.append(bytes_of("0123456789")));
    b.consume(6);
    CHECK(b.prependable_size() == 10);
    CHECK(b.writable_size() == 18);
    b.compact();
    CHECK(text_of(b.readable()) == "6789");
    CHECK(b.prependable_size() == 4);
    CHECK(b.writable_size() == 24);
    CHECK(b.readable().data() == storage.data() + 4);
    // Content prepended past the boundary stays where it is.
    REQUIRE(b.prepend(2) != nullptr);
    b.compact();
    CHECK(b.prependable_size() == 2);
    CHECK(b.readable_size() == 6);
}

TEST_CASE("Buffer: clear drops everything; prepend room is clamped to capacity") {
    std::array<std::uint8_t, 8> storage{};
    sluice::core::Buffer small(storage.data(), storage.size());  // 14 > 8
    CHECK(small.prependable_size() == 8);
    CHECK(small.writable_size() == 0);
    sluice::core::Buffer b(storage.data(), storage.size(), 2);
    REQUIRE(b.append(bytes_of("abc")));
    b.clear();
    CHECK(b.readable_size() == 0);
    CHECK(b.prependable_size() == 2);
    CHECK(b.writable_size() == 6);
}

}  // TEST_SUITE
