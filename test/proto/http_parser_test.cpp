// Table-driven tests of HttpRequestParser: every case is fed whole, at every split point
// (two calls) and one byte at a time, each call's bytes placed just before a PROT_NONE page
// (so the bytes also move between calls), and must give the same result every way.
#include "proto/http_parser.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "proto/http_chars.hpp"
#include "test/support/guard_page.hpp"

using namespace sluice::proto;
using sluice::test::GuardedBytes;

namespace {

// Canonical text of a parse result. done: "method=GET target=/ path=/ query= v=1.1
// headers=1 h0=Host:a framing=none cl=0 ka=1 ec=0 consumed=27" (in values ' ' is written
// '_' and HTAB '~', and a value over 64 bytes as "@offset+length" in the input); error: the error's name; need_more: "need_more".
std::string summary(const HeadResult& r, const HttpRequest& q, const std::uint8_t* base) {
    if (r.status == ParseStatus::need_more) return "need_more";
    if (r.status == ParseStatus::error) return std::string(http_error_name(r.error));
    auto esc = [base](std::string_view s) {
        if (s.size() > 64) {  // long values: where they are in the input, and their length
            auto at = reinterpret_cast<const std::uint8_t*>(s.data()) - base;
            return "@" + std::to_string(at) + "+" + std::to_string(s.size());
        }
        std::string o(s);
        for (char& c : o) c = c == ' ' ? '_' : c == '\t' ? '~' : c;
        return o;
    };
    std::string s = "method=" + esc(q.method) + " target=" + esc(q.target) + " path=" + esc(q.path) +
                    " query=" + esc(q.query) + " v=" + (q.version == HttpVersion::http11 ? "1.1" : "1.0") +
                    " headers=" + std::to_string(q.headers.size());
    for (std::size_t i = 0; i < q.headers.size(); ++i)
        s += " h" + std::to_string(i) + "=" + esc(q.headers[i].name) + ":" + esc(q.headers[i].value);
    s += std::string(" framing=") +
         (q.body_framing == BodyFraming::none ? "none" : q.body_framing == BodyFraming::chunked ? "chunked" : "cl");
    s += " cl=" + std::to_string(q.content_length) + " ka=" + (q.keep_alive ? "1" : "0") +
         " ec=" + (q.expect_continue ? "1" : "0") + " consumed=" + std::to_string(r.consumed);
    return s;
}

// Every space-separated token of `expect` must appear as a token of `actual` (for done),
// or `expect` must equal `actual` (errors, need_more).
bool matches(const std::string& actual, const std::string& expect) {
    if (expect.rfind("done", 0) != 0) return actual == expect;
    if (actual.rfind("method=", 0) != 0) return false;
    std::string padded = " " + actual + " ";
    std::size_t i = 4;
    while (i < expect.size()) {
        while (i < expect.size() && expect[i] == ' ') ++i;
        std::size_t e = expect.find(' ', i);
        if (e == std::string::npos) e = expect.size();
        if (e > i && padded.find(" " + expect.substr(i, e - i) + " ") == std::string::npos) return false;
        i = e;
    }
    return true;
}

struct Case {
    std::string rule;    // the RFC section and what it proves
    std::string input;
    std::string expect;  // "done k=v ...", an error name, or "need_more"
    HttpLimits limits{};
};

// Two guarded copies of a case's input: `whole` never changes; `prefix(k)` copies the first
// k bytes to the end of `scratch`, so each call's bytes end at a PROT_NONE page and move
// between calls. One mapping each per case (mapping per call is slow under ASan).
class Placer {
 public:
    explicit Placer(std::string_view input) : input_(input), whole_(input), scratch_(input) {}
    std::span<const std::uint8_t> whole() const { return whole_.span(); }
    std::span<const std::uint8_t> prefix(std::size_t k) {
        std::uint8_t* dst = scratch_.mutable_data() + (input_.size() - k);
        std::memcpy(dst, input_.data(), k);
        return {dst, k};
    }

 private:
    std::string_view input_;
    GuardedBytes whole_;
    GuardedBytes scratch_;
};

struct Run {
    HttpRequestParser parser;
    std::span<HttpHeader> storage;
    HttpRequest request;
    explicit Run(const HttpLimits& l) : parser(l), storage(shared_storage(l.max_headers)) {}
    static std::span<HttpHeader> shared_storage(std::size_t n) {
        static std::vector<HttpHeader> v;
        v.assign(n, HttpHeader{});
        return v;
    }
    std::string feed(std::span<const std::uint8_t> bytes) {
        HeadResult r = parser.parse_head(bytes, storage, request);
        return summary(r, request, bytes.data());  // views are read while the bytes are in place
    }
};

// Whole, every split point, and byte by byte; returns the whole-input result.
std::string run_all_ways(const Case& c) {
    Placer place(c.input);
    std::string whole = Run(c.limits).feed(place.whole());
    for (std::size_t k = 1; k < c.input.size(); ++k) {
        Run r(c.limits);
        std::string first = r.feed(place.prefix(k));
        std::string got = first == "need_more" ? r.feed(place.whole()) : first;
        if (got != whole) {
            INFO("split at " << k << ": " << got);
            CHECK(got == whole);
            break;
        }
    }
    Run r(c.limits);
    std::string got = "need_more";
    for (std::size_t k = 1; k <= c.input.size() && got == "need_more"; ++k) got = r.feed(place.prefix(k));
    INFO("byte by byte: " << got);
    CHECK(got == whole);
    return whole;
}

void run_table(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
        INFO(c.rule);
        std::string got = run_all_ways(c);
        INFO("got:    " << got);
        INFO("expect: " << c.expect);
        CHECK(matches(got, c.expect));
    }
}

