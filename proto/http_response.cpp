#include "proto/http_response.hpp"

#include <cstring>

#include "proto/http_chars.hpp"
#include "proto/http_framing.hpp"

namespace sluice::proto {

namespace {
constexpr std::size_t kMaxResponseOffset = std::size_t{1} << 30;
}

HttpResponseParser::HttpResponseParser(const HttpLimits& limits) noexcept : limits_(limits) {
    if (limits_.max_request_line > kMaxResponseOffset) limits_.max_request_line = kMaxResponseOffset;
    if (limits_.max_header_section > kMaxResponseOffset) limits_.max_header_section = kMaxResponseOffset;
    if (limits_.max_headers > 0xffff) limits_.max_headers = 0xffff;
}

void HttpResponseParser::reset() noexcept {
    fields_ = detail::FieldState{};
    pos_ = 0;
    line_end_ = 0;
    in_fields_ = false;
    done_ = false;
    error_ = HttpError::none;
}

HeadResult HttpResponseParser::fail(HttpError e) noexcept {
    error_ = e;
    return {ParseStatus::error, e, 0};
}

HeadResult HttpResponseParser::parse_head(std::span<const std::uint8_t> input,
                                          std::span<HttpHeader> header_storage, HttpResponse& out) noexcept {
    const std::uint8_t* p = input.data();
    const std::size_t size = input.size();
    if (error_ != HttpError::none) return {ParseStatus::error, error_, 0};
    if (!in_fields_) {
        const std::size_t window = size < limits_.max_request_line ? size : limits_.max_request_line;
        const void* lf = pos_ < window ? std::memchr(p + pos_, '\n', window - pos_) : nullptr;
        if (lf == nullptr) {
            pos_ = static_cast<std::uint32_t>(window);
            if (window < size) return fail(HttpError::bad_status_line);
            return {ParseStatus::need_more, HttpError::none, 0};
        }
        const std::size_t l = static_cast<std::size_t>(static_cast<const std::uint8_t*>(lf) - p);
        if (l == 0 || p[l - 1] != '\r') return fail(HttpError::bare_lf);  // RFC 9112 §2.2: we refuse bare LF
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        const std::size_t cr = l - 1;
        if (cr < 12 || std::memcmp(p, "HTTP/", 5) != 0 || !detail::is_digit(p[5]) || p[6] != '.' ||
            !detail::is_digit(p[7]) || p[8] != ' ' || !detail::is_digit(p[9]) || !detail::is_digit(p[10]) ||
            !detail::is_digit(p[11]) || (cr > 12 && p[12] != ' '))
            return fail(HttpError::bad_status_line);
        // RFC 9110 §15: status codes start at 100; "0xx" would read as an interim response
        // with no body, and the bytes after it as the next response.
        if (p[9] == '0') return fail(HttpError::bad_status_line);
        if (p[5] != '1' || (p[7] != '0' && p[7] != '1')) return fail(HttpError::version_not_supported);
        for (std::size_t i = 13; i < cr; ++i) {
            if (!detail::is_value(p[i])) return fail(p[i] == '\r' ? HttpError::bare_cr : HttpError::bad_status_line);
        }
        line_end_ = static_cast<std::uint32_t>(cr);
        fields_ = detail::FieldState{};
        fields_.pos = fields_.section_start = static_cast<std::uint32_t>(l + 1);
        in_fields_ = true;
    }
    if (!done_) {
        detail::FieldScan f = detail::scan_fields(fields_, p, size, limits_.max_header_section,
                                                  limits_.max_headers, header_storage);
        if (f.status == ParseStatus::error) return fail(f.error);
        if (f.status == ParseStatus::need_more) return {ParseStatus::need_more, HttpError::none, 0};
        done_ = true;
    }
    // Lines may have been validated in earlier calls (bytes since moved): re-derive all views.
    detail::refill_fields(p, size, fields_.section_start, fields_.count, header_storage);

    out.version = p[7] == '1' ? HttpVersion::http11 : HttpVersion::http10;
    out.status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    out.reason = line_end_ > 13 ? std::string_view(reinterpret_cast<const char*>(p) + 13, line_end_ - 13)
                                : std::string_view{};
    out.headers = std::span<const HttpHeader>(header_storage.data(), fields_.count);

    bool close = false, keep_alive = false;
    ContentLengthField cl;
    TransferEncodingField te;
    for (const HttpHeader& h : out.headers) {
        if (ascii_iequals(h.name, "content-length")) cl.add_line(h.value);
        else if (ascii_iequals(h.name, "transfer-encoding")) te.add_line(h.value);
        else if (ascii_iequals(h.name, "connection")) {
            for_each_list_element(h.value, [&](std::string_view e) {
                close = close || ascii_iequals(e, "close");
                keep_alive = keep_alive || ascii_iequals(e, "keep-alive");
                return true;
            });
        }
    }
    out.keep_alive = !close && (out.version == HttpVersion::http11 || keep_alive);
    out.body_framing = BodyFraming::none;
    out.content_length = 0;
    out.body_until_close = false;
    if (out.status < 200 || out.status == 204 || out.status == 304) {
        // RFC 9112 §6.3 (1): 1xx, 204 and 304 end at the head, whatever the fields say.
    } else if (te.present) {
        // §6.3 rule 3/4: chunked last -> chunked; otherwise read until close. CL is ignored.
        if (te.chunked_last && te.error() == HttpError::none) {
            out.body_framing = BodyFraming::chunked;
        } else {
            out.body_until_close = true;
            out.keep_alive = false;
        }
    } else if (cl.present) {
        // RFC 9112 §6.3 (5): an invalid Content-Length in a response is an unrecoverable error.
        if (HttpError e = cl.error(); e != HttpError::none) return fail(e);
        out.body_framing = BodyFraming::content_length;
        out.content_length = cl.value;
    } else {
        // RFC 9112 §6.3 (8): otherwise the body runs until the server closes the connection.
        out.body_until_close = true;
        out.keep_alive = false;
    }
    return {ParseStatus::done, HttpError::none, fields_.pos};
}

}  // namespace sluice::proto
