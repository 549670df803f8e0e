// proto/http_response.hpp — the client role: parsing a response head (RFC 9112 §4, §6.3).
//
// Used by tests, the load generator and any sluice client. Same contract and the same
// field-section scanner as HttpRequestParser (proto/http_field_scanner.hpp): feed the
// whole unconsumed input; done + consumed, need_more, or error. The status-line is
// validated when its CRLF arrives (a server is not an adversary the way a client is);
// it is bounded by limits.max_request_line (over: bad_status_line).
//
//   status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF     (§4)
//   A missing SP before an empty reason ("HTTP/1.1 200\r\n") is tolerated, as §4 asks a
//   client to be (a reason-phrase is ignored anyway).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "proto/http_error.hpp"
#include "proto/http_field_scanner.hpp"
#include "proto/http_fields.hpp"
#include "proto/http_limits.hpp"
#include "proto/http_parser.hpp"
#include "proto/http_request.hpp"

namespace sluice::proto {

// A response head. Does not own anything: views into the parsed bytes and header storage.
struct HttpResponse {
    int status = 0;                 // 100..999 (three digits, §4)
    std::string_view reason;        // may be empty
    HttpVersion version = HttpVersion::http11;
    std::span<const HttpHeader> headers;
    // §6.3: 1xx, 204 and 304 have no body; chunked; Content-Length; otherwise the body runs
    // until the connection closes (body_until_close). The caller knows whether it sent HEAD:
    // a response to HEAD has no body whatever these say.
    BodyFraming body_framing = BodyFraming::none;
    std::uint64_t content_length = 0;
    bool body_until_close = false;
    bool keep_alive = true;         // §9.3, as for requests

    std::optional<std::string_view> header(std::string_view name) const noexcept {
        return find_header(headers, name);
    }
    std::size_t header_count(std::string_view name) const noexcept { return count_headers(headers, name); }
    bool header_has_token(std::string_view name, std::string_view token) const noexcept {
        return headers_have_token(headers, name, token);
    }
};

// Owns only its small state and a copy of the limits.
class HttpResponseParser {
 public:
    explicit HttpResponseParser(const HttpLimits& limits = {}) noexcept;
    HeadResult parse_head(std::span<const std::uint8_t> input, std::span<HttpHeader> header_storage,
                          HttpResponse& out) noexcept;
    void reset() noexcept;

 private:
    HeadResult fail(HttpError e) noexcept;

    HttpLimits limits_;
    detail::FieldState fields_;
    std::uint32_t pos_ = 0;         // status-line bytes already searched for LF
    std::uint32_t line_end_ = 0;    // offset of the status-line's CR, once found
    bool in_fields_ = false;
    bool done_ = false;
    HttpError error_ = HttpError::none;
};

}  // namespace sluice::proto
