// proto/http_target.hpp — the request-target's form and the Host value, checked whole.
//
// The request parser (proto/http_parser.hpp) scans the target byte by byte (RFC 3986 bytes,
// each "%" followed by two HEXDIG, "[" "]" noted) and, the moment the target's SP arrives,
// asks check_target_form whether the whole fits its method; when the head is complete it
// asks is_valid_host about the one Host value. Both are pure functions of their strings.
//
//   RFC 9112 §3.2.1  origin-form     absolute-path [ "?" query ]        any method but CONNECT
//   RFC 9112 §3.2.2  absolute-form   scheme "://" authority [path]      any method but CONNECT
//                    (userinfo "user@" refused, RFC 9110 §4.2.4)
//   RFC 9112 §3.2.3  authority-form  uri-host ":" port                  CONNECT only
//   RFC 9112 §3.2.4  asterisk-form   "*"                                OPTIONS only
//   RFC 9112 §3.2, RFC 9110 §7.2     Host = uri-host [ ":" port ]  (RFC 3986 §3.2.2, §3.2.3)
//
// uri-host is a reg-name or IPv4address (unreserved / pct-encoded / sub-delims), or an
// IP-literal "[...]" checked loosely (hex digits, ':', '.', an IPvFuture's characters).
// "[" and "]" are allowed only there: in a path or query they are bad_target.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/http_chars.hpp"
#include "proto/http_error.hpp"

namespace sluice::proto {

// none if `target` is a request-target form that `method` may use; bad_target_form if the
// form does not fit the method (or is none of the four); bad_target for "[" "]" outside an
// authority; bad_request_line for an empty target.
HttpError check_target_form(std::string_view method, std::string_view target) noexcept;
// The same, told whether the target holds "[" or "]" (the parser notes it while scanning,
// so the origin-form, the common case, is not scanned twice).
HttpError check_target_form(std::string_view method, std::string_view target, bool brackets) noexcept;

// Whether `value` is a valid Host field value: uri-host [ ":" port ], or empty (RFC 9112
// §3.2 allows an empty Host when the target has no authority).
bool is_valid_host(std::string_view value) noexcept;
// The same, inline for the common case (a reg-name of plain bytes, no "%", no port): the
// request parser asks it once per request. A byte loop: hosts are short, and a scanner's
// setup costs more than it saves on them.
[[gnu::always_inline]] inline bool is_valid_host_inline(std::string_view value) noexcept {
    for (const char c : value) {
        if (!detail::is_reg_name_char(static_cast<std::uint8_t>(c))) return is_valid_host(value);
    }
    return true;
}

// The path and query of a target that check_target_form accepted, as views into it:
// origin-form and absolute-form give the path ("/" when empty) and the query (after "?",
// empty when none); asterisk-form gives the path "*"; authority-form (CONNECT) neither.
struct TargetParts {
    std::string_view path;
    std::string_view query;
};
TargetParts split_target(std::string_view method, std::string_view target) noexcept;

// split_target for an origin-form target ("/" first), inline: the parser's common case.
inline TargetParts split_origin_form(std::string_view target) noexcept {
    std::size_t q = 0;
    while (q < target.size() && target[q] != '?') ++q;
    if (q == target.size()) return {target, {}};
    return {{target.data(), q}, {target.data() + q + 1, target.size() - q - 1}};
}

}  // namespace sluice::proto
