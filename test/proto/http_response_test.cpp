// HttpResponseParser, the client role (RFC 9112 §4, §6.3): table-driven, each case whole,
// at every split point and byte by byte, placed before a PROT_NONE page.
#include "proto/http_response.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "test/support/guard_page.hpp"

using namespace sluice::proto;
using sluice::test::GuardedBytes;

namespace {

std::string summary(const HeadResult& r, const HttpResponse& s) {
    if (r.status == ParseStatus::need_more) return "need_more";
    if (r.status == ParseStatus::error) return std::string(http_error_name(r.error));
    std::string o = "status=" + std::to_string(s.status) + " reason=" + std::string(s.reason) +
                    " v=" + (s.version == HttpVersion::http11 ? "1.1" : "1.0") +
                    " headers=" + std::to_string(s.headers.size());
    for (const HttpHeader& h : s.headers) o += " " + std::string(h.name) + ":" + std::string(h.value);
    o += std::string(" framing=") +
         (s.body_framing == BodyFraming::none ? "none" : s.body_framing == BodyFraming::chunked ? "chunked" : "cl");
    o += " cl=" + std::to_string(s.content_length) + " close=" + (s.body_until_close ? "1" : "0") +
         " ka=" + (s.keep_alive ? "1" : "0") + " consumed=" + std::to_string(r.consumed);
    return o;
}

struct Case {
    std::string rule, input, expect;
};

std::string feed_all_ways(const Case& c) {
    GuardedBytes whole(c.input);
    GuardedBytes scratch(c.input);
    std::array<HttpHeader, 16> storage{};
    auto prefix = [&](std::size_t k) {
        std::uint8_t* dst = scratch.mutable_data() + (c.input.size() - k);
        std::memcpy(dst, c.input.data(), k);
        return std::span<const std::uint8_t>(dst, k);
    };
    auto once = [&](HttpResponseParser& p, std::span<const std::uint8_t> in) {
        HttpResponse res;
        HeadResult r = p.parse_head(in, storage, res);
        return summary(r, res);
    };
    HttpResponseParser p0;
    const std::string want = once(p0, whole.span());
    for (std::size_t k = 1; k < c.input.size(); ++k) {
        HttpResponseParser p;
        std::string got = once(p, prefix(k));
        if (got == "need_more") got = once(p, whole.span());
        if (got != want) {
            INFO("split at " << k);
            CHECK(got == want);
            break;
        }
    }
    HttpResponseParser p;
    std::string got = "need_more";
    for (std::size_t k = 1; k <= c.input.size() && got == "need_more"; ++k) got = once(p, prefix(k));
    INFO("byte by byte: " << got);
    CHECK(got == want);
    return want;
}

}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RFC 9112 §4, §6.3: response heads") {
    const std::vector<Case> cases = {
        {"RFC 9112 §4: a status-line with a reason", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
         "status=200 reason=OK v=1.1 headers=1 Content-Length:5 framing=cl cl=5 close=0 ka=1 consumed=38"},
        {"RFC 9112 §4: a reason with spaces", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
         "status=404 reason=Not Found v=1.1 headers=1 Content-Length:0 framing=cl cl=0 close=0 ka=1 consumed=45"},
        {"RFC 9112 §4: an empty reason after SP", "HTTP/1.1 204 \r\n\r\n",
         "status=204 reason= v=1.1 headers=0 framing=none cl=0 close=0 ka=1 consumed=17"},
        {"RFC 9112 §4: no SP before an empty reason is tolerated", "HTTP/1.1 204\r\n\r\n",
         "status=204 reason= v=1.1 headers=0 framing=none cl=0 close=0 ka=1 consumed=16"},
        {"RFC 6455 §4.2.2: a 101 upgrade has no body",
         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
         "status=101 reason=Switching Protocols v=1.1 headers=2 Upgrade:websocket Connection:Upgrade framing=none "
         "cl=0 close=0 ka=1 consumed=77"},
        {"RFC 9112 §6.3: 304 has no body despite Content-Length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
         "status=304 reason=Not Modified v=1.1 headers=1 Content-Length:9 framing=none cl=0 close=0 ka=1 consumed=48"},
        {"RFC 9112 §6.3: chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
         "status=200 reason=OK v=1.1 headers=1 Transfer-Encoding:chunked framing=chunked cl=0 close=0 ka=1 consumed=47"},
        {"RFC 9112 §6.3: gzip without chunked runs until close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
         "status=200 reason=OK v=1.1 headers=1 Transfer-Encoding:gzip framing=none cl=0 close=1 ka=0 consumed=44"},
        {"RFC 9112 §6.3: no length runs until close", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n",
         "status=200 reason=OK v=1.0 headers=1 Connection:keep-alive framing=none cl=0 close=1 ka=0 consumed=43"},
        {"RFC 9112 §9.3: HTTP/1.0 keep-alive with a length", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n",
         "status=200 reason=OK v=1.0 headers=2 Connection:keep-alive Content-Length:1 framing=cl cl=1 close=0 ka=1 "
         "consumed=62"},
        {"RFC 9112 §6.3: conflicting Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
         "conflicting_content_length"},
        {"RFC 9112 §4: a two-digit status", "HTTP/1.1 20 OK\r\n\r\n", "bad_status_line"},
        {"RFC 9112 §4: a letter in the status", "HTTP/1.1 2x0 OK\r\n\r\n", "bad_status_line"},
        // Found by fuzz/http_response_fuzz.cpp: "001" was read as status 1, an interim (1xx-like)
        // response with no body, so the bytes after it were taken for the next response.
        {"RFC 9110 §15: status codes are 100..599 (a leading 0 is none)", "HTTP/1.1 001 Continue\r\n\r\n",
         "bad_status_line"},
        {"RFC 9110 §15: status 099", "HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n", "bad_status_line"},
        {"RFC 9112 §4: a lower-case version", "http/1.1 200 OK\r\n\r\n", "bad_status_line"},
        {"RFC 9112 §4: a byte other than SP after the status", "HTTP/1.1 200-OK\r\n\r\n", "bad_status_line"},
        {"RFC 9112 §4: HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", "version_not_supported"},
        {"RFC 9112 §4: a CTL in the reason", "HTTP/1.1 200 O\x01K\r\n\r\n", "bad_status_line"},
        {"RFC 9112 §2.2: a bare CR in the reason", "HTTP/1.1 200 O\rK\r\n\r\n", "bare_cr"},
        {"RFC 9112 §2.2: a bare LF ends the status-line", "HTTP/1.1 200 OK\n\r\n", "bare_lf"},
        {"RFC 9112 §5.2: obs-fold in a response", "HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\n\r\n", "obs_fold"},
        {"RFC 9112 §4: an unfinished status-line needs more", "HTTP/1.1 200 O", "need_more"},
        {"RFC 9112 §5: an unfinished field section needs more", "HTTP/1.1 200 OK\r\nA: 1\r\n", "need_more"},
    };
    for (const Case& c : cases) {
        INFO(c.rule);
        std::string got = feed_all_ways(c);
        CHECK(got == c.expect);
    }
}

TEST_CASE("RFC 9112 §4: a status-line over max_request_line") {
    HttpLimits l;
    l.max_request_line = 16;
    HttpResponseParser p(l);
    std::array<HttpHeader, 4> storage{};
    HttpResponse res;
    const std::string in = "HTTP/1.1 200 A long reason\r\n\r\n";
    HeadResult r = p.parse_head({reinterpret_cast<const std::uint8_t*>(in.data()), in.size()}, storage, res);
    CHECK(r.error == HttpError::bad_status_line);
}

TEST_CASE("RFC 9110 §5.6.1: HttpResponse lookups") {
    const std::string in = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    HttpResponseParser p;
    std::array<HttpHeader, 4> storage{};
    HttpResponse res;
    HeadResult r = p.parse_head({reinterpret_cast<const std::uint8_t*>(in.data()), in.size()}, storage, res);
    REQUIRE(r.status == ParseStatus::done);
    CHECK(res.header_has_token("connection", "upgrade"));
    CHECK(res.header_has_token("upgrade", "websocket"));
    CHECK(res.header("sec-websocket-accept") == std::optional<std::string_view>("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    CHECK(res.header_count("Upgrade") == 1);
}

}  // TEST_SUITE
