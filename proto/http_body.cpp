#include "proto/http_body.hpp"

#include <cstring>

#include "proto/http_chars.hpp"

namespace sluice::proto {

namespace {
constexpr bool is_ws(std::uint8_t c) noexcept { return c == ' ' || c == '\t'; }
// RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
constexpr bool is_qdtext(std::uint8_t c) noexcept {
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c != 0x7f);
}
constexpr std::uint32_t clamp32(std::size_t v) noexcept {
    return v > (1U << 30) ? (1U << 30) : static_cast<std::uint32_t>(v);
}
}  // namespace

void BodyDecoder::start(const HttpRequest& request, const HttpLimits& limits) noexcept {
    start(request.body_framing, request.content_length, limits);
}

void BodyDecoder::start(BodyFraming framing, std::uint64_t length, const HttpLimits& limits) noexcept {
    total_ = 0;
    line_ = 0;
    max_body_ = limits.max_body;
    max_trailers_ = clamp32(limits.max_header_section);
    error_ = HttpError::none;
    remaining_ = 0;
    switch (framing) {
        case BodyFraming::none: phase_ = Phase::done; break;
        case BodyFraming::content_length:
            remaining_ = length;
            phase_ = length == 0 ? Phase::done : Phase::length;
            if (length > max_body_) {  // the request parser already refused it; a response may not have
                phase_ = Phase::error;
                error_ = HttpError::body_too_large;
            }
            break;
        case BodyFraming::chunked: phase_ = Phase::size; break;
    }
}

