#include "proto/ws_unmask.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

namespace {

using sluice::proto::unmask;
using sluice::proto::unmask_avx2;
using sluice::proto::unmask_bytewise;
using sluice::proto::unmask_scalar;
using sluice::proto::unmask_sse2;
using Key = std::array<std::uint8_t, 4>;
using Fn = void (*)(std::span<std::uint8_t>, Key, std::uint64_t) noexcept;

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 37 + (i >> 3));
    return v;
}

// Every length 0..300, every key rotation (offset 0..7, including past 4), every start
// alignment 0..31 inside a larger buffer; bytes outside the span must stay untouched.
void check_against_reference(Fn fn) {
    const Key keys[] = {{0x37, 0xfa, 0x21, 0x3d}, {0x00, 0x00, 0x00, 0x00}, {0xff, 0x01, 0x80, 0x7f}};
    for (const Key& key : keys) {
        for (std::size_t len = 0; len <= 300; ++len) {
            for (std::uint64_t offset = 0; offset < 8; ++offset) {
                const std::size_t align = (len * 7 + offset) % 32;
                auto expected = pattern(len + 64, static_cast<std::uint8_t>(len));
                auto actual = expected;
                unmask_bytewise(std::span<std::uint8_t>(expected.data() + align, len), key, offset);
                fn(std::span<std::uint8_t>(actual.data() + align, len), key, offset);
                if (expected != actual) {
                    FAIL("mismatch at len " << len << " offset " << offset << " align " << align);
                }
            }
        }
    }
    CHECK(true);  // every combination above compared equal
}

}  // namespace

TEST_SUITE("proto") {
    TEST_CASE("RFC 6455 5.3: the reference XORs octet i with key octet (offset + i) mod 4") {
        std::vector<std::uint8_t> bytes = {0x48, 0x65, 0x6c, 0x6c, 0x6f};
        unmask_bytewise(bytes, {0x37, 0xfa, 0x21, 0x3d}, 0);
        // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
        CHECK(bytes == std::vector<std::uint8_t>{0x7f, 0x9f, 0x4d, 0x51, 0x58});
        std::vector<std::uint8_t> tail = {0x51, 0x58};  // the last two masked bytes, offset 3
        unmask_bytewise(tail, {0x37, 0xfa, 0x21, 0x3d}, 3);
        CHECK(tail == std::vector<std::uint8_t>{0x6c, 0x6f});
    }

    TEST_CASE("RFC 6455 5.3: scalar unmask equals the reference for every length, rotation and alignment") {
        check_against_reference(&unmask_scalar);
    }

    TEST_CASE("RFC 6455 5.3: SSE2 unmask equals the reference for every length, rotation and alignment") {
        INFO("SSE2 compiled in: " << sluice::proto::unmask_sse2_available());
        check_against_reference(&unmask_sse2);
    }

    TEST_CASE("RFC 6455 5.3: AVX2 unmask equals the reference for every length, rotation and alignment") {
        INFO("AVX2 on this CPU: " << sluice::proto::unmask_avx2_available());
        check_against_reference(&unmask_avx2);
    }

    TEST_CASE("RFC 6455 5.3: the dispatching unmask equals the reference") {
        check_against_reference(&unmask);
    }

    TEST_CASE("RFC 6455 5.3: unmasking piece by piece with offsets equals unmasking whole") {
        const Key key = {0x12, 0x34, 0x56, 0x78};
        const auto original = pattern(1000, 9);
        auto whole = original;
        unmask(whole, key, 0);
        for (std::size_t piece : {1u, 3u, 5u, 17u, 33u, 64u, 999u}) {
            auto pieces = original;
            for (std::size_t at = 0; at < pieces.size(); at += piece) {
                const std::size_t n = std::min(piece, pieces.size() - at);
                unmask(std::span<std::uint8_t>(pieces.data() + at, n), key, at);
            }
            CHECK(pieces == whole);
        }
        unmask(whole, key, 0);  // masking is its own inverse
        CHECK(whole == original);
    }
}
