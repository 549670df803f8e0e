// ascii_iequals (proto/http_fields.hpp), which compares 8 bytes a step: against a byte-at-a-
// time reference for every pair of byte values, at every position of strings of 1..19 bytes
// (the word loop, the tail, and both).
#include "proto/http_fields.hpp"

#include <doctest/doctest.h>

#include <string>

using sluice::proto::ascii_iequals;

namespace {

char reference_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

TEST_SUITE("proto") {
    TEST_CASE("RFC 9110 §5.1: field names compare case-insensitively, ASCII letters only, every byte value") {
        int mismatches = 0;
        for (std::size_t size : {1u, 7u, 8u, 9u, 16u, 19u}) {
            for (std::size_t at = 0; at < size; at += (size > 9 ? 5 : 1)) {
                for (int x = 0; x < 256; ++x) {
                    for (int y = 0; y < 256; ++y) {
                        std::string a(size, 'k'), b(size, 'K');
                        a[at] = static_cast<char>(x);
                        b[at] = static_cast<char>(y);
                        const bool want = reference_lower(a[at]) == reference_lower(b[at]);
                        if (ascii_iequals(a, b) != want) ++mismatches;
                    }
                }
            }
        }
        CHECK(mismatches == 0);
        CHECK(ascii_iequals("Sec-WebSocket-Version", "sec-websocket-version"));
        CHECK_FALSE(ascii_iequals("Sec-WebSocket-Versioo", "sec-websocket-version"));
        CHECK_FALSE(ascii_iequals("Host", "Hosts"));
        CHECK(ascii_iequals("", ""));
        // 0xC1 and 0xE1 differ by 0x20, as 'A' and 'a' do: they are not letters, so not equal.
        CHECK_FALSE(ascii_iequals("\xC1\xC1\xC1\xC1\xC1\xC1\xC1\xC1", "\xE1\xE1\xE1\xE1\xE1\xE1\xE1\xE1"));
        CHECK_FALSE(ascii_iequals("@@@@@@@@", "````````"));
        CHECK_FALSE(ascii_iequals("[[[[[[[[", "{{{{{{{{"));
    }
}
