// proto/http_request.hpp — a parsed HTTP/1.1 request head, as views.
//
// Produced by HttpRequestParser (proto/http_parser.hpp). Everything here is a view: the
// request is valid while the bytes given to the parser (and the caller's header storage)
// are unchanged. Nothing is decoded behind the caller's back: `path` is still
// percent-encoded; percent_decode() below does it on request, into caller memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "proto/http_fields.hpp"

namespace sluice::proto {

enum class HttpVersion : std::uint8_t { http10, http11 };

// RFC 9112 §6.3: how the request body is delimited. A request with neither
// Transfer-Encoding nor Content-Length has no body (§6.3 rule 6).
enum class BodyFraming : std::uint8_t { none, content_length, chunked };

// A request head. Does not own anything: views into the parsed bytes and the caller's
// header storage (and, for `path` of an absolute-form target without a path, the static "/").
struct HttpRequest {
    std::string_view method;   // RFC 9112 §3.1, case-sensitive token ("GET")
    std::string_view target;   // RFC 9112 §3.2, exactly as received
    // origin-form "/a/b?x=1": path "/a/b", query "x=1". absolute-form
    // "http://h/a?x": path "/a", query "x" (path "/" when the URI has none). authority-form
    // (CONNECT "h:443"): path and query empty. asterisk-form (OPTIONS "*"): path "*".
    std::string_view path;
    std::string_view query;    // without '?', empty if none
    HttpVersion version = HttpVersion::http11;
    std::span<const HttpHeader> headers;  // arrival order, repeats kept; storage is the caller's
    BodyFraming body_framing = BodyFraming::none;
    std::uint64_t content_length = 0;     // valid when body_framing == content_length
    bool keep_alive = true;       // RFC 9112 §9.3: 1.1 unless "close"; 1.0 only with "keep-alive"
    bool expect_continue = false; // RFC 9110 §10.1.1: "Expect: 100-continue" (ignored in 1.0)

    // Whether body bytes follow the head. RFC 9112 §6.3: "Content-Length: 0" frames a
    // complete, empty body: the request is whole at the end of its head.
    bool body_follows() const noexcept {
        return body_framing == BodyFraming::chunked ||
               (body_framing == BodyFraming::content_length && content_length > 0);
    }

    // The first field named `name` (case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        return find_header(headers, name);
    }
    std::size_t header_count(std::string_view name) const noexcept {
        return count_headers(headers, name);
    }
    // Comma-separated token lists across all repeats, case-insensitive, OWS ignored
    // (RFC 9110 §5.6.1): header_has_token("Connection", "upgrade").
    bool header_has_token(std::string_view name, std::string_view token) const noexcept {
        return headers_have_token(headers, name, token);
    }
};

// RFC 3986 §2.1: decodes %XX escapes of `in` into `out`. '+' stays '+' (that is form
// encoding, not URI syntax). nullopt if an escape is malformed or `out` is too small;
// otherwise the number of bytes written. A decoded "%00" or "%2F" is returned as is:
// whether a NUL or an encoded slash is acceptable is the caller's decision.
std::optional<std::size_t> percent_decode(std::string_view in, std::span<char> out) noexcept;

}  // namespace sluice::proto
