// proto/http_parser.hpp — the incremental, zero-copy HTTP/1.1 request-head parser.
//
// Contract (one line): feed the whole unconsumed input; get done + `consumed` bytes of
// head and a filled HttpRequest, or need_more, or error + an HttpError whose
// http_status() is the answer to send (then close the connection).
//
//   input:  [ request-line CRLF ][ field-line CRLF ... ][ CRLF ][ body / next request ... ]
//           |<------------------------ consumed ------------------------>|
//
// The parser is sans-I/O and allocation-free. Its state is offsets into the input, never
// pointers: between calls the caller may move the unconsumed bytes (compact a buffer, copy
// a partial head into connection memory); a call resumes where the last one stopped and
// never re-validates a byte. Any split of the input, one byte at a time included, gives the
// same result as the whole. Views in the HttpRequest point into the input of the call that
// returned done, and into the caller's header storage. The HttpRequest is whole only when a
// call returns done: after need_more or error its members are unspecified (the fast path
// fills the request-line's parts as soon as that line is whole).
//
// Structure: a fresh head (the first call after reset()) goes through a straight-line fast
// path (parse_fresh_head) that takes the common shapes whole and hands over, at the last
// whole unit it passed, to the resumable byte-class machine (parse_general), which gives
// every error its answer; test/proto/http_parser_fast_path_test.cpp pins the two together.
//
// What it enforces (RFC 9112 unless stated; each rule has a named HttpError):
//  §2.2   lines end in CRLF. A bare LF is REJECTED (bare_lf) although §2.2 permits
//         accepting it: lenient line ends are a request-smuggling lever. A CR not followed
//         by LF anywhere -> bare_cr. Empty lines (CRLF) before the request-line are ignored
//         (§2.2 SHOULD) and count toward max_request_line.
//  §3     method SP request-target SP HTTP-version CRLF; exactly one SP each (strict).
//  §3.1   method = token (case-sensitive; not upper-cased).
//  §3.2   request-target bytes: RFC 3986 unreserved / sub-delims / ":@/?[]" / pct-encoded
//         with two HEXDIG ("#", SP, CTLs, non-ASCII -> bad_target). Forms: origin-form
//         "/..." (no "[" "]"); absolute-form "scheme://authority..." without userinfo
//         (RFC 9110 §4.2.4); authority-form "host:port" for CONNECT only; asterisk-form "*"
//         for OPTIONS only (a form that does not fit the method -> bad_target_form).
//         Checked the moment the target's SP arrives (proto/http_target.hpp).
//  §2.3   HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive; anything else -> bad_version;
//         a well-formed version other than 1.0 and 1.1 -> version_not_supported (505), as
//         soon as its last digit arrives. (HTTP/1.2 is also 505: we implement 1.0 and 1.1.)
//  §5     field lines, see proto/http_field_scanner.hpp: token names, no whitespace before
//         the colon, values VCHAR / obs-text / SP / HTAB, obs-fold rejected.
//  §3.2   Host: missing in HTTP/1.1 or repeated -> 400; a value that is not
//         uri-host [":" port] -> bad_host (RFC 9110 §7.2). Required even with absolute-form.
//  §6.1   Transfer-Encoding: a comma list across all lines, case-insensitive, empty elements
//         ignored (RFC 9110 §5.6.1): "chunked ," and "CHUNKED" are chunked. Only chunked is
//         implemented: any other coding ("xchunked", "identity", "gzip") -> 501, so
//         "chunked, gzip" (chunked not last, 400 in §6.3) is 501 too: the coding we do not
//         implement is reported first. chunked twice, with parameters, or an empty list -> 400
//         (proto/http_framing.hpp). In HTTP/1.0 -> 400 (we choose to refuse rather than
//         "treat the framing as faulty"). With Content-Length -> 400 (smuggling).
//  RFC 9110 §10.1.1  Expect: 100-continue sets expect_continue, in HTTP/1.1 only ("A server
//         that receives a 100-continue expectation in an HTTP/1.0 request MUST ignore that
//         expectation"); other expectations are ignored (§10.1.1 lets a server answer 417;
//         we leave that to the caller).
//  §6.3   Content-Length = 1*DIGIT (sign, space, hex -> 400); repeats (lines or a list) must
//         all be the same number (then accepted, rule 5), else conflicting_content_length.
//         Over max_body -> 413 when the head completes, before any body byte.
//  §9.3   keep_alive: 1.1 persists unless "close"; 1.0 only with "keep-alive" and no "close".
//  Limits (every byte of the line or section counts, CRLFs included; exactly at the limit
//  is accepted, one byte over is refused as soon as that byte is present):
//         request line > max_request_line -> 414; field section (field lines + final CRLF)
//         > max_header_section -> 431; more than max_headers fields (or than the caller's
//         storage holds) -> 431.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "proto/http_body.hpp"
#include "proto/http_error.hpp"
#include "proto/http_field_scanner.hpp"
#include "proto/http_fields.hpp"
#include "proto/http_limits.hpp"
#include "proto/http_request.hpp"

