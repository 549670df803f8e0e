// proto/http_error.hpp — every way an HTTP/1.1 message can be refused, in one enum.
//
// ParseStatus is the outcome of every HTTP parser call (head parsers and the body decoder).
//
// One named error per RFC rule. Each carries the status code a server answers with
// (http_status) and a stable lower_case name (http_error_name) for logs and tests.
// The mapping lives in http_error.cpp and nowhere else.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::proto {

// done: a complete unit was parsed; need_more: every byte so far is valid, feed more;
// error: the input is refused for good (sticky), see the HttpError beside it.
enum class ParseStatus : std::uint8_t { done, need_more, error };

enum class HttpError : std::uint8_t {
    none,                          // no error (the value carried alongside done/need_more)
    // ---- request line, RFC 9112 §3 --------------------------------------------- 400
    bad_method,                    // §3.1: method = token; empty or non-token byte
    bad_target,                    // §3.2: request-target bytes outside RFC 3986, bad pct-encoding
    bad_target_form,               // §3.2.1-4: form does not fit the method (CONNECT/OPTIONS)
    bad_version,                   // §2.3: HTTP-version is not "HTTP/" DIGIT "." DIGIT
    bad_request_line,              // §3: not method SP target SP version CRLF (extra SP, ...)
    // ---- line syntax, RFC 9112 §2.2 ---------------------------------------------- 400
    bare_cr,                       // §2.2: a CR not followed by LF, anywhere
    bare_lf,                       // §2.2: LF without CR as a line end (we reject; see parser)
    // ---- field lines, RFC 9112 §5, RFC 9110 §5 ------------------------------------ 400
    bad_header_name,               // RFC 9110 §5.1: field-name = token; no colon
    space_before_colon,            // RFC 9112 §5.1: whitespace between name and colon
    bad_header_value,              // RFC 9110 §5.5: NUL, CTL or DEL in a field value
    obs_fold,                      // RFC 9112 §5.2: a line starting with SP/HTAB (obs-fold)
    leading_whitespace,            // RFC 9112 §2.2: whitespace between start-line and first field
    // ---- semantics --------------------------------------------------------------- 400
    missing_host,                  // RFC 9112 §3.2: HTTP/1.1 request without Host
    duplicate_host,                // RFC 9112 §3.2: more than one Host field line
    bad_host,                      // RFC 9112 §3.2: Host value is not uri-host [ ":" port ]
    bad_content_length,            // RFC 9110 §8.6: Content-Length is not 1*DIGIT
    conflicting_content_length,    // RFC 9112 §6.3 (5): differing Content-Length values
    content_length_and_transfer_encoding, // RFC 9112 §6.1: both present (smuggling)
    bad_transfer_encoding,         // RFC 9112 §6.1/§7: malformed list, chunked twice or with parameters
    chunked_not_final,             // RFC 9112 §6.3 (4): a request whose last coding is not chunked
    transfer_encoding_in_http10,   // RFC 9112 §6.1: HTTP/1.0 message with Transfer-Encoding
    bad_chunk_size,                // RFC 9112 §7.1: chunk-size not 1*HEXDIG or overflows 64 bits
    bad_chunk,                     // RFC 9112 §7.1: chunk framing (CRLF after data, extensions)
    bad_status_line,               // RFC 9112 §4: response status-line (client role only)
    // ---- limits ------------------------------------------------------------------------
    uri_too_long,                  // 414  RFC 9110 §15.5.15: request line over the limit
    header_section_too_large,      // 431  RFC 6585 §5: field section over the byte limit
    too_many_headers,              // 431  RFC 6585 §5: more field lines than allowed
    body_too_large,                // 413  RFC 9110 §15.5.14: body over the limit
    // ---- not implemented ---------------------------------------------------------------
    unsupported_transfer_coding,   // 501  RFC 9112 §6.1: a coding other than chunked
    version_not_supported,         // 505  RFC 9110 §15.6.6: HTTP/x.y other than 1.0 and 1.1
};

// The status a server answers with (400, 413, 414, 431, 501, 505); 0 for none.
int http_status(HttpError e) noexcept;

// "bad_method", "bare_cr", ... — the enumerator's own spelling.
std::string_view http_error_name(HttpError e) noexcept;

}  // namespace sluice::proto
