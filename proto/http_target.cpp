// proto/http_target.cpp — request-target forms and Host values (see proto/http_target.hpp).
#include "proto/http_target.hpp"

#include <array>
#include <cstdint>

#include "proto/http_chars.hpp"
#include "proto/http_fields.hpp"

namespace sluice::proto {

namespace {

// port = 1*DIGIT where a port is required (authority-form); see is_authority_host_port.
bool is_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        if (!detail::is_digit(static_cast<std::uint8_t>(c))) return false;
    }
    return true;
}

using detail::is_reg_name_char;  // RFC 3986 §3.2.2 (proto/http_chars.hpp)

// One pass, no per-byte memchr (std::string_view::find_first_of calls one per byte).
bool has_bracket(std::string_view s) noexcept {
    for (char c : s) {
        if (c == '[' || c == ']') return true;
    }
    return false;
}

std::size_t find_path_start(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '/' || s[i] == '?') return i;
    }
    return std::string_view::npos;
}

bool is_scheme(std::string_view s) noexcept {
    if (s.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(s[0])) return false;
    for (char c : s) {
        if (!alpha(c) && !detail::is_digit(static_cast<std::uint8_t>(c)) && c != '+' && c != '-' && c != '.')
            return false;
    }
    return true;
}

// RFC 3986 §3.2.2 reg-name / IPv4address characters: unreserved / pct-encoded / sub-delims.
bool is_reg_name(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<std::uint8_t>(s[i]);
        if (c == '%') {
            if (i + 2 >= s.size() || detail::hex_value(static_cast<std::uint8_t>(s[i + 1])) < 0 ||
                detail::hex_value(static_cast<std::uint8_t>(s[i + 2])) < 0)
                return false;
            i += 2;
            continue;
        }
        if (!is_reg_name_char(c)) return false;
    }
    return true;
}

// "[" IPv6address / IPvFuture "]" — checked loosely: hex digits, ':', '.', and 'v' futures'
// unreserved / sub-delims characters, non-empty.
bool is_ip_literal(std::string_view s) noexcept {
    if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
    for (char c : slice(s, 1, s.size() - 2)) {
        auto u = static_cast<std::uint8_t>(c);
        if (!detail::is_target(u) || c == '/' || c == '?' || c == '@' || c == '[' || c == ']' || c == '%')
            return false;
    }
    return true;
}

// RFC 3986 §3.2.2-§3.2.3: uri-host [ ":" port ], port = *DIGIT (1*DIGIT when required).
bool is_authority_host_port(std::string_view s, bool port_required) noexcept {
    std::string_view host = s, port;
    bool has_port = false;
    if (!s.empty() && s.front() == '[') {
        std::size_t close = s.find(']');
        if (close == std::string_view::npos) return false;
        host = slice(s, 0, close + 1);
        std::string_view rest = slice(s, close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            has_port = true;
            port = slice(rest, 1);
        }
        if (!is_ip_literal(host)) return false;
    } else {
        std::size_t colon = s.find(':');
        if (colon != std::string_view::npos) {
            host = slice(s, 0, colon);
            port = slice(s, colon + 1);
            has_port = true;
        }
        if (!is_reg_name(host)) return false;
    }
    if (port_required) return !host.empty() && has_port && is_digits(port);
    for (char c : port) {
        if (!detail::is_digit(static_cast<std::uint8_t>(c))) return false;
    }
    return true;
}

}  // namespace

// RFC 9112 §3.2, RFC 9110 §7.2: Host = uri-host [ ":" port ].
bool is_valid_host(std::string_view value) noexcept {
    if (!value.empty() && value.front() == '[') return is_authority_host_port(value, false);
    // reg-name / IPv4address [ ":" *DIGIT ], in one pass (the common case).
    const auto* p = reinterpret_cast<const std::uint8_t*>(value.data());
    const std::size_t n = value.size();
    std::size_t i = detail::scan_reg_name(p, 0, n);
    while (i < n) {
        const auto c = p[i];
        if (is_reg_name_char(c)) {
            i = detail::scan_reg_name(p, i + 1, n);
        } else if (c == '%') {
            if (i + 2 >= n || detail::hex_value(static_cast<std::uint8_t>(value[i + 1])) < 0 ||
                detail::hex_value(static_cast<std::uint8_t>(value[i + 2])) < 0)
                return false;
            i += 3;
        } else {
            break;
        }
    }
    if (i == n) return true;
    if (value[i] != ':') return false;
    for (++i; i < n; ++i) {
        if (!detail::is_digit(static_cast<std::uint8_t>(value[i]))) return false;
    }
    return true;
}

// RFC 9112 §3.2: the one-argument form scans for "[" "]" itself.
HttpError check_target_form(std::string_view method, std::string_view target) noexcept {
    return check_target_form(method, target, has_bracket(target));
}

HttpError check_target_form(std::string_view method, std::string_view target, bool brackets) noexcept {
    if (target.empty()) return HttpError::bad_request_line;
    // §3.2.3: authority-form only for CONNECT, and CONNECT only with it (host ":" port).
    if (method == "CONNECT") {
        return is_authority_host_port(target, true) && target.front() != ':' ? HttpError::none
                                                                              : HttpError::bad_target_form;
    }
    // §3.2.4: asterisk-form only for OPTIONS.
    if (target.size() == 1 && target[0] == '*')
        return method == "OPTIONS" ? HttpError::none : HttpError::bad_target_form;
    // §3.2.1: origin-form = absolute-path [ "?" query ]; "[" "]" are not allowed there.
    if (target.front() == '/') {
        return brackets ? HttpError::bad_target : HttpError::none;
    }
    // §3.2.2: absolute-form = absolute-URI; we take "scheme://authority[path][?query]".
    std::size_t colon = target.find(':');
    if (colon == std::string_view::npos || !is_scheme(slice(target, 0, colon))) return HttpError::bad_target_form;
    std::string_view rest = slice(target, colon + 1);
    if (slice(rest, 0, 2) != "//") return HttpError::bad_target_form;
    rest.remove_prefix(2);
    std::size_t auth_end = find_path_start(rest);
    std::string_view authority = slice(rest, 0, auth_end);
    // RFC 9110 §4.2.4: userinfo ("user@host") in an http(s) URI is treated as an error.
    if (authority.find('@') != std::string_view::npos) return HttpError::bad_target_form;
    if (authority.empty() || !is_authority_host_port(authority, false)) return HttpError::bad_target_form;
    std::string_view tail = auth_end == std::string_view::npos ? std::string_view{} : slice(rest, auth_end);
    if (has_bracket(tail)) return HttpError::bad_target;
    return HttpError::none;
}

// RFC 9112 §3.2.1-§3.2.4: where each form keeps its path and query.
TargetParts split_target(std::string_view method, std::string_view target) noexcept {
    if (method == "CONNECT") return {};
    if (target == "*") return {target, {}};
    if (!target.empty() && target.front() == '/') return split_origin_form(target);
    // absolute-form: skip "scheme://authority" to the absolute-path [ "?" query ].
    const std::string_view rest = slice(target, target.find("//") + 2);
    const std::size_t at = find_path_start(rest);
    TargetParts parts = split_origin_form(at == std::string_view::npos ? std::string_view{} : slice(rest, at));
    if (parts.path.empty()) parts.path = std::string_view{"/"};
    return parts;
}

}  // namespace sluice::proto
