#include "proto/sse_encoder.hpp"

#include <cstring>

namespace sluice::proto {

namespace {

constexpr std::string_view kData = "data";
constexpr std::string_view kEvent = "event";
constexpr std::string_view kId = "id";
constexpr std::string_view kRetry = "retry";

bool has_line_break(std::string_view s) noexcept {
    for (char c : s) {
        if (c == '\r' || c == '\n') return true;
    }
    return false;
}

bool has_nul(std::string_view s) noexcept { return s.find('\0') != std::string_view::npos; }

// Calls fn(line) for each line of `text`: CR, LF and CRLF each end a line (§9.2.5), and
// the text after the last break is a line too, so "a\n" is the lines "a" and "".
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) noexcept {
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r' && text[i] != '\n') continue;
        fn(text.substr(start, i - start));
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        start = i + 1;
    }
    fn(text.substr(start));
}

// "name: value\n", or "name\n" when the value is empty (the same field for a client).
// A comment has no name and always its colon (": text\n", ":\n"): a bare "\n" would be
// the empty line that dispatches.
constexpr std::size_t field_size(std::string_view name, std::string_view value) noexcept {
    const bool colon = name.empty() || !value.empty();
    return name.size() + (colon ? 1 : 0) + (value.empty() ? 0 : 1 + value.size()) + 1;
}

std::size_t decimal_digits(std::uint32_t v) noexcept {
    std::size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

// Writes one field at `p` (which has room, checked by the caller); returns the end.
std::uint8_t* put_field(std::uint8_t* p, std::string_view name, std::string_view value) noexcept {
    if (!name.empty()) std::memcpy(p, name.data(), name.size());  // a comment has no name (and no data())
    p += name.size();
    if (name.empty() || !value.empty()) *p++ = ':';
    if (!value.empty()) {
        *p++ = ' ';
        std::memcpy(p, value.data(), value.size());
        p += value.size();
    }
    *p++ = '\n';
    return p;
}

std::size_t lines_size(std::string_view name, std::string_view text) noexcept {
    std::size_t n = 0;
    for_each_line(text, [&](std::string_view line) { n += field_size(name, line); });
    return n;
}

std::uint8_t* put_lines(std::uint8_t* p, std::string_view name, std::string_view text) noexcept {
    for_each_line(text, [&](std::string_view line) { p = put_field(p, name, line); });
    return p;
}

}  // namespace

SseEncodeResult sse_encoded_size(const SseMessage& m) noexcept {
    std::size_t n = 0;
    if (m.id) {
        if (has_line_break(*m.id)) return {0, SseEncodeError::id_has_line_break};
        if (has_nul(*m.id)) return {0, SseEncodeError::id_has_nul};
        n += field_size(kId, *m.id);
    }
    if (!m.event.empty()) {
        if (has_line_break(m.event)) return {0, SseEncodeError::event_has_line_break};
        if (has_nul(m.event)) return {0, SseEncodeError::event_has_nul};
        n += field_size(kEvent, m.event);
    }
    if (m.retry_ms) n += kRetry.size() + 2 + decimal_digits(*m.retry_ms) + 1;
    n += lines_size(kData, m.data);
    return {n + 1, SseEncodeError::none};  // + the empty line that dispatches
}

SseEncodeResult encode_sse(const SseMessage& m, std::span<std::uint8_t> out) noexcept {
    const SseEncodeResult size = sse_encoded_size(m);
    if (size.error != SseEncodeError::none) return size;
    if (out.size() < size.size) return {0, SseEncodeError::buffer_too_small};
    std::uint8_t* p = out.data();
    if (m.id) p = put_field(p, kId, *m.id);
    if (!m.event.empty()) p = put_field(p, kEvent, m.event);
    if (m.retry_ms) {
        char digits[10];
        std::size_t k = decimal_digits(*m.retry_ms);
        std::uint32_t v = *m.retry_ms;
        for (std::size_t i = k; i-- > 0; v /= 10) digits[i] = static_cast<char>('0' + v % 10);
        p = put_field(p, kRetry, {digits, k});
    }
    p = put_lines(p, kData, m.data);
    *p++ = '\n';
    return {static_cast<std::size_t>(p - out.data()), SseEncodeError::none};
}

std::size_t sse_comment_size(std::string_view text) noexcept { return lines_size({}, text); }

std::size_t encode_sse_comment(std::string_view text, std::span<std::uint8_t> out) noexcept {
    const std::size_t n = sse_comment_size(text);
    if (out.size() < n) return 0;
    put_lines(out.data(), {}, text);
    return n;
}

std::string_view sse_encode_error_name(SseEncodeError e) noexcept {
    switch (e) {
        case SseEncodeError::none: return "none";
        case SseEncodeError::id_has_line_break: return "id_has_line_break";
        case SseEncodeError::id_has_nul: return "id_has_nul";
        case SseEncodeError::event_has_line_break: return "event_has_line_break";
        case SseEncodeError::event_has_nul: return "event_has_nul";
        case SseEncodeError::buffer_too_small: return "buffer_too_small";
    }
    return "unknown";
}

}  // namespace sluice::proto
