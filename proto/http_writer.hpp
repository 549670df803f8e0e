// proto/http_writer.hpp — response heads and bodies into fixed, caller-supplied memory.
//
// Nothing here allocates or reads a clock: the caller passes the memory (a core::Buffer's
// writable() span, or any char array) and the time (DateCache::update once per loop tick).
// Every write is bounds-checked; when something does not fit, the writer stops, ok() turns
// false (sticky) and the bytes written so far must be discarded.
//
//   ResponseWriter w(buffer.writable());
//   w.status_line(200);  w.date(dates);  w.header("Content-Type", "text/html");
//   w.content_length(body.size());  w.end_head();  w.body(body);
//   if (w.ok()) buffer.commit(w.size());
//
// Header names must be tokens and values field-value bytes (no CR, LF, NUL): anything else
// is refused (ok() false) so a caller's string can never inject a header or a response.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/http_error.hpp"
#include "proto/http_request.hpp"

namespace sluice::proto {

// RFC 9110 §5.6.7: the IMF-fixdate for the Date header, "Sun, 06 Nov 1994 08:49:37 GMT".
// Owns its 29 bytes. Formats only when the second changes; value() is then a plain copy.
class DateCache {
 public:
    void update(std::int64_t unix_seconds) noexcept;  // re-format only when the second changes
    std::string_view value() const noexcept { return {text_.data(), text_.size()}; }
    std::int64_t seconds() const noexcept { return seconds_; }

 private:
    std::int64_t seconds_ = -1;
    std::array<char, 29> text_ = {'T', 'h', 'u', ',', ' ', '0', '1', ' ', 'J', 'a', 'n', ' ', '1', '9', '7',
                                  '0', ' ', '0', '0', ':', '0', '0', ':', '0', '0', ' ', 'G', 'M', 'T'};
};

// RFC 9110 §15: the reason phrase of a status ("Not Found"); "" for unknown codes.
std::string_view http_reason_phrase(int status) noexcept;

// RFC 9110 §6.4.1 / RFC 9112 §6.3: a 1xx, 204 or 304 response has no content, whatever its
// header fields say. ResponseWriter applies it after status_line().
constexpr bool status_has_body(int status) noexcept {
    return !(status == 204 || status == 304 || (status >= 100 && status < 200));
}

// Does not own `out`: writes the response at its front.
class ResponseWriter {
 public:
    explicit ResponseWriter(std::span<char> out) noexcept : out_(out) {}
    explicit ResponseWriter(std::span<std::uint8_t> out) noexcept
        : out_(reinterpret_cast<char*>(out.data()), out.size()) {}

    // RFC 9110 §9.3.2: for a response to HEAD, the head is written in full (Content-Length
    // included) and body(), chunk() and last_chunk() write nothing.
    void set_head_request(bool head) noexcept { head_ = head; }

    // RFC 9112 §4: "HTTP/1.1 404 Not Found\r\n"; reason defaults to http_reason_phrase().
    // A status without content (status_has_body false: 1xx, 204, 304) makes content_length()
    // and body() write nothing (RFC 9110 §8.6: no Content-Length in a 1xx or 204).
    bool status_line(int status, std::string_view reason = {}) noexcept;
    // RFC 9110 §10.1.1 / §15.2.1: the interim "HTTP/1.1 100 Continue\r\n\r\n", whole.
    bool continue_100() noexcept;
    // False after status_line() of a status that has no content (see status_has_body).
    bool body_allowed() const noexcept { return !bodiless_; }
    bool header(std::string_view name, std::string_view value) noexcept;
    bool header(std::string_view name, std::uint64_t value) noexcept;  // decimal
    bool date(const DateCache& dates) noexcept;                        // "Date: ..."
    bool content_length(std::uint64_t n) noexcept;                     // RFC 9110 §8.6
    bool chunked() noexcept;                                           // "Transfer-Encoding: chunked"
    // Complete field lines ("Allow: GET, HEAD\r\nVary: Origin\r\n"), each validated.
    bool fields(std::string_view lines) noexcept;
    bool end_head() noexcept;                                          // the empty line
    bool body(std::string_view bytes) noexcept;
    // RFC 9112 §7.1: one chunk, "<hex size>\r\n<data>\r\n"; an empty chunk writes nothing
    // (a zero size would end the body).
    bool chunk(std::string_view bytes) noexcept;
    bool last_chunk() noexcept;                                        // "0\r\n\r\n", no trailers
    // The two halves of chunk() around data the caller writes itself (a payload queued
    // without a copy): the chunk-size line "<hex size>\r\n" and the CRLF after the data.
    // A zero size writes nothing (it would end the body).
    bool chunk_size(std::size_t n) noexcept;
    bool chunk_end() noexcept;

    bool ok() const noexcept { return ok_; }
    std::size_t size() const noexcept { return used_; }
    std::string_view view() const noexcept { return {out_.data(), used_}; }

 private:
    bool put(std::string_view s) noexcept;
    bool put_decimal(std::uint64_t v) noexcept;

    std::span<char> out_;
    std::size_t used_ = 0;
    bool ok_ = true;
    bool head_ = false;
    bool bodiless_ = false;  // the status has no content (status_has_body)
};

// A complete response with a Content-Length body, the common case, in one call.
struct SimpleResponse {
    int status = 200;
    std::string_view content_type = "text/plain; charset=utf-8";  // empty: no Content-Type
    std::string_view body;
    std::string_view extra_headers;     // complete lines, each ending CRLF ("Allow: GET\r\n")
    const DateCache* date = nullptr;    // adds "Date" when given
    bool head_request = false;          // answer to HEAD: same head, no body
    bool close = false;                 // adds "Connection: close"
};
// Returns the bytes written at the front of `out`, or 0 if the response does not fit or a
// field is not valid (extra_headers must be well-formed field lines). A 1xx or 204 response
// gets no Content-Length (RFC 9110 §8.6) and must have an empty body.
std::size_t write_response(const SimpleResponse& response, std::span<char> out) noexcept;

// Every error response, built here and nowhere else: 400, 404, 405 (pass "Allow: ...\r\n"
// in extra_headers, RFC 9110 §15.5.6), 408, 413, 414, 426 (pass "Upgrade: websocket\r\n",
// §15.5.22), 431, 501, 505, or any other status. The body is `reason_body`, or the reason
// phrase and a newline. "Connection: close" is added for the statuses after which the
// connection cannot be trusted to continue (400, 408, 413, 414, 431, 501, 505: the rest of
// the input was not read or cannot be framed); 404, 405 and 426 keep the connection.
std::size_t write_error_response(int status, std::span<char> out, std::string_view extra_headers = {},
                                 std::string_view reason_body = {}) noexcept;

// Whether an error status closes the connection (see write_error_response).
bool error_closes_connection(int status) noexcept;

}  // namespace sluice::proto
