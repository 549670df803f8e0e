// The byte classes of RFC 9110 and the SIMD scanners: every SIMD path equals the scalar one.
#include "proto/http_chars.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "test/support/guard_page.hpp"

using namespace sluice::proto::detail;
using sluice::test::GuardedBytes;

TEST_SUITE("proto") {

TEST_CASE("RFC 9110 §5.6.2: the token class is exactly tchar") {
    int count = 0;
    for (int c = 0; c < 256; ++c) count += is_token(static_cast<std::uint8_t>(c)) ? 1 : 0;
    CHECK(count == 15 + 10 + 52);
    for (char c : std::string_view("!#$%&'*+-.^_`|~"))
        CHECK(is_token(static_cast<std::uint8_t>(c)));
    for (char c : std::string_view("\"(),/:;<=>?@[\\]{} \t"))
        CHECK_FALSE(is_token(static_cast<std::uint8_t>(c)));
}

TEST_CASE("RFC 9110 §5.5: the field-value class is HTAB, SP, VCHAR and obs-text") {
    for (int c = 0; c < 256; ++c) {
        const bool expected = c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80;
        CHECK(is_value(static_cast<std::uint8_t>(c)) == expected);
    }
}

TEST_CASE("RFC 9110 §5.5: SIMD value scanners equal the scalar scanner at every position") {
    // For every byte value, and every position of it in a 70-byte run of 'a', every start
    // offset: all variants stop at the same index. The run ends at a PROT_NONE page.
    std::vector<std::uint8_t> buf(70, 'a');
    for (int b = 0; b < 256; ++b) {
        for (std::size_t pos = 0; pos < buf.size(); pos += 3) {
            std::vector<std::uint8_t> v = buf;
            v[pos] = static_cast<std::uint8_t>(b);
            GuardedBytes g(std::span<const std::uint8_t>(v.data(), v.size()));
            for (std::size_t start = 0; start < 40; start += 7) {
                const std::size_t want = scan_value_scalar(g.data(), start, g.size());
#if defined(__SSE2__)
                CHECK(scan_value_sse2(g.data(), start, g.size()) == want);
#endif
#if defined(__AVX2__)
                CHECK(scan_value_avx2(g.data(), start, g.size()) == want);
#endif
                CHECK(scan_value(g.data(), start, g.size()) == want);
                if (pos >= start) CHECK(want == (is_value(static_cast<std::uint8_t>(b)) ? g.size() : pos));
            }
        }
    }
}

TEST_CASE("RFC 9110 §5.6.2: scan_token and scan_target stop at the first refused byte") {
    const std::string_view s = "abc-DEF_1.2~x:rest";
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    CHECK(scan_token(p, 0, s.size()) == 13);
    CHECK(scan_token(p, 13, s.size()) == 13);
    CHECK(scan_token(p, 14, s.size()) == s.size());
    const std::string_view t = "/a/b?c=d&e#frag";
    CHECK(scan_target(reinterpret_cast<const std::uint8_t*>(t.data()), 0, t.size()) == 10);
    CHECK(hex_value('f') == 15);
    CHECK(hex_value('G') == -1);
}

}  // TEST_SUITE
