#include "core/byte_order.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>

TEST_SUITE("core") {

TEST_CASE("RFC 6455 5.2: multibyte lengths are read in network byte order") {
    const std::uint8_t bytes[9] = {0xAA, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    // Offset 1: unaligned on purpose.
    CHECK(sluice::core::load_be16(bytes + 1) == 0x0102u);
    CHECK(sluice::core::load_be32(bytes + 1) == 0x01020304u);
    CHECK(sluice::core::load_be64(bytes + 1) == 0x0102030405060708ull);
    const std::uint8_t high[8] = {0x80, 0, 0, 0, 0, 0, 0, 0xFF};
    CHECK(sluice::core::load_be64(high) == 0x80000000000000FFull);
}

TEST_CASE("RFC 6455 5.2: multibyte lengths are written in network byte order") {
    std::array<std::uint8_t, 9> out{};
    sluice::core::store_be16(out.data() + 1, 0xBEEF);
    CHECK(out[1] == 0xBE);
    CHECK(out[2] == 0xEF);
    CHECK(out[0] == 0);
    CHECK(out[3] == 0);
    sluice::core::store_be32(out.data() + 1, 0x01020304u);
    CHECK(out == std::array<std::uint8_t, 9>{0, 1, 2, 3, 4, 0, 0, 0, 0});
    sluice::core::store_be64(out.data() + 1, 0x0102030405060708ull);
    CHECK(out == std::array<std::uint8_t, 9>{0, 1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("byte order: store then load is the identity") {
    std::uint8_t buf[8];
    for (std::uint64_t v : {0ull, 1ull, 0xFFull, 0x1234567890ABCDEFull, ~0ull}) {
        sluice::core::store_be64(buf, v);
        CHECK(sluice::core::load_be64(buf) == v);
        sluice::core::store_be32(buf, static_cast<std::uint32_t>(v));
        CHECK(sluice::core::load_be32(buf) == static_cast<std::uint32_t>(v));
        sluice::core::store_be16(buf, static_cast<std::uint16_t>(v));
        CHECK(sluice::core::load_be16(buf) == static_cast<std::uint16_t>(v));
    }
}

}  // TEST_SUITE
