#include "proto/ws_deflate_offer.hpp"
#include "proto/span_appender.hpp"

#include <array>
#include <cstring>

namespace sluice::proto {

namespace detail {

bool is_tchar(char c) noexcept {  // RFC 7230 §3.2.6
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return alnum || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::size_t extension_element_end(std::string_view value, std::size_t begin) noexcept {
    bool quoted = false;
    for (std::size_t i = begin; i < value.size(); ++i) {
        const char c = value[i];
        if (quoted) {
            if (c == '\\') ++i;  // quoted-pair: the next byte is literal
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            return i;
        }
    }
    return value.size();
}

}  // namespace detail

namespace {

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// §7.1.2.1 / §7.1.2.2: 1*DIGIT with a value from 8 to 15.
std::uint8_t window_bits_of(std::string_view v) noexcept {
    if (v.empty() || v.size() > 3) return 0;
    unsigned n = 0;
    for (const char c : v) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    return n >= 8 && n <= 15 ? static_cast<std::uint8_t>(n) : 0;
}

}  // namespace

bool parse_deflate_params(std::string_view s, DeflateParams& out) noexcept {
    out = DeflateParams{};
    bool seen_snct = false, seen_cnct = false, seen_smwb = false;
    std::size_t i = 0;
    auto skip_ows = [&] {
        while (i < s.size() && is_ows(s[i])) ++i;
    };
    for (;;) {
        skip_ows();
        if (i == s.size()) return true;
        if (s[i] != ';') return false;
        ++i;
        skip_ows();
        const std::size_t name_begin = i;
        while (i < s.size() && detail::is_tchar(s[i])) ++i;
        const std::string_view name = s.substr(name_begin, i - name_begin);
        if (name.empty()) return false;
        skip_ows();
        bool has_value = false;
        std::array<char, 8> buffer{};
        std::size_t length = 0;
        if (i < s.size() && s[i] == '=') {
            ++i;
            skip_ows();
            has_value = true;
            if (i < s.size() && s[i] == '"') {  // quoted-string, unescaped into `buffer`
                ++i;
                for (;;) {
                    if (i == s.size()) return false;
                    char c = s[i++];
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i == s.size()) return false;
                        c = s[i++];
                    }
                    if (length == buffer.size()) return false;  // far longer than any valid value
                    buffer[length++] = c;
                }
            } else {
                const std::size_t begin = i;
                while (i < s.size() && detail::is_tchar(s[i])) ++i;
                if (i == begin || i - begin > buffer.size()) return false;
                length = i - begin;
                std::memcpy(buffer.data(), s.data() + begin, length);
            }
        }
        const std::string_view value(buffer.data(), length);
        if (ascii_iequals(name, "server_no_context_takeover")) {
            if (seen_snct || has_value) return false;
            seen_snct = out.server_no_context_takeover = true;
        } else if (ascii_iequals(name, "client_no_context_takeover")) {
            if (seen_cnct || has_value) return false;
            seen_cnct = out.client_no_context_takeover = true;
        } else if (ascii_iequals(name, "server_max_window_bits")) {
            if (seen_smwb || !has_value) return false;
            seen_smwb = true;
            out.server_max_window_bits = window_bits_of(value);
            if (out.server_max_window_bits == 0) return false;
        } else if (ascii_iequals(name, "client_max_window_bits")) {
            if (out.client_max_window_bits) return false;
            out.client_max_window_bits = true;
            if (has_value) {
                out.client_max_window_bits_value = window_bits_of(value);
                if (out.client_max_window_bits_value == 0) return false;
            }
        } else {
            return false;  // §7.1: an unknown parameter
        }
    }
}

bool choose_deflate(std::span<const HttpHeader> headers, const DeflateSettings& settings,
                    DeflateAgreement& out) noexcept {
    if (!settings.enabled) return false;
    bool chosen = false;
    for (const HttpHeader& h : headers) {
        if (!ascii_iequals(h.name, kExtensionsHeader)) continue;
        for_each_extension(h.value, [&](std::string_view name, std::string_view params) {
            if (!ascii_iequals(name, kPermessageDeflate)) return true;  // another extension: not ours
            DeflateParams p;
            if (!parse_deflate_params(params, p)) return true;  // §7.1: "MUST decline" this offer
            DeflateAgreement a;
            a.server_no_context_takeover = p.server_no_context_takeover || settings.server_no_context_takeover;
            a.client_no_context_takeover = p.client_no_context_takeover || settings.client_no_context_takeover;
            a.server_max_window_bits = settings.server_max_window_bits;
            if (p.server_max_window_bits != 0 && p.server_max_window_bits < a.server_max_window_bits)
                a.server_max_window_bits = p.server_max_window_bits;
            if (p.client_max_window_bits) {
                a.client_max_window_bits = settings.client_max_window_bits;
                if (p.client_max_window_bits_value != 0 && p.client_max_window_bits_value < a.client_max_window_bits)
                    a.client_max_window_bits = p.client_max_window_bits_value;
            } else if (settings.client_max_window_bits < 15) {
                return true;  // §7.1.2.2: we may not limit a client that did not offer it
            }
            out = a;
            chosen = true;
            return false;
        });
        if (chosen) return true;
    }
    return false;
}

