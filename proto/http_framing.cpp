#include "proto/http_framing.hpp"

#include "proto/http_chars.hpp"
#include "proto/http_fields.hpp"

namespace sluice::proto {

void ContentLengthField::add_line(std::string_view line) noexcept {
    bool any = false;
    for_each_list_element(line, [&](std::string_view e) {
        any = true;
        if (e.size() > 19) {
            bad = true;
            return false;
        }
        std::uint64_t v = 0;
        for (char c : e) {
            if (!detail::is_digit(static_cast<std::uint8_t>(c))) {  // RFC 9110 §8.6: 1*DIGIT
                bad = true;
                return false;
            }
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        // RFC 9110 §8.6: identical repeats MAY be taken as one value; differing ones are
        // invalid, which RFC 9112 §6.3 (5) makes an unrecoverable error (400).
        if (present && v != value) conflicting = true;
        value = v;
        present = true;
        return true;
    });
    if (!any) bad = true;
    present = true;
}

HttpError ContentLengthField::error() const noexcept {
    if (bad) return HttpError::bad_content_length;
    if (conflicting) return HttpError::conflicting_content_length;
    return HttpError::none;
}

void TransferEncodingField::add_line(std::string_view line) noexcept {
    present = true;
    for_each_list_element(line, [&](std::string_view e) {
        any = true;
        // transfer-coding = token *( OWS ";" OWS transfer-parameter )
        std::size_t semi = e.find(';');
        std::string_view coding = slice(e, 0, semi);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(coding.data());
        if (coding.empty() || detail::scan_token(bytes, 0, coding.size()) != coding.size()) {
            bad = true;
        } else if (ascii_iequals(coding, "chunked")) {
            // RFC 9112 §6.1: "A sender MUST NOT apply the chunked transfer coding more than
            // once"; §7: chunked has no parameters.
            if (chunked || semi != std::string_view::npos) bad = true;
            chunked = true;
            chunked_last = true;
            return true;
        } else {
            unknown = true;  // gzip, identity, xchunked, ...
        }
        chunked_last = false;
        return true;
    });
}

HttpError TransferEncodingField::error() const noexcept {
    if (bad || !any) return HttpError::bad_transfer_encoding;
    // RFC 9112 §6.3 (4): without chunked last the request's length cannot be determined:
    // 400 and close, before asking whether the other codings are known (501 below).
    if (!chunked_last) return HttpError::chunked_not_final;
    // RFC 9112 §6.1: a transfer coding the server does not understand SHOULD get 501.
    if (unknown) return HttpError::unsupported_transfer_coding;
    return HttpError::none;
}

}  // namespace sluice::proto
