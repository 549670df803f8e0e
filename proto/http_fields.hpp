// proto/http_fields.hpp — a header field line as views, and the lookups every message needs.
//
// RFC 9110 §5.1: field names are case-insensitive tokens. §5.3: a recipient may combine
// repeated field lines into one comma-separated list, so "the value of Connection" is the
// list made of every Connection line in order. §5.6.1: lists allow empty elements and OWS
// around commas; a recipient ignores the empty ones. These helpers implement exactly that,
// over a span of HttpHeader that the caller owns.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace sluice::proto {

// One field line. Does not own anything: both views point into the parsed bytes.
struct HttpHeader {
    std::string_view name;   // as received (case kept); a token
    std::string_view value;  // leading and trailing OWS (SP / HTAB) removed, RFC 9112 §5
};

// ASCII case-insensitive equality (field names, tokens, codings). No locale.
bool ascii_iequals(std::string_view a, std::string_view b) noexcept;

// The first field named `name` (case-insensitive), or nullopt.
std::optional<std::string_view> find_header(std::span<const HttpHeader> headers,
                                            std::string_view name) noexcept;

// How many field lines are named `name`.
std::size_t count_headers(std::span<const HttpHeader> headers, std::string_view name) noexcept;

// Whether the comma-separated lists of every `name` line contain `token`
// (case-insensitive; OWS and empty elements ignored; ";params" after an element are not
// part of it, so "Upgrade; q=1" does not match "upgrade" — elements are compared whole).
bool headers_have_token(std::span<const HttpHeader> headers, std::string_view name,
                        std::string_view token) noexcept;

// std::string_view::substr without its exception (it throws std::out_of_range when pos is
// past the end): here that gives an empty view. proto/ is built with -fno-exceptions and
// calls no throwing standard-library function, so it links into a codec-only build.
constexpr std::string_view slice(std::string_view s, std::size_t pos,
                                 std::size_t n = std::string_view::npos) noexcept {
    if (pos > s.size()) pos = s.size();
    const std::size_t left = s.size() - pos;
    return {s.data() + pos, n < left ? n : left};
}

// RFC 9110 §5.6.1: a recipient MUST parse and ignore a reasonable number of empty elements.
// Calls fn(element) for each non-empty element of one comma-separated list value, with OWS
// trimmed from both ends of each element. Stops early and returns false if fn returns false.
template <typename Fn>
bool for_each_list_element(std::string_view list, Fn&& fn) noexcept {
    std::size_t i = 0;
    while (i <= list.size()) {
        std::size_t comma = list.find(',', i);
        if (comma == std::string_view::npos) comma = list.size();
        std::size_t b = i, e = comma;
        while (b < e && (list[b] == ' ' || list[b] == '\t')) ++b;
        while (e > b && (list[e - 1] == ' ' || list[e - 1] == '\t')) --e;
        if (e > b && !fn(slice(list, b, e - b))) return false;
        i = comma + 1;
    }
    return true;
}

}  // namespace sluice::proto
