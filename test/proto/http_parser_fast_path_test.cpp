// HttpRequestParser's fast path (a fresh head in one call: parse_fresh, which finishes the
// head itself) against its general machine (request_line + scan_fields + finish), on a set
// of requests chosen for what the fast path does on its own: the first "?" noted while the
// target is scanned, Host counted as each line is scanned, the framing fields read only
// when one was seen (first, last, repeated), the whole-head errors it answers itself, and
// the places it hands over (a "[" in the target, leading CRLFs, limits, too many fields).
//
// Whole input = the fast path (one fresh call). One byte at a time = the general machine
// alone (a 1-byte input never completes the fast path's first unit). Every split k = the
// fast path up to its last whole unit of the first k bytes, the general machine after it.
// All three must give the same result, field for field; each call gets its own copy of the
// bytes, so nothing may point into an earlier call's input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "perf/micro/http_requests.hpp"
#include "proto/http_parser.hpp"

using namespace sluice::proto;

namespace {

std::string text(const HeadResult& r, const HttpRequest& q) {
    if (r.status == ParseStatus::need_more) return "need_more";
    if (r.status == ParseStatus::error) return std::string(http_error_name(r.error));
    std::string s = "done " + std::string(q.method) + " " + std::string(q.target) + " path=" + std::string(q.path) +
                    " query=" + std::string(q.query) + (q.version == HttpVersion::http11 ? " 1.1" : " 1.0");
    for (const HttpHeader& h : q.headers) s += " [" + std::string(h.name) + ":" + std::string(h.value) + "]";
    s += " framing=" + std::to_string(static_cast<int>(q.body_framing)) + " cl=" + std::to_string(q.content_length) +
         " ka=" + std::to_string(q.keep_alive) + " ec=" + std::to_string(q.expect_continue) +
         " consumed=" + std::to_string(r.consumed);
    return s;
}

struct Feeder {
    HttpRequestParser parser;
    std::vector<HttpHeader> storage;
    HttpRequest request;
    std::vector<std::vector<std::uint8_t>> copies;  // every call's own bytes, kept alive
    explicit Feeder(const HttpLimits& limits) : parser(limits), storage(limits.max_headers) {}
    std::string feed(const std::string& input, std::size_t k) {
        copies.emplace_back(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(k));
        const HeadResult r = parser.parse_head(copies.back(), storage, request);
        return text(r, request);
    }
};

std::string whole(const std::string& input, const HttpLimits& limits) {
    return Feeder(limits).feed(input, input.size());
}

std::string byte_by_byte(const std::string& input, const HttpLimits& limits) {
    Feeder f(limits);
    std::string got = "need_more";
    for (std::size_t k = 1; k <= input.size() && got == "need_more"; ++k) got = f.feed(input, k);
    return got;
}

std::string split_at(const std::string& input, std::size_t k, const HttpLimits& limits) {
    Feeder f(limits);
    const std::string first = f.feed(input, k);
    return first == "need_more" ? f.feed(input, input.size()) : first;
}

struct Request {
    std::string input;
    std::string expect;  // the whole-input result must start with this
    HttpLimits limits{};
};

HttpLimits small_limits() {
    HttpLimits l;
    l.max_request_line = 24;
    l.max_header_section = 40;
    l.max_headers = 3;
    l.max_body = 100;
    return l;
}

std::vector<Request> requests() {
    const std::string h = "Host: a\r\n";
    return {
        {sluice::bench::kMinimal, "done GET / path=/ query= 1.1 [Host:a] framing=0 cl=0 ka=1 ec=0 consumed=27"},
        {sluice::bench::kBrowser700, "done GET /assets/"},
        {"GET /a/b?x=1&y=2 HTTP/1.1\r\n" + h + "\r\n", "done GET /a/b?x=1&y=2 path=/a/b query=x=1&y=2"},
        {"GET /a? HTTP/1.1\r\n" + h + "\r\n", "done GET /a? path=/a query= "},
        {"GET /?? HTTP/1.1\r\n" + h + "\r\n", "done GET /?? path=/ query=? "},
        {"GET /a%20b?c%3Fd?e HTTP/1.1\r\n" + h + "\r\n", "done GET /a%20b?c%3Fd?e path=/a%20b query=c%3Fd?e"},
        {"GET /a%2 HTTP/1.1\r\n" + h + "\r\n", "bad_target"},
        {"GET /a[b] HTTP/1.1\r\n" + h + "\r\n", "bad_target"},
        {"POST /p?q HTTP/1.1\r\nContent-Length: 5\r\n" + h + "\r\n", "done POST /p?q path=/p query=q"},
        {"OPTIONS * HTTP/1.1\r\n" + h + "\r\n", "done OPTIONS * path=* query="},
        {"CONNECT a.example:443 HTTP/1.1\r\n" + h + "\r\n", "done CONNECT a.example:443 path= query="},
        {"CONNECT /x HTTP/1.1\r\n" + h + "\r\n", "bad_target_form"},
        {"GET http://h.example/p?q HTTP/1.1\r\n" + h + "\r\n", "done GET http://h.example/p?q path=/p query=q"},
        {"GET http://[::1]:80/p HTTP/1.1\r\n" + h + "\r\n", "done GET http://[::1]:80/p path=/p"},
        {"\r\nGET / HTTP/1.1\r\n" + h + "\r\n", "done GET / path=/"},
        {"GET / HTTP/1.0\r\n\r\n", "done GET / path=/ query= 1.0 framing=0 cl=0 ka=0"},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "done GET / path=/ query= 1.0 [Connection:keep-alive]"},
        {"GET / HTTP/1.1\r\nConnection: close\r\n" + h + "\r\n",
         "done GET / path=/ query= 1.1 [Connection:close] [Host:a] framing=0 cl=0 ka=0"},
        {"GET / HTTP/1.1\r\n" + h + "Accept: */*\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", "done GET"},
        {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n",
         "done POST / path=/ query= 1.1 [Host:a] [Transfer-Encoding:chunked] framing=2"},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n" + h + "\r\n",
         "unsupported_transfer_coding"},
        {"POST / HTTP/1.1\r\n" + h + "Content-Length: 7\r\nContent-Length: 7\r\n\r\n", "done POST"},
        {"POST / HTTP/1.1\r\n" + h + "Content-Length: 7\r\nContent-Length: 8\r\n\r\n", "conflicting_content_length"},
        {"POST / HTTP/1.1\r\n" + h + "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n",
         "content_length_and_transfer_encoding"},
        {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "transfer_encoding_in_http10"},
        {"POST / HTTP/1.1\r\n" + h + "Content-Length: +7\r\n\r\n", "bad_content_length"},
        {"POST / HTTP/1.1\r\n" + h + "Expect: 100-continue\r\nContent-Length: 1\r\n\r\n", "done POST"},
        {"POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
         "done POST / path=/ query= 1.0 [Expect:100-continue] framing=0 cl=0 ka=0 ec=0"},
        {"GET / HTTP/1.1\r\n\r\n", "missing_host"},
        {"GET / HTTP/1.1\r\n" + h + "HOST: b\r\n\r\n", "duplicate_host"},
        {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "bad_host"},
        {"GET / HTTP/1.1\r\nHost: a%4\r\n\r\n", "bad_host"},
        {"GET / HTTP/1.1\r\nHost: a%41:80\r\n\r\n", "done GET"},
        {"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "done GET"},
        {"GET / HTTP/1.1\r\nHost:\t a \t\r\nX:\r\n\r\n", "done GET / path=/ query= 1.1 [Host:a] [X:]"},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", "space_before_colon"},
        {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "obs_fold"},
        // "Host:" is matched in one compare, any case; a longer or shorter name is not Host.
        {"GET / HTTP/1.1\r\nHOST: a\r\n\r\n", "done GET / path=/ query= 1.1 [HOST:a] framing=0 cl=0 ka=1"},
        {"GET / HTTP/1.1\r\nhOsT:a\r\n\r\n", "done GET / path=/ query= 1.1 [hOsT:a] framing=0 cl=0 ka=1"},
        {"GET / HTTP/1.1\r\nHosts: a\r\n\r\n", "missing_host"},
        {"GET / HTTP/1.1\r\nHos: a\r\n\r\n", "missing_host"},
        {"GET / HTTP/1.1\r\nHost\x7f: a\r\n\r\n", "bad_header_name"},
        {"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "duplicate_host"},
        {"GET / HTTP/1.1\r\nHost: images.example-harbour.org:8080\r\n\r\n", "done GET"},
        {"GET / HTTP/1.1\r\nHost: a_b\x80\r\n\r\n", "bad_host"},
        // The shortest field line and empty line (6 bytes), and a value of only OWS.
        {"GET / HTTP/1.0\r\nX:\r\n\r\n", "done GET / path=/ query= 1.0 [X:] framing=0 cl=0 ka=0"},
        {"GET / HTTP/1.0\r\nX: \t \r\n\r\n", "done GET / path=/ query= 1.0 [X:] framing=0 cl=0 ka=0"},
        // The version in one compare: only 1.0 and 1.1 pass it; the general machine answers the rest.
        {"GET / HTTP/1.2\r\n" + h + "\r\n", "version_not_supported"},
        {"GET / HTTP/1.3\r\n" + h + "\r\n", "version_not_supported"},
        {"GET / HTTP/0.1\r\n" + h + "\r\n", "version_not_supported"},
        {"GET / HTTP/1.1 \r\n" + h + "\r\n", "bad_request_line"},
        {"GET / http/1.1\r\n" + h + "\r\n", "bad_version"},
        // A 7-byte method with an origin-form target is checked whole (only CONNECT refuses it).
        {"OPTIONS /x?y HTTP/1.1\r\n" + h + "\r\n", "done OPTIONS /x?y path=/x query=y"},
        {"GETS / HTTP/1.1\r\n" + h + "\r\n", "done GETS / path=/"},
        {"GET / HTTP/1.1\r\nHost: a\n\r\n", "bare_lf"},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n", "bad_header_value"},
        {"GET /01234567 HTTP/1.1\r\n" + h + "\r\n", "done GET /01234567", small_limits()},  // line: 24 exactly
        {"GET /012345678 HTTP/1.1\r\n" + h + "\r\n", "uri_too_long", small_limits()},
        {"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", "done GET", small_limits()},
        {"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", "too_many_headers", small_limits()},
        {"GET / HTTP/1.1\r\nHost: a\r\nA: 012345678901234567890123\r\n\r\n", "done GET", small_limits()},  // 40 exactly
        {"GET / HTTP/1.1\r\nHost: a\r\nA: 0123456789012345678901234\r\n\r\n", "header_section_too_large",
         small_limits()},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", "body_too_large", small_limits()},
    };
}

}  // namespace

TEST_SUITE("proto") {
    TEST_CASE("RFC 9112 §3, §5, §6: the parser's fast path and its general machine agree at every split") {
        for (const Request& r : requests()) {
            CAPTURE(r.input);
            const std::string w = whole(r.input, r.limits);
            CAPTURE(w);
            CHECK(w.rfind(r.expect, 0) == 0);
            CHECK(byte_by_byte(r.input, r.limits) == w);
            for (std::size_t k = 1; k < r.input.size(); ++k) {
                const std::string s = split_at(r.input, k, r.limits);
                if (s != w) {
                    CAPTURE(k);
                    CHECK(s == w);
                    break;
                }
            }
        }
    }

    TEST_CASE("RFC 9112 §3: after the fast path's answer, calls return it again until reset()") {
        for (const Request& r : requests()) {
            CAPTURE(r.input);
            Feeder f(r.limits);
            const std::string first = f.feed(r.input, r.input.size());
            CHECK(f.feed(r.input, r.input.size()) == first);  // done: re-derived from the state
        }
    }
}
