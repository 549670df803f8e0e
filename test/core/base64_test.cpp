#include "core/base64.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

std::string encode(std::string_view in) {
    std::string out(sluice::core::base64_encoded_size(in.size()), '?');
    const std::size_t n = sluice::core::base64_encode(
        {reinterpret_cast<const std::uint8_t*>(in.data()), in.size()}, {out.data(), out.size()});
    out.resize(n);
    return out;
}

// The decoded text, or "<nullopt>".
std::string decode(std::string_view in) {
    std::vector<std::uint8_t> out(sluice::core::base64_decoded_max_size(in.size()) + 1);
    const auto n = sluice::core::base64_decode(in, out);
    if (!n) return "<nullopt>";
    return {reinterpret_cast<const char*>(out.data()), *n};
}

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

TEST_SUITE("core") {

TEST_CASE("RFC 4648 10: test vectors encode") {
    CHECK(encode("") == "");
    CHECK(encode("f") == "Zg==");
    CHECK(encode("fo") == "Zm8=");
    CHECK(encode("foo") == "Zm9v");
    CHECK(encode("foob") == "Zm9vYg==");
    CHECK(encode("fooba") == "Zm9vYmE=");
    CHECK(encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("RFC 4648 10: test vectors decode") {
    CHECK(decode("") == "");
    CHECK(decode("Zg==") == "f");
    CHECK(decode("Zm8=") == "fo");
    CHECK(decode("Zm9v") == "foo");
    CHECK(decode("Zm9vYg==") == "foob");
    CHECK(decode("Zm9vYmE=") == "fooba");
    CHECK(decode("Zm9vYmFy") == "foobar");
}

TEST_CASE("RFC 4648 4: the whole alphabet, both ways, and base64_encoded_size") {
    // 48 bytes whose 6-bit groups count 0..63 encode to the alphabet in order.
    std::array<std::uint8_t, 48> bytes{};
    for (std::size_t i = 0; i < 64; ++i) {
        for (std::size_t bit = 0; bit < 6; ++bit) {
            if ((i >> (5 - bit)) & 1) {
                const std::size_t pos = i * 6 + bit;
                bytes[pos / 8] = static_cast<std::uint8_t>(bytes[pos / 8] | (0x80 >> (pos % 8)));
            }
        }
    }
    std::string out(64, '?');
    CHECK(sluice::core::base64_encode(bytes, {out.data(), out.size()}) == 64);
    CHECK(out == kAlphabet);
    std::array<std::uint8_t, 48> back{};
    CHECK(sluice::core::base64_decode(kAlphabet, back) == std::optional<std::size_t>(48));
    CHECK(back == bytes);
    static_assert(sluice::core::base64_encoded_size(0) == 0);
    static_assert(sluice::core::base64_encoded_size(1) == 4);
    static_assert(sluice::core::base64_encoded_size(3) == 4);
    static_assert(sluice::core::base64_encoded_size(4) == 8);
    static_assert(sluice::core::base64_encoded_size(16) == 24);  // a Sec-WebSocket-Key
    static_assert(sluice::core::base64_encoded_size(20) == 28);  // a Sec-WebSocket-Accept
}

TEST_CASE("RFC 4648 3.3: characters outside the alphabet are rejected, in every position") {
    for (int c = 0; c < 256; ++c) {
        if (kAlphabet.find(static_cast<char>(c)) != std::string_view::npos) continue;
        for (std::size_t pos = 0; pos < 8; ++pos) {
            std::string s = "Zm9vYmFy";
            s[pos] = static_cast<char>(c);
            CAPTURE(c);
            CAPTURE(pos);
            CHECK(decode(s) == "<nullopt>");
        }
    }
    CHECK(decode("Zm9v-_8=") == "<nullopt>");  // the URL-safe alphabet (§5) is not accepted
    CHECK(decode("Zm9v\r\n") == "<nullopt>");
    CHECK(decode(" Zm9v") == "<nullopt>");
}

TEST_CASE("RFC 4648 3.3: padding only at the end of the last quantum") {
    CHECK(decode("Zg=") == "<nullopt>");       // length % 4 != 0
    CHECK(decode("Zg") == "<nullopt>");        // unpadded
    CHECK(decode("Zm9vY") == "<nullopt>");
    CHECK(decode("Z===") == "<nullopt>");      // 6 bits cannot make a byte
    CHECK(decode("====") == "<nullopt>");
    CHECK(decode("Zg==Zg==") == "<nullopt>");  // padding in the middle
    CHECK(decode("Zm=v") == "<nullopt>");
    CHECK(decode("=m9v") == "<nullopt>");
    CHECK(decode("Zm9v=") == "<nullopt>");
    CHECK(decode("Zm9v====") == "<nullopt>");
    CHECK(decode("Zg=x") == "<nullopt>");
}

TEST_CASE("RFC 4648 3.5: non-zero bits before the padding are rejected (one canonical encoding)") {
    CHECK(decode("Zg==") == "f");
    for (char c : std::string_view("hijklmnopqrstuv")) {  // values 33..47: low 4 bits non-zero
        CHECK(decode(std::string("Z") + c + "==") == "<nullopt>");
    }
    CHECK(decode("Zh==") == "<nullopt>");
    CHECK(decode("Zm8=") == "fo");
    CHECK(decode("Zm9=") == "<nullopt>");  // '9' = 61 = 0b111101: low 2 bits 01
    CHECK(decode("Zm+=") == "<nullopt>");
    CHECK(decode("Zm/=") == "<nullopt>");
}

TEST_CASE("base64: encode refuses a too-small output, decode refuses a too-small output") {
    const std::uint8_t in[3] = {1, 2, 3};
    char out[3];
    CHECK(sluice::core::base64_encode(in, out) == 0);
    std::uint8_t small[5];
    CHECK_FALSE(sluice::core::base64_decode("Zm9vYmFy", small).has_value());
    std::uint8_t exact[6];
    CHECK(sluice::core::base64_decode("Zm9vYmFy", exact) == std::optional<std::size_t>(6));
    std::uint8_t two[2];  // "Zm8=" decodes to exactly 2 bytes
    CHECK(sluice::core::base64_decode("Zm8=", two) == std::optional<std::size_t>(2));
}

TEST_CASE("base64: round trip of every length 0..200 and every byte value") {
    std::mt19937 rng(12345);
    for (std::size_t len = 0; len <= 200; ++len) {
        std::string in(len, '\0');
        for (auto& c : in) c = static_cast<char>(rng() & 0xFF);
        const std::string enc = encode(in);
        CHECK(enc.size() == sluice::core::base64_encoded_size(len));
        CHECK(decode(enc) == in);
    }
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    CHECK(decode(encode(all)) == all);
}

}  // TEST_SUITE
