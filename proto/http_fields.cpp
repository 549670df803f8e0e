#include "proto/http_fields.hpp"

namespace sluice::proto {

namespace {
constexpr char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
}  // namespace

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::optional<std::string_view> find_header(std::span<const HttpHeader> headers,
                                            std::string_view name) noexcept {
    for (const HttpHeader& h : headers) {
        if (ascii_iequals(h.name, name)) return h.value;
    }
    return std::nullopt;
}

std::size_t count_headers(std::span<const HttpHeader> headers, std::string_view name) noexcept {
    std::size_t n = 0;
    for (const HttpHeader& h : headers) n += ascii_iequals(h.name, name) ? 1U : 0U;
    return n;
}

bool headers_have_token(std::span<const HttpHeader> headers, std::string_view name,
                        std::string_view token) noexcept {
    for (const HttpHeader& h : headers) {
        if (!ascii_iequals(h.name, name)) continue;
        bool found = false;
        for_each_list_element(h.value, [&](std::string_view element) {
            found = ascii_iequals(element, token);
            return !found;
        });
        if (found) return true;
    }
    return false;
}

}  // namespace sluice::proto
