#include "proto/http_writer.hpp"

#include <chrono>
#include <cstring>

#include "proto/http_chars.hpp"

namespace sluice::proto {

namespace {

void two_digits(char* p, unsigned v) noexcept {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

bool valid_name(std::string_view s) noexcept {
    return !s.empty() &&
           detail::scan_token(reinterpret_cast<const std::uint8_t*>(s.data()), 0, s.size()) == s.size();
}

bool valid_value(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    return detail::scan_value(p, 0, s.size()) == s.size();
}

// 1xx and 204: responses that never carry content nor Content-Length (RFC 9110 §8.6).
constexpr bool no_content_status(int status) noexcept { return (status >= 100 && status < 200) || status == 204; }

// extra_headers: zero or more complete field lines.
bool valid_field_lines(std::string_view s) noexcept {
    while (!s.empty()) {
        std::size_t end = s.find("\r\n");
        if (end == std::string_view::npos) return false;
        std::string_view line = slice(s, 0, end);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !valid_name(slice(line, 0, colon)) ||
            !valid_value(slice(line, colon + 1)))
            return false;
        s.remove_prefix(end + 2);
    }
    return true;
}

}  // namespace

void DateCache::update(std::int64_t unix_seconds) noexcept {
    if (unix_seconds == seconds_) return;
    seconds_ = unix_seconds;
    static constexpr char kDays[] = "SunMonTueWedThuFriSat";
    static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    namespace chr = std::chrono;
    const chr::sys_seconds t{chr::seconds{unix_seconds}};
    const chr::sys_days day = chr::floor<chr::days>(t);
    const chr::year_month_day ymd{day};
    const chr::hh_mm_ss<chr::seconds> hms{t - day};
    const unsigned wd = chr::weekday{day}.c_encoding();
    const unsigned mon = static_cast<unsigned>(ymd.month()) - 1;
    const int year = static_cast<int>(ymd.year());
    char* p = text_.data();
    std::memcpy(p, kDays + 3 * wd, 3);
    p[3] = ',';
    p[4] = ' ';
    two_digits(p + 5, static_cast<unsigned>(ymd.day()));
    p[7] = ' ';
    std::memcpy(p + 8, kMonths + 3 * mon, 3);
    p[11] = ' ';
    const unsigned y = year < 0 ? 0U : static_cast<unsigned>(year) % 10000U;
    two_digits(p + 12, y / 100);
    two_digits(p + 14, y % 100);
    p[16] = ' ';
    two_digits(p + 17, static_cast<unsigned>(hms.hours().count()));
    p[19] = ':';
    two_digits(p + 20, static_cast<unsigned>(hms.minutes().count()));
    p[22] = ':';
    two_digits(p + 23, static_cast<unsigned>(hms.seconds().count()));
    std::memcpy(p + 25, " GMT", 4);
}

std::string_view http_reason_phrase(int status) noexcept {
    switch (status) {
        case 100: return "Continue";
        case 101: return "Switching Protocols";
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 204: return "No Content";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 411: return "Length Required";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 415: return "Unsupported Media Type";
        case 417: return "Expectation Failed";
        case 426: return "Upgrade Required";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
        default: return "";
    }
}

bool ResponseWriter::put(std::string_view s) noexcept {
    if (!ok_ || s.size() > out_.size() - used_) return ok_ = false;
    if (!s.empty()) std::memcpy(out_.data() + used_, s.data(), s.size());
    used_ += s.size();
    return true;
}

bool ResponseWriter::put_decimal(std::uint64_t v) noexcept {
    char digits[20];
    std::size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return put({digits + sizeof digits - n, n});
}

// RFC 9112 §4: a server MUST send the SP after the status code even when the reason is empty.
bool ResponseWriter::status_line(int status, std::string_view reason) noexcept {
    if (status < 100 || status > 999) return ok_ = false;
    if (reason.empty()) reason = http_reason_phrase(status);
    if (!valid_value(reason)) return ok_ = false;
    char code[4] = {static_cast<char>('0' + status / 100), static_cast<char>('0' + status / 10 % 10),
                    static_cast<char>('0' + status % 10), ' '};
    bodiless_ = !status_has_body(status);
    return put("HTTP/1.1 ") && put({code, 4}) && put(reason) && put("\r\n");
}

bool ResponseWriter::continue_100() noexcept { return status_line(100) && end_head(); }

// RFC 9112 §5.2: a sender MUST NOT generate line folding (no CR or LF gets into a value).
bool ResponseWriter::header(std::string_view name, std::string_view value) noexcept {
    // RFC 9110 §5.1 field-name = token; §5.5: CR, LF and NUL are invalid in a value (a
    // caller's string must never start a new field line or a new response).
    if (!valid_name(name) || !valid_value(value)) return ok_ = false;
    return put(name) && put(": ") && put(value) && put("\r\n");
}

bool ResponseWriter::header(std::string_view name, std::uint64_t value) noexcept {
    if (!valid_name(name)) return ok_ = false;
    return put(name) && put(": ") && put_decimal(value) && put("\r\n");
}

bool ResponseWriter::date(const DateCache& dates) noexcept { return header("Date", dates.value()); }

bool ResponseWriter::content_length(std::uint64_t n) noexcept {
    return bodiless_ ? ok_ : header("Content-Length", n);
}

bool ResponseWriter::chunked() noexcept { return put("Transfer-Encoding: chunked\r\n"); }

bool ResponseWriter::fields(std::string_view lines) noexcept {
    if (!valid_field_lines(lines)) return ok_ = false;
    return put(lines);
}

bool ResponseWriter::end_head() noexcept { return put("\r\n"); }

// RFC 9110 §9.3.2: "The server SHOULD NOT send content in the response" to HEAD (and RFC 9112
// §6.3 (1): such a response ends at its head).
bool ResponseWriter::body(std::string_view bytes) noexcept { return head_ || bodiless_ ? ok_ : put(bytes); }

bool ResponseWriter::chunk(std::string_view bytes) noexcept {
    if (head_ || bytes.empty()) return ok_;
    return chunk_size(bytes.size()) && put(bytes) && chunk_end();
}

bool ResponseWriter::chunk_size(std::size_t size) noexcept {
    if (head_ || size == 0) return ok_;
    char hex[16];
    std::size_t n = 0;
    for (std::size_t v = size; v != 0; v >>= 4) hex[sizeof hex - 1 - n++] = "0123456789abcdef"[v & 15];
    return put({hex + sizeof hex - n, n}) && put("\r\n");
}

bool ResponseWriter::chunk_end() noexcept { return head_ ? ok_ : put("\r\n"); }

bool ResponseWriter::last_chunk() noexcept { return head_ ? ok_ : put("0\r\n\r\n"); }

std::size_t write_response(const SimpleResponse& r, std::span<char> out) noexcept {
    ResponseWriter w(out);
    w.set_head_request(r.head_request);
    w.status_line(r.status);
    if (r.date != nullptr) w.date(*r.date);
    if (!r.content_type.empty()) w.header("Content-Type", r.content_type);
    // RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any response
    // with a status code of 1xx (Informational) or 204 (No Content)"; such a response has no
    // content (RFC 9112 §6.3 (1)), so a body given with it is refused.
    if (no_content_status(r.status)) {
        if (!r.body.empty()) return 0;
    } else {
        w.content_length(r.body.size());
    }
    if (r.close) w.header("Connection", "close");
    w.fields(r.extra_headers);
    w.end_head();
    w.body(r.body);
    return w.ok() ? w.size() : 0;
}

// RFC 9112 §2.2: a message that does not match the grammar SHOULD get 400 and a close.
bool error_closes_connection(int status) noexcept {
    switch (status) {
        case 404:
        case 405:
        case 426: return false;
        default: return status >= 400;
    }
}

std::size_t write_error_response(int status, std::span<char> out, std::string_view extra_headers,
                                 std::string_view reason_body) noexcept {
    char fallback[64];
    if (reason_body.empty()) {
        std::string_view phrase = http_reason_phrase(status);
        if (phrase.size() + 1 > sizeof fallback) phrase = {};
        std::memcpy(fallback, phrase.data(), phrase.size());
        fallback[phrase.size()] = '\n';
        reason_body = {fallback, phrase.size() + 1};
    }
    SimpleResponse r;
    r.status = status;
    r.body = reason_body;
    r.extra_headers = extra_headers;
    r.close = error_closes_connection(status);
    return write_response(r, out);
}

}  // namespace sluice::proto