std::size_t write_deflate_answer(const DeflateAgreement& agreed, std::span<char> out) noexcept {
    SpanAppender a(out);
    a.put(kPermessageDeflate);
    if (agreed.server_no_context_takeover) a.put("; server_no_context_takeover");
    if (agreed.client_no_context_takeover) a.put("; client_no_context_takeover");
    if (agreed.server_max_window_bits < 15) {
        a.put("; server_max_window_bits=");
        a.put_small_number(agreed.server_max_window_bits);
    }
    if (agreed.client_max_window_bits < 15) {
        a.put("; client_max_window_bits=");
        a.put_small_number(agreed.client_max_window_bits);
    }
    return a.result();
}

std::size_t write_deflate_offer(const DeflateOffer& offer, std::span<char> out) noexcept {
    SpanAppender a(out);
    a.put(kPermessageDeflate);
    if (offer.server_no_context_takeover) a.put("; server_no_context_takeover");
    if (offer.client_no_context_takeover) a.put("; client_no_context_takeover");
    if (offer.server_max_window_bits >= 8 && offer.server_max_window_bits <= 15) {
        a.put("; server_max_window_bits=");
        a.put_small_number(offer.server_max_window_bits);
    }
    if (offer.client_max_window_bits) {
        a.put("; client_max_window_bits");
        if (offer.client_max_window_bits_value >= 8 && offer.client_max_window_bits_value <= 15) {
            a.put("=");
            a.put_small_number(offer.client_max_window_bits_value);
        }
    }
    return a.result();
}

DeflateAnswerCheck check_deflate_answer(std::span<const HttpHeader> headers, const DeflateOffer& offer,
                                        DeflateAgreement& out) noexcept {
    DeflateAnswerCheck verdict = DeflateAnswerCheck::not_accepted;
    for (const HttpHeader& h : headers) {
        if (!ascii_iequals(h.name, kExtensionsHeader)) continue;
        for_each_extension(h.value, [&](std::string_view name, std::string_view params) {
            if (name.empty()) verdict = DeflateAnswerCheck::malformed;
            else if (!ascii_iequals(name, kPermessageDeflate)) verdict = DeflateAnswerCheck::unknown_extension;
            else if (verdict == DeflateAnswerCheck::accepted) verdict = DeflateAnswerCheck::more_than_one;
            if (verdict != DeflateAnswerCheck::not_accepted) return false;
            DeflateParams p;
            // §7.1.2.2: in an answer, client_max_window_bits carries a value.
            if (!parse_deflate_params(params, p) || (p.client_max_window_bits && p.client_max_window_bits_value == 0)) {
                verdict = DeflateAnswerCheck::malformed;
                return false;
            }
            const std::uint8_t asked = offer.server_max_window_bits;
            if (asked != 0 && (p.server_max_window_bits == 0 || p.server_max_window_bits > asked)) {
                verdict = DeflateAnswerCheck::server_window_too_large;
            } else if (p.client_max_window_bits && !offer.client_max_window_bits) {
                verdict = DeflateAnswerCheck::unexpected_client_window;
            } else if (p.client_max_window_bits && offer.client_max_window_bits_value != 0 &&
                       p.client_max_window_bits_value > offer.client_max_window_bits_value) {
                verdict = DeflateAnswerCheck::client_window_too_large;
            } else if (offer.server_no_context_takeover && !p.server_no_context_takeover) {
                verdict = DeflateAnswerCheck::missing_server_no_context_takeover;
            } else {
                verdict = DeflateAnswerCheck::accepted;
                out.server_no_context_takeover = p.server_no_context_takeover;
                out.client_no_context_takeover = p.client_no_context_takeover || offer.client_no_context_takeover;
                out.server_max_window_bits = p.server_max_window_bits != 0 ? p.server_max_window_bits : 15;
                out.client_max_window_bits = p.client_max_window_bits_value != 0 ? p.client_max_window_bits_value
                                             : offer.client_max_window_bits_value != 0 ? offer.client_max_window_bits_value
                                                                                       : 15;
                return true;  // go on: a second element is an error
            }
            return false;
        });
        if (verdict != DeflateAnswerCheck::accepted && verdict != DeflateAnswerCheck::not_accepted) return verdict;
    }
    return verdict;
}

}  // namespace sluice::proto
