// BodyDecoder (RFC 9112 §6.3, §7.1): table-driven, each case fed whole, at every split point
// and one byte at a time, each piece placed just before a PROT_NONE page.
#include "proto/http_body.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "test/support/guard_page.hpp"

using namespace sluice::proto;
using sluice::test::GuardedBytes;

namespace {

struct BodyCase {
    std::string rule;
    std::string input;    // the bytes after the head (body, then maybe a next request)
    std::string expect;   // "body=<decoded> consumed=<n>", an error name, or "need_more body=<so far>"
    BodyFraming framing = BodyFraming::chunked;
    std::uint64_t length = 0;
    HttpLimits limits{};
};

// Feeds `input` in pieces cut at `cuts` (ascending offsets). Each call gets the unconsumed
// rest of the bytes delivered so far, copied to the end of a guarded page.
std::string decode_in_pieces(const BodyCase& c, const std::vector<std::size_t>& cuts) {
    BodyDecoder d;
    d.start(c.framing, c.length, c.limits);
    std::string body;
    std::size_t consumed = 0;
    std::size_t delivered = 0;
    GuardedBytes scratch(c.input);  // mapping sized for the whole input
    auto step = [&](std::size_t upto) -> std::string {
        delivered = upto;
        const std::size_t n = delivered - consumed;
        std::uint8_t* dst = scratch.mutable_data() + (c.input.size() - n);
        std::memcpy(dst, c.input.data() + consumed, n);
        BodyResult r = d.decode({dst, n});
        body.append(reinterpret_cast<const char*>(dst), r.produced);
        consumed += r.consumed;
        if (r.status == ParseStatus::error) return std::string(http_error_name(r.error));
        if (r.status == ParseStatus::done) return "body=" + body + " consumed=" + std::to_string(consumed);
        if (r.consumed != n) return "need_more without consuming everything";
        return {};
    };
    for (std::size_t cut : cuts) {
        std::string s = step(cut);
        if (!s.empty()) return s;
    }
    std::string s = step(c.input.size());
    return s.empty() ? "need_more body=" + body : s;
}

void run_body_table(const std::vector<BodyCase>& cases) {
    for (const BodyCase& c : cases) {
        INFO(c.rule);
        const std::string whole = decode_in_pieces(c, {});
        INFO("whole: " << whole);
        CHECK(whole == c.expect);
        for (std::size_t k = 1; k < c.input.size(); ++k) {
            std::string got = decode_in_pieces(c, {k});
            if (got != whole) {
                INFO("split at " << k << ": " << got);
                CHECK(got == whole);
                break;
            }
        }
        std::vector<std::size_t> every;
        for (std::size_t k = 1; k < c.input.size(); ++k) every.push_back(k);
        std::string got = decode_in_pieces(c, every);
        INFO("byte by byte: " << got);
        CHECK(got == whole);
    }
}

BodyCase cl(std::string rule, std::string input, std::uint64_t length, std::string expect) {
    return {std::move(rule), std::move(input), std::move(expect), BodyFraming::content_length, length, {}};
}

}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RFC 9112 §6.3: Content-Length bodies") {
    run_body_table({
        cl("RFC 9112 §6.3: exactly the length", "hello", 5, "body=hello consumed=5"),
        cl("RFC 9112 §6.3: bytes after the body are left (pipelining)", "helloGET /", 5, "body=hello consumed=5"),
        cl("RFC 9112 §6.3: fewer bytes than the length need more", "hel", 5, "need_more body=hel"),
        cl("RFC 9112 §6.3: binary bytes pass untouched", std::string("\0\r\n\xff", 4), 4,
           std::string("body=") + std::string("\0\r\n\xff", 4) + " consumed=4"),
    });
}

TEST_CASE("RFC 9112 §6.3: a zero Content-Length and no framing are done at once") {
    BodyDecoder d;
    d.start(BodyFraming::content_length, 0, {});
    CHECK(d.done());
    std::uint8_t byte = 'x';
    BodyResult r = d.decode({&byte, 1});
    CHECK(r.status == ParseStatus::done);
    CHECK(r.consumed == 0);
    d.start(BodyFraming::none, 99, {});
    CHECK(d.decode({&byte, 1}).status == ParseStatus::done);
}

