#include "proto/ws_close.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace sluice::proto;

TEST_SUITE("proto") {
    TEST_CASE("RFC 6455 7.4: exactly 1000-1003, 1007-1014 and 3000-4999 are valid on the wire") {
        int valid = 0;
        for (std::uint32_t code = 0; code <= 0xFFFF; ++code) {
            const auto c = static_cast<std::uint16_t>(code);
            const bool expected =
                (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
            if (is_valid_wire_close_code(c) != expected) FAIL("code " << code);
            valid += expected ? 1 : 0;
        }
        CHECK(valid == 4 + 8 + 2000);
        const std::uint16_t bad_codes[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535};
        for (std::uint16_t bad : bad_codes) {
            CHECK_FALSE(is_valid_wire_close_code(bad));
        }
    }

    TEST_CASE("RFC 6455 5.5.1: a close body is the big-endian code then the reason") {
        std::array<std::uint8_t, 125> out{};
        auto n = encode_close_payload(1001, "bye", out);
        REQUIRE(n);
        CHECK(*n == 5);
        CHECK(out[0] == 0x03);
        CHECK(out[1] == 0xE9);
        CHECK(std::string(out.begin() + 2, out.begin() + 5) == "bye");
        n = encode_close_payload(kCloseNoStatus, "", out);
        REQUIRE(n);
        CHECK(*n == 0);
        CHECK_FALSE(encode_close_payload(kCloseNoStatus, "reason without code", out));
    }

    TEST_CASE("RFC 6455 5.5: a close reason is at most 123 bytes") {
        std::array<std::uint8_t, 125> out{};
        CHECK(encode_close_payload(1000, std::string(123, 'a'), out));
        CHECK_FALSE(encode_close_payload(1000, std::string(124, 'a'), out));
        std::array<std::uint8_t, 4> small{};
        CHECK_FALSE(encode_close_payload(1000, "abc", small));
    }
}