const std::string kHost = "Host: a\r\n";
std::string get(std::string_view fields) { return "GET / HTTP/1.1\r\n" + std::string(fields) + "\r\n"; }
std::string get_host(std::string_view fields) { return get(kHost + std::string(fields)); }
std::string post(std::string_view fields) { return "POST /p HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n"; }
std::string line(std::string_view request_line) { return std::string(request_line) + "\r\n" + kHost + "\r\n"; }

std::vector<Case> request_line_cases() {
    return {
        {"RFC 9112 §3: a minimal request", "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
         "done method=GET target=/ path=/ query= v=1.1 headers=1 h0=Host:a framing=none cl=0 ka=1 ec=0 consumed=27"},
        {"RFC 9112 §3.2.1: origin-form splits path and query", line("GET /a/b?x=1&y=2 HTTP/1.1"),
         "done target=/a/b?x=1&y=2 path=/a/b query=x=1&y=2"},
        {"RFC 9112 §3.2.1: an empty query", line("GET /a? HTTP/1.1"), "done path=/a query="},
        {"RFC 9112 §3.2.1: '?' and '/' inside the query", line("GET /a?b?c/d HTTP/1.1"), "done path=/a query=b?c/d"},
        {"RFC 9112 §3.2.1: sub-delims, ':' and '@' in a path", line("GET /!$&'()*+,;=:@-._~ HTTP/1.1"),
         "done path=/!$&'()*+,;=:@-._~"},
        {"RFC 3986 §2.1: pct-encoded bytes are kept encoded", line("GET /a%20b%2f HTTP/1.1"), "done path=/a%20b%2f"},
        {"RFC 3986 §2.1: upper-case and lower-case hex", line("GET /%AbCd%eF HTTP/1.1"), "done path=/%AbCd%eF"},
        {"RFC 9112 §3.2.4: asterisk-form for OPTIONS", line("OPTIONS * HTTP/1.1"), "done method=OPTIONS path=* query="},
        {"RFC 9112 §3.2.3: authority-form for CONNECT", line("CONNECT example.com:443 HTTP/1.1"),
         "done method=CONNECT target=example.com:443 path= query="},
        {"RFC 9112 §3.2.3: authority-form with an IPv6 literal", line("CONNECT [::1]:8443 HTTP/1.1"),
         "done target=[::1]:8443"},
        {"RFC 9112 §3.2.2: absolute-form", line("GET http://example.com/a?b HTTP/1.1"),
         "done target=http://example.com/a?b path=/a query=b"},
        {"RFC 9112 §3.2.2: absolute-form without a path means /", line("GET http://example.com HTTP/1.1"),
         "done path=/ query="},
        {"RFC 9112 §3.2.2: absolute-form with a query but no path", line("GET http://example.com?x HTTP/1.1"),
         "done path=/ query=x"},
        {"RFC 9112 §3.2.2: absolute-form with a port", line("GET https://h:8443/x HTTP/1.1"), "done path=/x"},
        {"RFC 9112 §3.2.4: asterisk-form is for OPTIONS only, not M-SEARCH", line("M-SEARCH * HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.1: an extension method", line("PROPFIND /x HTTP/1.1"), "done method=PROPFIND"},
        {"RFC 9112 §3.1: methods are case-sensitive and not upper-cased", line("get / HTTP/1.1"), "done method=get"},
        {"RFC 9112 §3.1: a method of every token character", line("!#$%&'*+-.^_`|~09azAZ / HTTP/1.1"),
         "done method=!#$%&'*+-.^_`|~09azAZ"},
        {"RFC 9112 §2.3: HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", "done v=1.0 headers=0 ka=0"},
        {"RFC 9112 §2.2: one empty line before the request-line is ignored", "\r\n" + get(kHost),
         "done method=GET consumed=29"},
        {"RFC 9112 §2.2: several empty lines before the request-line", "\r\n\r\n\r\n" + get(kHost),
         "done method=GET consumed=33"},
        {"RFC 9112 §3: an empty method", line(" / HTTP/1.1"), "bad_method"},
        {"RFC 9112 §3.1: a method with '('", line("G(T / HTTP/1.1"), "bad_method"},
        {"RFC 9112 §3.1: HTAB instead of SP after the method", line("GET\t/ HTTP/1.1"), "bad_method"},
        {"RFC 9112 §3: a method and CRLF (no target)", "GET\r\n\r\n", "bad_method"},
        {"RFC 9112 §3: two SP after the method", line("GET  / HTTP/1.1"), "bad_request_line"},
        {"RFC 9112 §3: HTTP/0.9 style, no version", "GET /\r\n\r\n", "bad_request_line"},
        {"RFC 9112 §3: SP after the version", line("GET / HTTP/1.1 "), "bad_request_line"},
        {"RFC 9112 §3: a byte after the version", line("GET / HTTP/1.1x"), "bad_request_line"},
        {"RFC 9112 §3: SP inside the target shifts into the version", line("GET /a b HTTP/1.1"), "bad_version"},
        {"RFC 9112 §2.3: HTTP-name is case-sensitive", line("GET / http/1.1"), "bad_version"},
        {"RFC 9112 §2.3: HTTPS is not HTTP", line("GET / HTTPS/1.1"), "bad_version"},
        {"RFC 9112 §2.3: missing '.'", line("GET / HTTP/11"), "bad_version"},
        {"RFC 9112 §2.3: two minor digits", line("GET / HTTP/1.10"), "bad_version"},
        {"RFC 9112 §2.3: a letter as major", line("GET / HTTP/a.1"), "bad_version"},
        {"RFC 9112 §2.3: a missing minor digit", line("GET / HTTP/1."), "bad_version"},
        {"RFC 9112 §2.3: HTTP/2.0 over HTTP/1.1 syntax is 505", line("GET / HTTP/2.0"), "version_not_supported"},
        {"RFC 9112 §2.3: HTTP/0.9 with a version is 505", line("GET / HTTP/0.9"), "version_not_supported"},
        {"RFC 9112 §2.3: HTTP/1.2 is 505 (we implement 1.0 and 1.1)", line("GET / HTTP/1.2"), "version_not_supported"},
        {"RFC 9112 §2.3: HTTP/3.1 is 505", line("GET / HTTP/3.1"), "version_not_supported"},
        {"RFC 9112 §2.3: 505 as soon as the version ends, before CRLF", "GET / HTTP/2.0", "version_not_supported"},
        {"RFC 9112 §3.2: '#' (a fragment) is not in a request-target", line("GET /a#b HTTP/1.1"), "bad_target"},
        {"RFC 3986 §2.1: '%' without two hex digits", line("GET /a% HTTP/1.1"), "bad_target"},
        {"RFC 3986 §2.1: '%' with one hex digit", line("GET /a%2 HTTP/1.1"), "bad_target"},
        {"RFC 3986 §2.1: '%' with non-hex digits", line("GET /a%zz HTTP/1.1"), "bad_target"},
        {"RFC 3986 §2.1: '%' with a non-hex second digit", line("GET /a%2g HTTP/1.1"), "bad_target"},
        {"RFC 9112 §3.2.1: '[' is not allowed in origin-form", line("GET /a[b] HTTP/1.1"), "bad_target"},
        {"RFC 9112 §3.2.2: '[' in the path of absolute-form", line("GET http://h/a[ HTTP/1.1"), "bad_target"},
        {"RFC 9112 §3.2: a relative target", line("GET a/b HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.4: asterisk-form for GET", line("GET * HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.3: CONNECT with origin-form", line("CONNECT / HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.3: CONNECT without a port", line("CONNECT example.com HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.3: CONNECT with an empty port", line("CONNECT example.com: HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.3: CONNECT with an empty host", line("CONNECT :443 HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.3: CONNECT with absolute-form", line("CONNECT http://h:1/ HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.3: authority-form for GET", line("GET example.com:443 HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.2: a scheme without '//'", line("GET http:/x HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.2: an empty authority", line("GET http:///x HTTP/1.1"), "bad_target_form"},
        {"RFC 3986 §3.1: a scheme must start with a letter", line("GET 1http://h/ HTTP/1.1"), "bad_target_form"},
        {"RFC 9110 §4.2.4: userinfo in an http URI is an error", line("GET http://u:p@h/ HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §3.2.2: a port with a letter", line("GET http://h:8x/ HTTP/1.1"), "bad_target_form"},
        {"RFC 9112 §2.2: a bare LF ends the request-line: rejected", "GET / HTTP/1.1\nHost: a\r\n\r\n", "bare_lf"},
        {"RFC 9112 §2.2: a bare CR after the version", "GET / HTTP/1.1\rHost: a\r\n\r\n", "bare_cr"},
        {"RFC 9112 §2.2: a CR inside the target", "GET /a\rb HTTP/1.1\r\n\r\n", "bad_request_line"},
        {"RFC 9112 §2.2: a bare LF before the request-line", "\nGET / HTTP/1.1\r\n\r\n", "bare_lf"},
        {"RFC 9112 §2.2: a bare CR before the request-line", "\r\rGET / HTTP/1.1\r\n\r\n", "bare_cr"},
        {"RFC 9112 §3: a NUL in the method", std::string("G\0T / HTTP/1.1\r\nHost: a\r\n\r\n", 27), "bad_method"},
        {"RFC 9112 §3: an incomplete request-line needs more", "GET /index.html HTT", "need_more"},
        {"RFC 9112 §3: a request-line without its LF needs more", "GET / HTTP/1.1\r", "need_more"},
    };
}

std::vector<Case> field_cases() {
    return {
        {"RFC 9112 §5.1: OWS around a value is not part of it", get("Host: \t a \t \r\n"), "done h0=Host:a"},
        {"RFC 9112 §5.1: an empty value", get_host("X-Empty:\r\n"), "done h1=X-Empty: headers=2"},
        {"RFC 9112 §5.1: a value of only OWS is empty", get_host("X-Empty:  \t \r\n"), "done h1=X-Empty:"},
        {"RFC 9110 §5.5: SP and HTAB inside a value are kept", get_host("X: a \t b\r\n"), "done h1=X:a_~_b"},
        {"RFC 9110 §5.5: obs-text in a value", get_host("X: caf\xc3\xa9 \x80\xff\r\n"), "done h1=X:caf\xc3\xa9_\x80\xff"},
        {"RFC 9110 §5.5: ':' inside a value", get_host("X: a:b:c\r\n"), "done h1=X:a:b:c"},
        {"RFC 9110 §5.5: every VCHAR in a value", get_host("X: !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\r\n"),
         "done h1=X:!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"},
        {"RFC 9110 §5.3: repeated fields kept in order", get_host("A: 1\r\nB: 2\r\nA: 3\r\n"),
         "done headers=4 h1=A:1 h2=B:2 h3=A:3"},
        {"RFC 9110 §5.1: a name of every token character", get_host("!#$%&'*+-.^_`|~09azAZ: v\r\n"),
         "done h1=!#$%&'*+-.^_`|~09azAZ:v"},
        {"RFC 9110 §5.1: names keep their case", get("hOsT: a\r\n"), "done h0=hOsT:a"},
        {"RFC 9112 §5.2: obs-fold (a line starting with SP) is rejected", get_host("X: a\r\n b\r\n"), "obs_fold"},
        {"RFC 9112 §5.2: obs-fold with HTAB is rejected", get_host("X: a\r\n\tb\r\n"), "obs_fold"},
        {"RFC 9112 §5.2: obs-fold right after the colon", get_host("X:\r\n b\r\n"), "obs_fold"},
        {"RFC 9112 §2.2: whitespace before the first field line", get(" Host: a\r\n"), "leading_whitespace"},
        {"RFC 9112 §5.1: SP before the colon is rejected", get("Host : a\r\n"), "space_before_colon"},
        {"RFC 9112 §5.1: HTAB before the colon is rejected", get("Host\t: a\r\n"), "space_before_colon"},
        {"RFC 9112 §5.1: a name with SP inside", get_host("X Y: a\r\n"), "space_before_colon"},
        {"RFC 9112 §5: a line without a colon", get_host("NoColon\r\n"), "bad_header_name"},
        {"RFC 9110 §5.1: an empty field name", get_host(": a\r\n"), "bad_header_name"},
        {"RFC 9110 §5.1: '(' in a name", get_host("X(: a\r\n"), "bad_header_name"},
        {"RFC 9110 §5.1: a DQUOTE in a name", get_host("X\"Y: a\r\n"), "bad_header_name"},
        {"RFC 9110 §5.1: a non-ASCII name", get_host("X\xc3\xa9: a\r\n"), "bad_header_name"},
        {"RFC 9110 §5.1: a NUL in a name", get_host(std::string("X\0Y: a\r\n", 8)), "bad_header_name"},
        {"RFC 9110 §5.5: a NUL in a value", get_host(std::string("X: a\0b\r\n", 8)), "bad_header_value"},
        {"RFC 9110 §5.5: DEL in a value", get_host("X: a\x7f\r\n"), "bad_header_value"},
        {"RFC 9110 §5.5: ESC in a value", get_host("X: \x1b[31m\r\n"), "bad_header_value"},
        {"RFC 9112 §2.2: a bare CR inside a value", get_host("X: a\rb\r\n"), "bare_cr"},
        {"RFC 9112 §2.2: CR CR LF ending a value", get_host("X: a\r\r\n"), "bare_cr"},
        {"RFC 9112 §2.2: a bare LF ending a field line", get("Host: a\nX: b\r\n"), "bare_lf"},
        {"RFC 9112 §2.2: a bare LF ending the field section", "GET / HTTP/1.1\r\nHost: a\r\n\n", "bare_lf"},
        {"RFC 9112 §2.2: CR then not LF at the end of the section", "GET / HTTP/1.1\r\nHost: a\r\n\rX", "bare_cr"},
        {"RFC 9112 §2.2: an empty value ended by a bare LF", get_host("X:\n"), "bare_lf"},
        {"RFC 9112 §5: a head without its final CRLF needs more", "GET / HTTP/1.1\r\nHost: a\r\n", "need_more"},
        {"RFC 9112 §5: a head ending in CR needs more", "GET / HTTP/1.1\r\nHost: a\r\n\r", "need_more"},
        {"RFC 9112 §5: a name without its colon yet needs more", "GET / HTTP/1.1\r\nHost", "need_more"},
        {"RFC 9112 §9.3: body bytes after the head are not consumed", get_host("Content-Length: 4\r\n") + "abcd",
         "done framing=cl cl=4 consumed=46"},
        {"RFC 9112 §9.3: a pipelined second request is not consumed", get(kHost) + get(kHost), "done consumed=27"},
    };
}

std::vector<Case> host_cases() {
    return {
        {"RFC 9112 §3.2: HTTP/1.1 without Host", get("X: a\r\n"), "missing_host"},
        {"RFC 9112 §3.2: HTTP/1.1 without any field", "GET / HTTP/1.1\r\n\r\n", "missing_host"},
        {"RFC 9112 §3.2: HTTP/1.0 without Host is fine", "GET / HTTP/1.0\r\nX: a\r\n\r\n", "done v=1.0"},
        {"RFC 9112 §3.2: two Host lines", get("Host: a\r\nHost: b\r\n"), "duplicate_host"},
        {"RFC 9112 §3.2: two identical Host lines", get("Host: a\r\nHost: a\r\n"), "duplicate_host"},
        {"RFC 9112 §3.2: Host names are case-insensitive", get("host: a\r\nHOST: a\r\n"), "duplicate_host"},
        {"RFC 9112 §3.2: two Host lines in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "duplicate_host"},
        {"RFC 9112 §3.2: Host with a port", get("Host: example.com:8080\r\n"), "done h0=Host:example.com:8080"},
        {"RFC 9112 §3.2: Host with an IPv6 literal", get("Host: [::1]:8080\r\n"), "done h0=Host:[::1]:8080"},
        {"RFC 9112 §3.2: Host with an IPv4 address", get("Host: 127.0.0.1\r\n"), "done"},
        {"RFC 9110 §7.2: an empty Host value is allowed", get("Host:\r\n"), "done h0=Host:"},
        {"RFC 9112 §3.2: Host required even with absolute-form", 
         "GET http://h/ HTTP/1.1\r\nX: a\r\n\r\n",
         "missing_host"},
        {"RFC 9110 §7.2: Host with SP inside", get("Host: a b\r\n"), "bad_host"},
        {"RFC 9110 §7.2: Host with a path", get("Host: a/b\r\n"), "bad_host"},
        {"RFC 9110 §7.2: Host with userinfo", get("Host: u@a\r\n"), "bad_host"},
        {"RFC 9110 §7.2: Host with an unclosed IPv6 literal", get("Host: [::1\r\n"), "bad_host"},
        {"RFC 9110 §7.2: Host with a non-digit port", get("Host: a:b\r\n"), "bad_host"},
        {"RFC 9110 §7.2: Host with two ports", get("Host: a:1:2\r\n"), "bad_host"},
        {"RFC 9110 §7.2: Host with bad pct-encoding", get("Host: a%zz\r\n"), "bad_host"},
        {"RFC 9110 §7.2: Host as a list", get("Host: a, b\r\n"), "bad_host"},
    };
}

std::vector<Case> framing_cases() {
    HttpLimits small_body;
    small_body.max_body = 100;
    return {
        {"RFC 9112 §6.3: no Content-Length and no Transfer-Encoding: no body", get(kHost), "done framing=none cl=0"},
        {"RFC 9110 §8.6: Content-Length", post("Content-Length: 42\r\n"), "done method=POST framing=cl cl=42"},
        {"RFC 9110 §8.6: Content-Length zero", post("Content-Length: 0\r\n"), "done framing=cl cl=0"},
        {"RFC 9110 §8.6: leading zeros", post("Content-Length: 007\r\n"), "done framing=cl cl=7"},
        {"RFC 9112 §6.3: identical repeated Content-Length lines", post("Content-Length: 5\r\nContent-Length: 5\r\n"),
         "done framing=cl cl=5"},
        {"RFC 9112 §6.3: an identical Content-Length list", post("Content-Length: 5, 5\r\n"), "done cl=5"},
        {"RFC 9112 §6.3: the same number written differently", post("Content-Length: 7\r\nContent-Length: 007\r\n"),
         "done cl=7"},
        {"RFC 9110 §5.6.1: an empty list element is ignored", post("Content-Length: 5,\r\n"), "done cl=5"},
        {"RFC 9112 §6.3: differing Content-Length lines", post("Content-Length: 5\r\nContent-Length: 6\r\n"),
         "conflicting_content_length"},
        {"RFC 9112 §6.3: a differing Content-Length list", post("Content-Length: 5, 6\r\n"),
         "conflicting_content_length"},
        {"RFC 9110 §8.6: a sign", post("Content-Length: +5\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: a negative length", post("Content-Length: -1\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: hex", post("Content-Length: 0x10\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: SP inside", post("Content-Length: 1 0\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: a decimal point", post("Content-Length: 5.0\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: an exponent", post("Content-Length: 1e3\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: empty", post("Content-Length:\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: only a comma", post("Content-Length: ,\r\n"), "bad_content_length"},
        {"RFC 9110 §8.6: 20 digits (beyond 64 bits)", post("Content-Length: 99999999999999999999\r\n"),
         "bad_content_length"},
        {"RFC 9110 §8.6: a bad element next to a good one", post("Content-Length: 5, x\r\n"), "bad_content_length"},
        {"RFC 9112 §6.1: Transfer-Encoding: chunked", post("Transfer-Encoding: chunked\r\n"), "done framing=chunked cl=0"},
        {"RFC 9112 §7: coding names are case-insensitive", post("Transfer-Encoding: Chunked\r\n"), "done framing=chunked"},
        {"RFC 9112 §7: upper-case CHUNKED", post("Transfer-Encoding: CHUNKED\r\n"), "done framing=chunked"},
        {"RFC 9110 §5.6.1: 'chunked ,' is the list (chunked)", post("Transfer-Encoding: chunked ,\r\n"),
         "done framing=chunked"},
        {"RFC 9110 §5.6.1: ', chunked' is the list (chunked)", post("Transfer-Encoding: , chunked\r\n"),
         "done framing=chunked"},
        {"RFC 9112 §5.1: HTAB around chunked is OWS", post("Transfer-Encoding:\tchunked\t\r\n"), "done framing=chunked"},
        {"RFC 9110 §5.3: an empty line then chunked", post("Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n"),
         "done framing=chunked"},
        {"RFC 9112 §6.3: TE.TE 'xchunked': chunked is not the final coding", post("Transfer-Encoding: xchunked\r\n"),
         "chunked_not_final"},
        {"RFC 9112 §6.3: TE.TE 'chunked, identity': chunked is not the final coding",
         post("Transfer-Encoding: chunked, identity\r\n"), "chunked_not_final"},
        {"RFC 9112 §6.3: 'identity' alone: chunked is not the final coding", post("Transfer-Encoding: identity\r\n"),
         "chunked_not_final"},
        {"RFC 9112 §6.3: 'gzip' alone: chunked is not the final coding", post("Transfer-Encoding: gzip\r\n"),
         "chunked_not_final"},
        {"RFC 9112 §6.1: gzip, chunked (gzip is not implemented)", post("Transfer-Encoding: gzip, chunked\r\n"),
         "unsupported_transfer_coding"},
        {"RFC 9112 §6.1: codings on two lines", post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
         "unsupported_transfer_coding"},
        {"RFC 9112 §6.3: TE.TE 'chunked' then an unknown coding on a second line: not final",
         post("Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n"), "chunked_not_final"},
        {"RFC 9112 §7: chunked twice", post("Transfer-Encoding: chunked, chunked\r\n"), "bad_transfer_encoding"},
        {"RFC 9112 §7: chunked twice on two lines", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
         "bad_transfer_encoding"},
        {"RFC 9112 §7.1: chunked has no parameters", post("Transfer-Encoding: chunked;q=1\r\n"), "bad_transfer_encoding"},
        {"RFC 9112 §6.1: an empty Transfer-Encoding", post("Transfer-Encoding:\r\n"), "bad_transfer_encoding"},
        {"RFC 9112 §6.1: only commas", post("Transfer-Encoding: , ,\r\n"), "bad_transfer_encoding"},
        {"RFC 9112 §6.1: a quoted coding", post("Transfer-Encoding: \"chunked\"\r\n"), "bad_transfer_encoding"},
        {"RFC 9112 §6.1: SP inside a coding", post("Transfer-Encoding: chunk ed\r\n"), "bad_transfer_encoding"},
        {"RFC 9112 §6.1: TE.TE a vertical tab is not OWS", post("Transfer-Encoding:\x0b chunked\r\n"),
         "bad_header_value"},
        {"RFC 9112 §6.1: TE.TE a form feed after the value", post("Transfer-Encoding: chunked\x0c\r\n"),
         "bad_header_value"},
        {"RFC 9112 §5.1: TE.TE SP before the colon", post("Transfer-Encoding : chunked\r\n"), "space_before_colon"},
        {"RFC 9112 §5.2: TE.TE chunked on a folded line", post("Transfer-Encoding:\r\n chunked\r\n"), "obs_fold"},
        {"RFC 9112 §6.1: CL.TE Content-Length then Transfer-Encoding",
         post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n"), "content_length_and_transfer_encoding"},
        {"RFC 9112 §6.1: TE.CL Transfer-Encoding then Content-Length",
         post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n"), "content_length_and_transfer_encoding"},
        {"RFC 9112 §6.1: TE + CL with odd case names", post("transfer-encoding: chunked\r\ncontent-LENGTH: 0\r\n"),
         "content_length_and_transfer_encoding"},
        {"RFC 9112 §6.1: TE + a bad CL is still the TE+CL error",
         post("Transfer-Encoding: chunked\r\nContent-Length: x\r\n"), "content_length_and_transfer_encoding"},
        {"RFC 9112 §6.1: TE + CL where TE is obfuscated", post("Transfer-Encoding: xchunked\r\nContent-Length: 3\r\n"),
         "content_length_and_transfer_encoding"},
        {"RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is refused",
         "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "transfer_encoding_in_http10"},
        {"RFC 9112 §6.1: HTTP/1.0 with TE and CL is refused",
         "POST / HTTP/1.0\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "transfer_encoding_in_http10"},
        {"RFC 9110 §15.5.14: Content-Length exactly at max_body", post("Content-Length: 100\r\n"), "done cl=100",
         small_body},
        {"RFC 9110 §15.5.14: Content-Length one over max_body is 413 before the body",
         post("Content-Length: 101\r\n"), "body_too_large", small_body},
        {"RFC 9110 §15.5.14: a huge Content-Length is 413", post("Content-Length: 9999999999999999999\r\n"),
         "body_too_large"},
        {"RFC 9110 §15.5.14: the default max_body (1 MiB) exactly", post("Content-Length: 1048576\r\n"),
         "done cl=1048576"},
        {"RFC 9110 §15.5.14: the default max_body plus one", post("Content-Length: 1048577\r\n"), "body_too_large"},
        {"RFC 9112 §6.3: a chunked body has no length limit at head time", post("Transfer-Encoding: chunked\r\n"),
         "done framing=chunked", small_body},
    };
}

std::vector<Case> connection_cases() {
    return {
        {"RFC 9112 §9.3: HTTP/1.1 persists by default", get(kHost), "done ka=1"},
        {"RFC 9112 §9.3: HTTP/1.1 with close", get_host("Connection: close\r\n"), "done ka=0"},
        {"RFC 9112 §9.3: options are case-insensitive", get_host("Connection: Close\r\n"), "done ka=0"},
        {"RFC 9112 §9.3: close inside a list", get_host("Connection: upgrade, close\r\n"), "done ka=0"},
        {"RFC 9112 §9.3: close on a second Connection line", get_host("Connection: x\r\nConnection: close\r\n"),
         "done ka=0"},
        {"RFC 9112 §9.3: keep-alive, Upgrade on 1.1", get_host("Connection: keep-alive, Upgrade\r\n"), "done ka=1"},
        {"RFC 9112 §9.3: 'closed' is not 'close'", get_host("Connection: closed\r\n"), "done ka=1"},
        {"RFC 9112 §9.3: HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", "done ka=0"},
        {"RFC 9112 §9.3: HTTP/1.0 with keep-alive persists", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
         "done ka=1"},
        {"RFC 9112 §9.3: HTTP/1.0 with Keep-Alive in any case", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
         "done ka=1"},
        {"RFC 9112 §9.3: HTTP/1.0 with keep-alive and close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
         "done ka=0"},
        {"RFC 9110 §10.1.1: Expect: 100-continue", post("Content-Length: 5\r\nExpect: 100-continue\r\n"), "done ec=1"},
        {"RFC 9110 §10.1.1: the expectation is case-insensitive", post("Content-Length: 5\r\nExpect: 100-Continue\r\n"),
         "done ec=1"},
        {"RFC 9110 §10.1.1: an unknown expectation is ignored", post("Expect: 200-ok\r\n"), "done ec=0"},
        {"RFC 9110 §10.1.1: HTTP/1.0 ignores 100-continue", "POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
         "done ec=0"},
    };
}

std::string fields_of_size(std::size_t total) {  // "X: aaa...\r\n" lines summing to `total` bytes
    std::string s;
    while (total - s.size() > 300) s += "X: " + std::string(295, 'a') + "\r\n";
    std::size_t rest = total - s.size();
    s += "Y: " + std::string(rest - 5, 'b') + "\r\n";
    return s;
}

std::vector<Case> limit_cases() {
    std::vector<Case> v;
    // Request line: "GET /aaa... HTTP/1.1\r\n" of exactly N bytes.
    auto request_line = [](std::size_t n) { return "GET /" + std::string(n - 16, 'a') + " HTTP/1.1\r\n"; };
    v.push_back({"RFC 9110 §15.5.15: a request-line exactly at 8 KiB (CRLF included)",
                 request_line(8192) + kHost + "\r\n", "done v=1.1"});
    v.push_back({"RFC 9110 §15.5.15: a request-line one byte over 8 KiB is 414", request_line(8193) + kHost + "\r\n",
                 "uri_too_long"});
    v.push_back({"RFC 9110 §15.5.15: 414 before the CRLF of a 9 KiB request-line arrives",
                 "GET /" + std::string(9 * 1024, 'a'), "uri_too_long"});
    v.push_back({"RFC 9110 §15.5.15: 414 also when the over-long line is an endless method", std::string(8200, 'G'),
                 "uri_too_long"});
    v.push_back({"RFC 9112 §2.2: ignored empty lines count toward the request-line limit",
                 "\r\n" + request_line(8191) + kHost + "\r\n", "uri_too_long"});
    HttpLimits small;
    small.max_request_line = 32;
    small.max_header_section = 64;
    small.max_headers = 3;
    v.push_back({"RFC 9110 §15.5.15: a 32-byte request-line at a 32-byte limit", request_line(32) + kHost + "\r\n",
                 "done", small});
    v.push_back({"RFC 9110 §15.5.15: a 33-byte request-line at a 32-byte limit", request_line(33) + kHost + "\r\n",
                 "uri_too_long", small});
    // Field section: field lines + the final CRLF.
    v.push_back({"RFC 6585 §5: a field section exactly at 16 KiB",
                 "GET / HTTP/1.1\r\n" + kHost + fields_of_size(16384 - 2 - kHost.size()) + "\r\n", "done"});
    v.push_back({"RFC 6585 §5: a field section one byte over 16 KiB is 431",
                 "GET / HTTP/1.1\r\n" + kHost + fields_of_size(16385 - 2 - kHost.size()) + "\r\n",
                 "header_section_too_large"});
    v.push_back({"RFC 6585 §5: 431 before the end of an endless field section",
                 "GET / HTTP/1.1\r\n" + kHost + fields_of_size(17000), "header_section_too_large"});
    v.push_back({"RFC 6585 §5: 431 inside one endless field value",
                 "GET / HTTP/1.1\r\nX: " + std::string(17000, 'v'), "header_section_too_large"});
    v.push_back({"RFC 6585 §5: a 64-byte field section at a 64-byte limit",
                 "GET / HTTP/1.1\r\n" + kHost + fields_of_size(64 - 2 - kHost.size()) + "\r\n", "done", small});
    v.push_back({"RFC 6585 §5: a 65-byte field section at a 64-byte limit",
                 "GET / HTTP/1.1\r\n" + kHost + fields_of_size(65 - 2 - kHost.size()) + "\r\n",
                 "header_section_too_large", small});
    v.push_back({"RFC 6585 §5: exactly max_headers (3) fields", get_host("A: 1\r\nB: 2\r\n"), "done headers=3", small});
    v.push_back({"RFC 6585 §5: one field over max_headers (3)", get_host("A: 1\r\nB: 2\r\nC: 3\r\n"),
                 "too_many_headers", small});
    v.push_back({"RFC 6585 §5: too many fields is known at the next name, before its end",
                 "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC", "too_many_headers", small});
    std::string hundred = kHost;
    for (int i = 1; i < 100; ++i) hundred += "H" + std::to_string(i) + ": v\r\n";
    v.push_back({"RFC 6585 §5: exactly the default 100 fields", get(hundred), "done headers=100"});
    v.push_back({"RFC 6585 §5: 101 fields with the default limit", get(hundred + "Z: z\r\n"), "too_many_headers"});
    return v;
}

// Every byte that may not appear at one place, one case each.
std::vector<Case> generated_byte_cases() {
    std::vector<Case> v;
    for (int b = 0; b < 256; ++b) {
        const auto c = static_cast<std::uint8_t>(b);
        const std::string ch(1, static_cast<char>(c));
        const std::string hex = std::to_string(b);
        if (!detail::is_token(c) && c != ' ')
            v.push_back({"RFC 9112 §3.1: method byte " + hex + " is not a token char", line("GE" + ch + "T / HTTP/1.1"),
                         "bad_method"});
        if (!detail::is_target(c) && c != ' ' && c != '\r' && c != '\n')
            v.push_back({"RFC 9112 §3.2: target byte " + hex + " is refused", line("GET /a" + ch + "b HTTP/1.1"),
                         "bad_target"});
        if (!detail::is_token(c) && c != ':' && c != ' ' && c != '\t')
            v.push_back({"RFC 9110 §5.1: field-name byte " + hex + " is refused", get_host("X" + ch + "Y: v\r\n"),
                         "bad_header_name"});
        if (!detail::is_value(c) && c != '\r' && c != '\n')
            v.push_back({"RFC 9110 §5.5: field-value byte " + hex + " is refused", get_host("X: a" + ch + "b\r\n"),
                         "bad_header_value"});
    }
    return v;
}

std::size_t g_case_count = 0;

}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RFC 9112 §3: request-line cases, whole, at every split and byte by byte") {
    auto t = request_line_cases();
    g_case_count += t.size();
    run_table(t);
}

TEST_CASE("RFC 9112 §5: field-line cases, whole, at every split and byte by byte") {
    auto t = field_cases();
    g_case_count += t.size();
    run_table(t);
}

TEST_CASE("RFC 9112 §3.2: Host cases, whole, at every split and byte by byte") {
    auto t = host_cases();
    g_case_count += t.size();
    run_table(t);
}

TEST_CASE("RFC 9112 §6: framing and smuggling cases (CL.TE, TE.CL, TE.TE, duplicate CL)") {
    auto t = framing_cases();
    g_case_count += t.size();
    run_table(t);
}

TEST_CASE("RFC 9112 §9.3: connection management cases") {
    auto t = connection_cases();
    g_case_count += t.size();
    run_table(t);
}

TEST_CASE("RFC 9110 §15.5.15, RFC 6585 §5: limits exactly at and one over") {
    auto t = limit_cases();
    g_case_count += t.size();
    run_table(t);
}

TEST_CASE("RFC 9110 §5.1, §5.5, RFC 9112 §3: every refused byte at every place") {
    auto t = generated_byte_cases();
    g_case_count += t.size();
    run_table(t);
    MESSAGE("request-parser table rows: " << g_case_count);
}

}  // TEST_SUITE

namespace {
std::span<const std::uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RFC 9112 §9.3: pipelined requests are parsed in order after reset()") {
    const std::string input = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                              "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    GuardedBytes g(input);
    std::array<HttpHeader, 8> storage{};
    HttpRequestParser parser;
    HttpRequest req;
    HeadResult r = parser.parse_head(g.span(), storage, req);
    REQUIRE(r.status == ParseStatus::done);
    CHECK(req.path == "/a");
    CHECK(req.content_length == 3);
    std::size_t at = r.consumed + 3;  // the body
    parser.reset();
    r = parser.parse_head(g.span().subspan(at), storage, req);
    REQUIRE(r.status == ParseStatus::done);
    CHECK(req.method == "GET");
    CHECK(req.path == "/b");
    CHECK(at + r.consumed == input.size());
}

TEST_CASE("RFC 6585 §5: header storage smaller than max_headers lowers the limit") {
    std::array<HttpHeader, 2> storage{};
    HttpRequestParser parser;
    HttpRequest req;
    const std::string ok = "GET / HTTP/1.1\r\nHost: a\r\nB: b\r\n\r\n";
    CHECK(parser.parse_head(bytes_of(ok), storage, req).status == ParseStatus::done);
    parser.reset();
    const std::string over = "GET / HTTP/1.1\r\nHost: a\r\nB: b\r\nC: c\r\n\r\n";
    HeadResult r = parser.parse_head(bytes_of(over), storage, req);
    CHECK(r.status == ParseStatus::error);
    CHECK(r.error == HttpError::too_many_headers);
    CHECK(http_status(r.error) == 431);
}

TEST_CASE("RFC 9112 §2.2: an error is sticky and done repeats until reset()") {
    std::array<HttpHeader, 4> storage{};
    HttpRequestParser parser;
    HttpRequest req;
    HeadResult r = parser.parse_head(bytes_of("GET / HTTP/1.1\n"), storage, req);
    CHECK(r.error == HttpError::bare_lf);
    r = parser.parse_head(bytes_of("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), storage, req);
    CHECK(r.error == HttpError::bare_lf);
    parser.reset();
    const std::string good = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    r = parser.parse_head(bytes_of(good), storage, req);
    CHECK(r.status == ParseStatus::done);
    const std::string moved = good;  // same bytes elsewhere: the views follow the new input
    r = parser.parse_head(bytes_of(moved), storage, req);
    CHECK(r.status == ParseStatus::done);
    CHECK(req.target.data() == moved.data() + 4);
    CHECK(req.headers[0].value.data() == moved.data() + 23);
}

TEST_CASE("RFC 9110 §15: every HttpError maps to its status and name") {
    CHECK(http_status(HttpError::bad_method) == 400);
    CHECK(http_status(HttpError::bare_lf) == 400);
    CHECK(http_status(HttpError::conflicting_content_length) == 400);
    CHECK(http_status(HttpError::uri_too_long) == 414);
    CHECK(http_status(HttpError::header_section_too_large) == 431);
    CHECK(http_status(HttpError::too_many_headers) == 431);
    CHECK(http_status(HttpError::body_too_large) == 413);
    CHECK(http_status(HttpError::unsupported_transfer_coding) == 501);
    CHECK(http_status(HttpError::chunked_not_final) == 400);   // RFC 9112 §6.3 (4): 400, then close
    CHECK(http_status(HttpError::version_not_supported) == 505);
    CHECK(http_status(HttpError::none) == 0);
    CHECK(http_error_name(HttpError::obs_fold) == "obs_fold");
    CHECK(http_error_name(HttpError::content_length_and_transfer_encoding) == "content_length_and_transfer_encoding");
}

}  // TEST_SUITE
