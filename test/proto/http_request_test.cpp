// HttpRequest's lookups (RFC 9110 §5.1, §5.3, §5.6.1) and percent_decode (RFC 3986 §2.1).
#include "proto/http_request.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace sluice::proto;

namespace {
HttpRequest with(std::span<const HttpHeader> headers) {
    HttpRequest r;
    r.headers = headers;
    return r;
}
}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RFC 9110 §5.1: header() is case-insensitive and returns the first") {
    const std::array<HttpHeader, 3> h{{{"Host", "a"}, {"X-Thing", "1"}, {"x-thing", "2"}}};
    HttpRequest r = with(h);
    CHECK(r.header("host") == std::optional<std::string_view>("a"));
    CHECK(r.header("X-THING") == std::optional<std::string_view>("1"));
    CHECK_FALSE(r.header("X-Thin").has_value());
    CHECK_FALSE(r.header("X-Things").has_value());
    CHECK(r.header_count("x-thing") == 2);
    CHECK(r.header_count("nope") == 0);
}

TEST_CASE("RFC 9110 §5.6.1: header_has_token reads lists across repeats") {
    const std::array<HttpHeader, 4> h{{{"Connection", "keep-alive, Upgrade"},
                                       {"Upgrade", "websocket"},
                                       {"connection", " ,, close ,"},
                                       {"Accept", "text/html;q=1, upgraded"}}};
    HttpRequest r = with(h);
    CHECK(r.header_has_token("connection", "upgrade"));
    CHECK(r.header_has_token("Connection", "KEEP-ALIVE"));
    CHECK(r.header_has_token("Connection", "close"));
    CHECK(r.header_has_token("upgrade", "WebSocket"));
    CHECK_FALSE(r.header_has_token("Connection", "keep"));
    CHECK_FALSE(r.header_has_token("Connection", ""));
    CHECK_FALSE(r.header_has_token("Accept", "upgrade"));
    CHECK_FALSE(r.header_has_token("Accept", "text/html"));  // ";q=1" is part of the element
    CHECK_FALSE(r.header_has_token("Missing", "x"));
}

TEST_CASE("RFC 9110 §5.6.1: for_each_list_element trims OWS and skips empty elements") {
    std::string seen;
    for_each_list_element(" a ,\tb\t,,  ,c", [&](std::string_view e) {
        seen += std::string(e) + "|";
        return true;
    });
    CHECK(seen == "a|b|c|");
    int calls = 0;
    CHECK_FALSE(for_each_list_element("a,b,c", [&](std::string_view) { return ++calls < 2; }));
    CHECK(calls == 2);
}

TEST_CASE("RFC 3986 §2.1: percent_decode decodes escapes and only escapes") {
    std::array<char, 32> out{};
    auto n = percent_decode("/a%20b%2Fc%2fd+e", out);
    REQUIRE(n.has_value());
    CHECK(std::string_view(out.data(), *n) == "/a b/c/d+e");
    n = percent_decode("%00", out);
    REQUIRE(n.has_value());
    CHECK(*n == 1);
    CHECK(out[0] == '\0');
    CHECK_FALSE(percent_decode("%", out).has_value());
    CHECK_FALSE(percent_decode("%4", out).has_value());
    CHECK_FALSE(percent_decode("%4g", out).has_value());
    CHECK_FALSE(percent_decode("ab%", out).has_value());
    std::array<char, 2> small{};
    CHECK_FALSE(percent_decode("abc", small).has_value());
    CHECK(percent_decode("ab", small) == std::optional<std::size_t>(2));
    CHECK(percent_decode("", small) == std::optional<std::size_t>(0));
}

}  // TEST_SUITE
