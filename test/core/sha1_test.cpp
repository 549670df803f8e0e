#include "core/sha1.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/base64.hpp"

namespace {

using sluice::core::Sha1;
using sluice::core::Sha1Digest;

std::string hex(const Sha1Digest& d) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : d) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("FIPS 180-4 / NIST SHA-1 example: \"abc\"") {
    CHECK(hex(sluice::core::sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("FIPS 180-4 / NIST SHA-1 example: the 448-bit two-block message") {
    CHECK(hex(sluice::core::sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST_CASE("FIPS 180-4 / NIST SHA-1 example: the 896-bit message") {
    CHECK(hex(sluice::core::sha1("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                                 "klmnopqrlmnopqrsmnopqrstnopqrstu")) == "a49b2446a02c645bf419f995b67091253a04a259");
}

TEST_CASE("FIPS 180-4 / NIST SHA-1 example: one million 'a'") {
    const std::string million(1000000, 'a');
    CHECK(hex(sluice::core::sha1(million)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    // The same million bytes fed 1000 at a time.
    Sha1 h;
    for (int i = 0; i < 1000; ++i) h.update(std::string_view(million.data(), 1000));
    CHECK(hex(h.finish()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("FIPS 180-4 §5.1.1: the empty message") {
    CHECK(hex(sluice::core::sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    Sha1 h;
    CHECK(hex(h.finish()) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("FIPS 180-4 §5.1.1: padding at every block boundary (55, 56, 63, 64, 65, 119 .. 129 bytes)") {
    // Lengths around 55/56 (length field fits / spills into a second block) and 64.
    const struct {
        std::size_t n;
        const char* digest;
    } cases[] = {
        {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},  {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
        {57, "f08f24908d682555111be7ff6f004e78283d989a"},  {63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
        {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},  {65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
        {119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"}, {120, "f34c1488385346a55709ba056ddd08280dd4c6d6"},
        {127, "89d95fa32ed44a7c610b7ee38517ddf57e0bb975"}, {128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"},
        {129, "d96debf1bdcbc896e6c134ea76e8141f40d78536"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.n);
        CHECK(hex(sluice::core::sha1(std::string(c.n, 'a'))) == c.digest);
    }
}

TEST_CASE("FIPS 180-4: every split point of a multi-block input gives the one-shot digest") {
    std::string message;
    for (int i = 0; i < 200; ++i) message += static_cast<char>((i * 7 + 3) % 256);
    const char* expected = "892b673ca3c696ab13ab8aab3cf3abfbc3aaeb3b";
    REQUIRE(hex(sluice::core::sha1(bytes_of(message))) == expected);
    Sha1 h;
    for (std::size_t split = 0; split <= message.size(); ++split) {
        CAPTURE(split);
        h.update(bytes_of(message).first(split));
        h.update(bytes_of(message).subspan(split));
        CHECK(hex(h.finish()) == expected);  // finish() also resets h for the next split
    }
    for (std::size_t a = 0; a <= message.size(); a += 13) {
        for (std::size_t b = a; b <= message.size(); b += 17) {
            h.update(bytes_of(message).first(a));
            h.update(bytes_of(message).subspan(a, b - a));
            h.update(bytes_of(message).subspan(b));
            CHECK(hex(h.finish()) == expected);
        }
    }
    for (char c : message) h.update(std::string_view(&c, 1));  // byte by byte
    CHECK(hex(h.finish()) == expected);
}

TEST_CASE("SHA-1: finish() resets, reset() discards") {
    Sha1 h;
    h.update("abc");
    CHECK(hex(h.finish()) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    h.update("abc");
    CHECK(hex(h.finish()) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    h.update("garbage that is dropped");
    h.reset();
    h.update("abc");
    CHECK(hex(h.finish()) == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("RFC 6455 1.3: the sample key's Sec-WebSocket-Accept") {
    Sha1 h;
    h.update("dGhlIHNhbXBsZSBub25jZQ==");
    h.update("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    const Sha1Digest digest = h.finish();
    CHECK(hex(digest) == "b37a4f2cc0624f1690f64606cf385945b2bec4ea");  // RFC 6455 §1.3's bytes
    char accept[sluice::core::base64_encoded_size(20)];
    const std::size_t n = sluice::core::base64_encode(digest, accept);
    CHECK(std::string_view(accept, n) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("FIPS 180-4 §6.1.2: the SHA-extension block function equals the scalar one, block for block") {
    namespace d = sluice::core::sha1_detail;
    if (!d::has_sha_extensions()) {
        MESSAGE("this CPU has no SHA extensions: only the scalar path runs here");
        return;
    }
    std::uint64_t x = 0x9E3779B97F4A7C15ull;   // a fixed xorshift stream: repeatable inputs
    std::vector<std::uint8_t> blocks(64 * 17);
    for (int round = 0; round < 200; ++round) {
        for (auto& b : blocks) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b = static_cast<std::uint8_t>(x);
        }
        const std::size_t count = 1 + static_cast<std::size_t>(round % 17);
        std::uint32_t scalar[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
        std::uint32_t fast[5];
        for (int i = 0; i < 5; ++i) fast[i] = scalar[i] ^ static_cast<std::uint32_t>(round);
        for (int i = 0; i < 5; ++i) scalar[i] = fast[i];
        d::compress_scalar(scalar, blocks.data(), count);
        d::compress_sha_ni(fast, blocks.data(), count);
        CAPTURE(round);
        for (int i = 0; i < 5; ++i) CHECK(fast[i] == scalar[i]);
    }
    // And the FIPS one-block and two-block vectors through the SHA-extension path alone.
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    std::uint8_t abc[64] = {'a', 'b', 'c', 0x80};
    abc[63] = 24;   // the length in bits
    d::compress_sha_ni(h, abc, 1);
    CHECK(h[0] == 0xa9993e36u);
    CHECK(h[4] == 0x9cd0d89du);
}

// FIPS 180-4 §5.1.1 padding done here, so each block function can be run on its own.
std::string digest_with(void (*compress)(std::uint32_t*, const std::uint8_t*, std::size_t) noexcept,
                        const std::string& message) {
    std::vector<std::uint8_t> m(message.begin(), message.end());
    const std::uint64_t bits = static_cast<std::uint64_t>(message.size()) * 8;
    m.push_back(0x80);
    while (m.size() % 64 != 56) m.push_back(0);
    for (int i = 7; i >= 0; --i) m.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    compress(h, m.data(), m.size() / 64);
    Sha1Digest d{};
    for (std::size_t i = 0; i < 20; ++i) d[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
    return hex(d);
}

TEST_CASE("FIPS 180-4 / RFC 3174 vectors through each block function: the scalar one always, SHA-NI where present") {
    namespace d = sluice::core::sha1_detail;
    struct Vector {
        std::string message, digest;
    };
    const std::vector<Vector> vectors = {
        {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
         "klmnopqrlmnopqrsmnopqrstnopqrstu",
         "a49b2446a02c645bf419f995b67091253a04a259"},
        {std::string(1000000, 'a'), "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
        // RFC 3174 §7.3 TEST4: "01234567" 80 times.
        {[] {
             std::string s;
             for (int i = 0; i < 80; ++i) s += "01234567";
             return s;
         }(),
         "dea356a2cddd90c7a7ecedc5ebb563934f460452"},
        // RFC 6455 §1.3: the key and the GUID, the input of every accept value.
        {"dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11", "b37a4f2cc0624f1690f64606cf385945b2bec4ea"},
    };
    for (const Vector& v : vectors) {
        CAPTURE(v.message.size());
        CHECK(digest_with(d::compress_scalar, v.message) == v.digest);
        if (d::has_sha_extensions()) CHECK(digest_with(d::compress_sha_ni, v.message) == v.digest);
    }
    // Which one Sha1 uses is chosen at run time: on this CPU, the one the CPUID bits allow.
    const std::string chosen =
        d::has_sha_extensions() ? "yes (Sha1 uses compress_sha_ni)" : "no (Sha1 uses compress_scalar)";
    MESSAGE("SHA extensions on this CPU: " << chosen);
}

}  // TEST_SUITE
