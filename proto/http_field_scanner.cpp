#include "proto/http_field_scanner.hpp"

#include <cstring>
#include <string_view>

#include "proto/http_chars.hpp"

namespace sluice::proto::detail {

namespace {

std::string_view view(const std::uint8_t* p, std::size_t begin, std::size_t end) noexcept {
    return {reinterpret_cast<const char*>(p) + begin, end - begin};
}

// The value runs from value_start to the CR; trailing OWS is not part of it.
HttpHeader make_header(const std::uint8_t* p, std::size_t line_start, std::size_t colon,
                       std::size_t value_start, std::size_t cr) noexcept {
    std::size_t end = cr;
    while (end > value_start && (p[end - 1] == ' ' || p[end - 1] == '\t')) --end;
    return {view(p, line_start, colon), view(p, value_start, end)};
}

constexpr FieldScan fail(HttpError e) noexcept { return {ParseStatus::error, e}; }

}  // namespace

// The scanner proper, on a local copy of the state so the hot fields stay in registers.
[[gnu::always_inline]] inline FieldScan scan(FieldState& s, const std::uint8_t* p, std::size_t size,
                                             std::size_t max_section, std::size_t max_fields,
                                             std::span<HttpHeader> storage) noexcept {
    if (max_fields > storage.size()) max_fields = storage.size();
    const std::size_t limit = s.section_start + max_section;
    const std::size_t end = size < limit ? size : limit;
    std::size_t i = s.pos;
    while (i < end) {
        switch (s.phase) {
            case FieldPhase::line_start: {
                std::uint8_t c = p[i];
                if (c == '\r') {
                    s.phase = FieldPhase::end_lf;
                    ++i;
                    break;
                }
                if (is_token(c)) {
                    if (s.count >= max_fields) {
                        s.pos = static_cast<std::uint32_t>(i);
                        return fail(HttpError::too_many_headers);
                    }
                    s.line_start = static_cast<std::uint32_t>(i);
                    s.phase = FieldPhase::name;
                    ++i;
                    break;
                }
                s.pos = static_cast<std::uint32_t>(i);
                // RFC 9112 §2.2: whitespace before the first field line MUST be rejected (or
                // the line skipped); §5.2: an obs-fold in a request MUST be rejected with 400
                // (or replaced by SP). We reject both.
                if (c == ' ' || c == '\t')
                    return fail(s.count == 0 ? HttpError::leading_whitespace : HttpError::obs_fold);
                if (c == '\n') return fail(HttpError::bare_lf);  // RFC 9112 §2.2: we refuse bare LF
                return fail(HttpError::bad_header_name);
            }
            case FieldPhase::name: {
                i = scan_token(p, i, end);
                if (i == end) break;
                std::uint8_t c = p[i];
                if (c == ':') {
                    s.colon = static_cast<std::uint32_t>(i);
                    s.phase = FieldPhase::value_ows;
                    ++i;
                    break;
                }
                s.pos = static_cast<std::uint32_t>(i);
                // RFC 9112 §5.1: "A server MUST reject, with a response status code of 400 (Bad
                // Request), any received request message that contains whitespace between a
                // header field name and colon."
                if (c == ' ' || c == '\t') return fail(HttpError::space_before_colon);
                return fail(HttpError::bad_header_name);
            }
            case FieldPhase::value_ows: {
                while (i < end && (p[i] == ' ' || p[i] == '\t')) ++i;
                if (i == end) break;
                s.value_start = static_cast<std::uint32_t>(i);
                s.phase = FieldPhase::value;
                [[fallthrough]];
            }
            case FieldPhase::value: {
                i = scan_value(p, i, end);
                if (i == end) break;
                std::uint8_t c = p[i];
                if (c == '\r') {
                    s.phase = FieldPhase::value_lf;
                    ++i;
                    break;
                }
                s.pos = static_cast<std::uint32_t>(i);
                // RFC 9110 §5.5: a field value with CR, LF or NUL MUST be rejected (or those
                // replaced by SP); we also reject other CTLs and DEL.
                return fail(c == '\n' ? HttpError::bare_lf : HttpError::bad_header_value);
            }
            case FieldPhase::value_lf: {
                if (p[i] != '\n') {  // RFC 9112 §2.2: a bare CR MUST be treated as invalid
                    s.pos = static_cast<std::uint32_t>(i);
                    return fail(HttpError::bare_cr);
                }
                storage[s.count] = make_header(p, s.line_start, s.colon, s.value_start, i - 1);
                ++s.count;
                s.phase = FieldPhase::line_start;
                ++i;
                break;
            }
            case FieldPhase::end_lf: {
                if (p[i] != '\n') {
                    s.pos = static_cast<std::uint32_t>(i);
                    return fail(HttpError::bare_cr);
                }
                s.phase = FieldPhase::done;
                s.pos = static_cast<std::uint32_t>(i + 1);
                return {ParseStatus::done, HttpError::none};
            }
            case FieldPhase::done:
                return {ParseStatus::done, HttpError::none};
        }
    }
    s.pos = static_cast<std::uint32_t>(i);
    if (s.phase == FieldPhase::done) return {ParseStatus::done, HttpError::none};
    // RFC 9110 §5.4: a section larger than the server will process MUST get a 4xx: 431 (RFC 6585 §5).
    if (end < size) return fail(HttpError::header_section_too_large);
    return {ParseStatus::need_more, HttpError::none};
}

FieldScan scan_fields(FieldState& state, const std::uint8_t* p, std::size_t size, std::size_t max_section,
                      std::size_t max_fields, std::span<HttpHeader> storage) noexcept {
    FieldState local = state;
    FieldScan r = scan(local, p, size, max_section, max_fields, storage);
    state = local;
    return r;
}

void refill_fields(const std::uint8_t* p, std::size_t size, std::size_t section_start, std::size_t count,
                   std::span<HttpHeader> storage) noexcept {
    std::size_t i = section_start;
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint8_t* colon = static_cast<const std::uint8_t*>(std::memchr(p + i, ':', size - i));
        std::size_t c = static_cast<std::size_t>(colon - p);
        std::size_t v = c + 1;
        while (p[v] == ' ' || p[v] == '\t') ++v;
        const std::uint8_t* lf = static_cast<const std::uint8_t*>(std::memchr(p + v, '\n', size - v));
        std::size_t l = static_cast<std::size_t>(lf - p);
        storage[n] = make_header(p, i, c, v, l - 1);
        i = l + 1;
    }
}

}  // namespace sluice::proto::detail