namespace sluice::proto {

// 16 bytes, so it is returned in two registers.
struct HeadResult {
    ParseStatus status;
    HttpError error;       // none unless status == error
    std::size_t consumed;  // bytes of head when done; 0 otherwise
};

// Owns only its small state (and a copy of the limits); never the input nor the storage.
class HttpRequestParser {
 public:
    explicit HttpRequestParser(const HttpLimits& limits = {}) noexcept;

    // Feed the WHOLE unconsumed input received so far (bytes of earlier calls first, then
    // new ones, contiguous). header_storage receives the field lines; pass storage of at
    // least limits.max_headers entries (fewer entries lower the field-count limit).
    // After done or error, calls return the same result until reset().
    HeadResult parse_head(std::span<const std::uint8_t> input, std::span<HttpHeader> header_storage,
                          HttpRequest& out) noexcept;

    // Forget this request; the next parse_head starts a new one (keep-alive, pipelining:
    // pass the input after the previous request's head and body).
    // RFC 9112 §9.3.2: a pipelined request after this one is left untouched; reset() starts
    // on it. Inline: a server resets once per request.
    void reset() noexcept { state_ = State{}; }

    enum class Phase : std::uint8_t { lead, lead_lf, method, target, target_pct1, target_pct2,
                                      version, line_lf, fields, done, error };

    // Persistent state: offsets from the start of the unconsumed input.
    struct State {
        detail::FieldState fields;        // the field section, once the request-line is done
        std::uint32_t pos = 0;            // next request-line byte to examine
        std::uint32_t line_start = 0;     // first byte of the method
        std::uint32_t target_start = 0;
        std::uint32_t target_end = 0;
        Phase phase = Phase::lead;
        std::uint8_t version_index = 0;   // bytes of "HTTP/x.y" seen
        bool target_brackets = false;     // "[" or "]" seen in the target
        HttpVersion version{};            // set with the request-line (all-zero State: reset() is 3 stores)
        HttpError error = HttpError::none;
    };
    static_assert(sizeof(State) <= 48, "parser state must stay a small aggregate");

 private:
    HeadResult fail(HttpError e) noexcept;
    bool parse_fresh(const std::uint8_t* p, std::size_t size, std::span<HttpHeader> storage, HttpRequest& out,
                     HeadResult& result) noexcept;
    HeadResult parse_fresh_head(const std::uint8_t* p, std::size_t size, std::span<HttpHeader> storage,
                                HttpRequest& out) noexcept;
    HeadResult parse_general(const std::uint8_t* p, std::size_t size, std::span<HttpHeader> storage, bool fresh,
                             HttpRequest& out) noexcept;
    HeadResult parse_request_line(const std::uint8_t* p, std::size_t size) noexcept;
    HeadResult request_line(State& s, const std::uint8_t* p, std::size_t size) const noexcept;
    HeadResult finish(const std::uint8_t* p, std::size_t size, std::span<HttpHeader> storage,
                      bool refill, HttpRequest& out) noexcept;

    HttpLimits limits_;
    State state_;
};

}  // namespace sluice::proto