BodyResult BodyDecoder::decode(std::span<std::uint8_t> input) noexcept {
    std::uint8_t* p = input.data();
    const std::size_t n = input.size();
    std::size_t i = 0;  // read position
    std::size_t w = 0;  // write position (w <= i)
    auto fail = [&](HttpError e) {
        phase_ = Phase::error;
        error_ = e;
        return BodyResult{ParseStatus::error, i, w, e};
    };
    if (phase_ == Phase::error) return {ParseStatus::error, 0, 0, error_};
    if (phase_ == Phase::length) {
        std::size_t take = n < remaining_ ? n : static_cast<std::size_t>(remaining_);
        remaining_ -= take;
        total_ += take;
        if (remaining_ == 0) phase_ = Phase::done;
        return {phase_ == Phase::done ? ParseStatus::done : ParseStatus::need_more, take, take,
                HttpError::none};
    }
    while (i < n && phase_ != Phase::done) {
        const std::uint8_t c = p[i];
        switch (phase_) {
            case Phase::size: {
                int h = detail::hex_value(c);
                if (h >= 0) {
                    // RFC 9112 §7.1: "Recipients MUST anticipate potentially large hexadecimal
                    // numerals and prevent parsing errors due to integer conversion overflows":
                    // a size over 64 bits is malformed framing (400), found at its 17th
                    // significant digit whatever max_body is.
                    if (remaining_ > (UINT64_MAX >> 4)) return fail(HttpError::bad_chunk_size);
                    remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(h);
                    break;
                }
                if (line_ == 0) return fail(HttpError::bad_chunk_size);  // §7.1: chunk-size = 1*HEXDIG
                // The size is complete: a well-formed size over the limit is 413, before its data.
                if (remaining_ > max_body_ - total_) return fail(HttpError::body_too_large);
                if (c == '\r') phase_ = Phase::size_lf;
                else if (c == ';') phase_ = Phase::ext_name_bws;
                else if (is_ws(c)) phase_ = Phase::ext_pre;
                else return fail(HttpError::bad_chunk_size);
                break;
            }
            // RFC 9112 §7.1.1: "A recipient MUST ignore unrecognized chunk extensions": they
            // are checked against the grammar and dropped.
            case Phase::ext_pre:
                if (c == ';') phase_ = Phase::ext_name_bws;
                else if (!is_ws(c)) return fail(HttpError::bad_chunk);
                break;
            case Phase::ext_name_bws:
                if (detail::is_token(c)) phase_ = Phase::ext_name;
                else if (!is_ws(c)) return fail(HttpError::bad_chunk);
                break;
            case Phase::ext_name:
                if (detail::is_token(c)) break;
                if (c == '\r') phase_ = Phase::size_lf;
                else if (c == ';') phase_ = Phase::ext_name_bws;
                else if (c == '=') phase_ = Phase::ext_value_bws;
                else if (is_ws(c)) phase_ = Phase::ext_after_name;
                else return fail(HttpError::bad_chunk);
                break;
            case Phase::ext_after_name:
                if (c == ';') phase_ = Phase::ext_name_bws;
                else if (c == '=') phase_ = Phase::ext_value_bws;
                else if (!is_ws(c)) return fail(HttpError::bad_chunk);
                break;
            case Phase::ext_value_bws:
                if (c == '"') phase_ = Phase::ext_quoted;
                else if (detail::is_token(c)) phase_ = Phase::ext_value;
                else if (!is_ws(c)) return fail(HttpError::bad_chunk);
                break;
            case Phase::ext_value:
                if (detail::is_token(c)) break;
                if (c == '\r') phase_ = Phase::size_lf;
                else if (c == ';') phase_ = Phase::ext_name_bws;
                else if (is_ws(c)) phase_ = Phase::ext_pre;
                else return fail(HttpError::bad_chunk);
                break;
            case Phase::ext_quoted:
                if (c == '"') phase_ = Phase::ext_after_quoted;
                else if (c == '\\') phase_ = Phase::ext_quoted_pair;
                else if (!is_qdtext(c)) return fail(HttpError::bad_chunk);
                break;
            case Phase::ext_quoted_pair:
                if (!detail::is_value(c)) return fail(HttpError::bad_chunk);
                phase_ = Phase::ext_quoted;
                break;
            case Phase::ext_after_quoted:
                if (c == '\r') phase_ = Phase::size_lf;
                else if (c == ';') phase_ = Phase::ext_name_bws;
                else if (is_ws(c)) phase_ = Phase::ext_pre;
                else return fail(HttpError::bad_chunk);
                break;
            case Phase::size_lf:
                if (c != '\n') return fail(HttpError::bare_cr);
                line_ = 0;
                phase_ = remaining_ == 0 ? Phase::trailer_start : Phase::data;
                ++i;
                continue;
            case Phase::data: {
                std::size_t take = n - i < remaining_ ? n - i : static_cast<std::size_t>(remaining_);
                if (w != i) std::memmove(p + w, p + i, take);
                w += take;
                i += take;
                remaining_ -= take;
                total_ += take;
                if (remaining_ == 0) phase_ = Phase::data_cr;
                continue;
            }
            case Phase::data_cr:
                if (c != '\r') return fail(HttpError::bad_chunk);  // §7.1: chunk-data CRLF
                phase_ = Phase::data_lf;
                ++i;
                continue;
            case Phase::data_lf:
                if (c != '\n') return fail(HttpError::bare_cr);
                phase_ = Phase::size;
                ++i;
                continue;
            // The trailer section (RFC 9112 §7.1.2): field lines as in §5, validated then
            // dropped (RFC 9110 §6.5.1: a recipient MAY discard them).
            case Phase::trailer_start:
                if (c == '\r') phase_ = Phase::trailer_end_lf;
                else if (detail::is_token(c)) phase_ = Phase::trailer_name;
                else if (is_ws(c)) return fail(HttpError::obs_fold);
                else if (c == '\n') return fail(HttpError::bare_lf);
                else return fail(HttpError::bad_header_name);
                break;
            case Phase::trailer_name:
                if (c == ':') phase_ = Phase::trailer_value;
                else if (is_ws(c)) return fail(HttpError::space_before_colon);
                else if (!detail::is_token(c)) return fail(HttpError::bad_header_name);
                break;
            case Phase::trailer_value:
                if (c == '\r') phase_ = Phase::trailer_value_lf;
                else if (c == '\n') return fail(HttpError::bare_lf);
                else if (!detail::is_value(c)) return fail(HttpError::bad_header_value);
                break;
            case Phase::trailer_value_lf:
                if (c != '\n') return fail(HttpError::bare_cr);
                phase_ = Phase::trailer_start;
                break;
            case Phase::trailer_end_lf:
                if (c != '\n') return fail(HttpError::bare_cr);
                phase_ = Phase::done;
                break;
            case Phase::done:
            case Phase::length:
            case Phase::error:
                break;
        }
        // Framing bytes (size lines, extensions, trailers) are counted against their limits.
        ++line_;
        ++i;
        if (phase_ >= Phase::trailer_start && phase_ <= Phase::trailer_end_lf) {
            if (line_ > max_trailers_) return fail(HttpError::header_section_too_large);
        } else if (phase_ == Phase::done) {
            if (line_ > max_trailers_) return fail(HttpError::header_section_too_large);
        } else if (line_ > kMaxChunkLine) {
            return fail(HttpError::bad_chunk);
        }
    }
    return {phase_ == Phase::done ? ParseStatus::done : ParseStatus::need_more, i, w, HttpError::none};
}

}  // namespace sluice::proto