TEST_CASE("RFC 9112 §7.1: chunked bodies, extensions and trailers") {
    HttpLimits small;
    small.max_body = 10;
    small.max_header_section = 20;
    HttpLimits unlimited;
    unlimited.max_body = UINT64_MAX;
    std::vector<BodyCase> t = {
        {"RFC 9112 §7.1: two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "body=hello world consumed=26"},
        {"RFC 9112 §7.1: an empty body", "0\r\n\r\n", "body= consumed=5"},
        {"RFC 9112 §7.1: hex sizes, upper and lower case", "a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n",
         "body=0123456789abcdefghij consumed=35"},
        {"RFC 9112 §7.1: leading zeros in a size", "0005\r\nhello\r\n000\r\n\r\n", "body=hello consumed=20"},
        {"RFC 9112 §7.1: data containing CRLF", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "body=\r\n\r\n consumed=14"},
        {"RFC 9112 §7.1: the next request is not consumed", "1\r\nx\r\n0\r\n\r\nGET", "body=x consumed=11"},
        {"RFC 9112 §7.1.1: an extension without a value", "1;ext\r\nx\r\n0\r\n\r\n", "body=x consumed=15"},
        {"RFC 9112 §7.1.1: an extension with a token value", "1;a=b;c=d\r\nx\r\n0;last\r\n\r\n",
         "body=x consumed=24"},
        {"RFC 9112 §7.1.1: a quoted-string value with an escape", "1;a=\"x \\\" ;y\"\r\nx\r\n0\r\n\r\n",
         "body=x consumed=23"},
        {"RFC 9112 §7.1.1: BWS around ';' and '='", "1 ; a = b \t;c\r\nx\r\n0\r\n\r\n", "body=x consumed=23"},
        {"RFC 9112 §7.1.2: a trailer field", "1\r\nx\r\n0\r\nExpires: never\r\n\r\n", "body=x consumed=27"},
        {"RFC 9112 §7.1.2: two trailer fields", "0\r\nA: 1\r\nB:\r\n\r\n", "body= consumed=15"},
        {"RFC 9112 §7.1: a size that is not hex", "x\r\n", "bad_chunk_size"},
        {"RFC 9112 §7.1: an empty size", "\r\nx\r\n", "bad_chunk_size"},
        {"RFC 9112 §7.1: a sign before the size", "+1\r\nx\r\n0\r\n\r\n", "bad_chunk_size"},
        {"RFC 9112 §7.1: '0x' prefix", "0x1\r\nx\r\n0\r\n\r\n", "bad_chunk_size"},
        {"RFC 9112 §7.1: SP before the size", " 1\r\nx\r\n", "bad_chunk_size"},
        {"RFC 9112 §7.1: a size over 64 bits (with no body limit)", "10000000000000000\r\n", "bad_chunk_size",
         BodyFraming::chunked, 0, unlimited},
        {"RFC 9112 §7.1: the largest 64-bit size is accepted (with no body limit)", "ffffffffffffffff\r\nab",
         "need_more body=ab", BodyFraming::chunked, 0, unlimited},
        {"RFC 9112 §7.1: a bare LF after the size", "1\nx\r\n0\r\n\r\n", "bad_chunk_size"},
        {"RFC 9112 §7.1: CR then not LF after the size", "1\rx\r\n", "bare_cr"},
        {"RFC 9112 §7.1: data longer than its size", "1\r\nxy\r\n0\r\n\r\n", "bad_chunk"},
        {"RFC 9112 §7.1: data shorter than its size", "3\r\nxy\r\n0\r\n\r\n", "bad_chunk"},
        {"RFC 9112 §7.1: a bare LF after the data", "1\r\nx\n0\r\n\r\n", "bad_chunk"},
        {"RFC 9112 §7.1: CR then not LF after the data", "1\r\nx\rX", "bare_cr"},
        {"RFC 9112 §7.1: SP after the size without ';'", "1 \r\nx\r\n0\r\n\r\n", "bad_chunk"},
        {"RFC 9112 §7.1.1: an empty extension name", "1;\r\nx\r\n", "bad_chunk"},
        {"RFC 9112 §7.1.1: an empty extension value", "1;a=\r\nx\r\n", "bad_chunk"},
        {"RFC 9112 §7.1.1: a non-token extension name", "1;a(b\r\nx\r\n", "bad_chunk"},
        {"RFC 9112 §7.1.1: an unterminated quoted value", "1;a=\"x\r\nx\r\n", "bad_chunk"},
        {"RFC 9112 §7.1.1: a CTL in a quoted value", "1;a=\"\x01\"\r\nx\r\n", "bad_chunk"},
        {"RFC 9112 §7.1.1: a byte after a quoted value", "1;a=\"x\"y\r\nx\r\n", "bad_chunk"},
        {"RFC 9112 §7.1.1: an extension line over 4 KiB", "1;a=" + std::string(4100, 'b') + "\r\nx\r\n0\r\n\r\n",
         "bad_chunk"},
        {"RFC 9112 §7.1.2: obs-fold in the trailers", "0\r\nA: 1\r\n b\r\n\r\n", "obs_fold"},
        {"RFC 9112 §7.1.2: SP before the colon in a trailer", "0\r\nA : 1\r\n\r\n", "space_before_colon"},
        {"RFC 9112 §7.1.2: a bad trailer name", "0\r\n(A: 1\r\n\r\n", "bad_header_name"},
        {"RFC 9112 §7.1.2: a NUL in a trailer value", std::string("0\r\nA: \0\r\n\r\n", 11), "bad_header_value"},
        {"RFC 9112 §7.1.2: a bare LF in the trailers", "0\r\nA: 1\n\r\n", "bare_lf"},
        {"RFC 9112 §7.1.2: a bare LF ending the trailers", "0\r\n\n", "bare_lf"},
        {"RFC 9112 §7.1.2: CR then not LF ending the trailers", "0\r\n\rx", "bare_cr"},
        {"RFC 9112 §7.1: an unfinished body needs more", "5\r\nhel", "need_more body=hel"},
        {"RFC 9112 §7.1: missing the final CRLF needs more", "0\r\n", "need_more body="},
        {"RFC 9110 §15.5.14: chunks summing to max_body", "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n",
         "body=helloworld consumed=25", BodyFraming::chunked, 0, small},
        {"RFC 9110 §15.5.14: one byte over max_body is 413 at the size, before the data",
         "5\r\nhello\r\n6\r\n", "body_too_large", BodyFraming::chunked, 0, small},
        {"RFC 9110 §15.5.14: a well-formed huge chunk size is 413 at the end of the size", "fffffff\r\n",
         "body_too_large", BodyFraming::chunked, 0, small},
        {"RFC 9112 §7.1: a chunk size over 64 bits is 400 even under a small max_body",
         "ffffffffffffffffff\r\nx", "bad_chunk_size", BodyFraming::chunked, 0, small},
        {"RFC 9112 §7.1: overflow is found at the 17th significant digit, before the line ends",
         "10000000000000000", "bad_chunk_size", BodyFraming::chunked, 0, small},
        {"RFC 6585 §5: trailers exactly at the limit (20 bytes with the CRLFs)", "0\r\nA: 1234567890123\r\n\r\n",
         "body= consumed=23", BodyFraming::chunked, 0, small},
        {"RFC 6585 §5: trailers one byte over the limit", "0\r\nA: 12345678901234\r\n\r\n",
         "header_section_too_large", BodyFraming::chunked, 0, small},
    };
    run_body_table(t);
}

TEST_CASE("RFC 9112 §7.1: decoding is in place: data bytes move to the front") {
    std::string in = "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\nNEXT";
    BodyDecoder d;
    d.start(BodyFraming::chunked, 0, {});
    BodyResult r = d.decode({reinterpret_cast<std::uint8_t*>(in.data()), in.size()});
    CHECK(r.status == ParseStatus::done);
    CHECK(r.produced == 5);
    CHECK(in.substr(0, 5) == "abcde");
    CHECK(in.substr(r.consumed) == "NEXT");
    CHECK(d.body_bytes() == 5);
    r = d.decode({reinterpret_cast<std::uint8_t*>(in.data()), in.size()});
    CHECK(r.status == ParseStatus::done);
    CHECK(r.consumed == 0);
}

TEST_CASE("RFC 9110 §15.5.14: a Content-Length over max_body fails at once (client role)") {
    HttpLimits l;
    l.max_body = 4;
    BodyDecoder d;
    d.start(BodyFraming::content_length, 5, l);
    std::string in = "hello";
    BodyResult r = d.decode({reinterpret_cast<std::uint8_t*>(in.data()), in.size()});
    CHECK(r.status == ParseStatus::error);
    CHECK(r.error == HttpError::body_too_large);
    CHECK(r.produced == 0);
    d.start(BodyFraming::content_length, 4, l);
    r = d.decode({reinterpret_cast<std::uint8_t*>(in.data()), in.size()});
    CHECK(r.status == ParseStatus::done);
    CHECK(r.produced == 4);
}

TEST_CASE("RFC 9112 §7.1: errors are sticky") {
    std::string in = "z\r\n";
    BodyDecoder d;
    d.start(BodyFraming::chunked, 0, {});
    CHECK(d.decode({reinterpret_cast<std::uint8_t*>(in.data()), in.size()}).error == HttpError::bad_chunk_size);
    std::string good = "0\r\n\r\n";
    BodyResult r = d.decode({reinterpret_cast<std::uint8_t*>(good.data()), good.size()});
    CHECK(r.status == ParseStatus::error);
    CHECK(r.error == HttpError::bad_chunk_size);
}

}  // TEST_SUITE
