// test/proto/http_target_test.cpp — request-target forms and Host values on their own
// (the parser's own tests drive them through whole request-lines).
#include "proto/http_target.hpp"

#include <doctest/doctest.h>

#include <string_view>

using namespace sluice::proto;

namespace {

struct TargetCase {
    std::string_view method;
    std::string_view target;
    HttpError want;
};

}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RFC 9112 §3.2: check_target_form and is_valid_host on their own") {
    CHECK(check_target_form("GET", "/") == HttpError::none);
    CHECK(check_target_form("OPTIONS", "/") == HttpError::none);
    CHECK(check_target_form("OPTIONS", "*") == HttpError::none);
    CHECK(check_target_form("CONNECT", "[v1.x]:1") == HttpError::none);
    CHECK(check_target_form("CONNECT", "h:1/") == HttpError::bad_target_form);
    CHECK(check_target_form("GET", "") == HttpError::bad_request_line);
    CHECK(is_valid_host(""));
    CHECK(is_valid_host("example.com"));
    CHECK(is_valid_host("a%41b:80"));
    CHECK(is_valid_host("[2001:db8::1]"));
    CHECK_FALSE(is_valid_host("[2001:db8::1]x"));
    CHECK_FALSE(is_valid_host("a?b"));
}

TEST_CASE("RFC 9112 §3.2.1-§3.2.4: each form with the methods it fits and those it does not") {
    const TargetCase cases[] = {
        // §3.2.1 origin-form; "[" "]" only inside an authority.
        {"GET", "/a/b?c=d", HttpError::none},
        {"POST", "/", HttpError::none},
        {"GET", "/a[1]", HttpError::bad_target},
        // §3.2.2 absolute-form: scheme "://" authority, any path and query after it.
        {"GET", "http://example.com", HttpError::none},
        {"GET", "http://example.com:8080/a?b", HttpError::none},
        {"GET", "HTTP+x-1.y://h/", HttpError::none},
        {"GET", "http://[::1]:80/", HttpError::none},
        {"GET", "http://h/[x]", HttpError::bad_target},
        {"GET", "http://user@h/", HttpError::bad_target_form},   // RFC 9110 §4.2.4
        {"GET", "http:///path", HttpError::bad_target_form},    // no authority
        {"GET", "http:h/", HttpError::bad_target_form},         // no "//"
        {"GET", "1http://h/", HttpError::bad_target_form},      // scheme starts with a letter
        {"GET", "http://h:8x/", HttpError::bad_target_form},    // port = *DIGIT
        {"GET", "h", HttpError::bad_target_form},               // none of the four forms
        // §3.2.3 authority-form: CONNECT only, and CONNECT only with it.
        {"CONNECT", "example.com:443", HttpError::none},
        {"CONNECT", "example.com", HttpError::bad_target_form},   // the port is required
        {"CONNECT", ":443", HttpError::bad_target_form},
        {"CONNECT", "/", HttpError::bad_target_form},
        {"GET", "example.com:443", HttpError::bad_target_form},
        // §3.2.4 asterisk-form: OPTIONS only.
        {"OPTIONS", "*", HttpError::none},
        {"GET", "*", HttpError::bad_target_form},
    };
    for (const TargetCase& c : cases) {
        CAPTURE(c.method);
        CAPTURE(c.target);
        CHECK(check_target_form(c.method, c.target) == c.want);
    }
}

TEST_CASE("RFC 9112 §3.2: the parser's bracket note gives the same answer as a scan") {
    CHECK(check_target_form("GET", "/a", false) == HttpError::none);
    CHECK(check_target_form("GET", "/a]", true) == HttpError::bad_target);
    CHECK(check_target_form("GET", "http://[::1]/", true) == HttpError::none);   // inside the authority
}

TEST_CASE("RFC 9110 §7.2, RFC 3986 §3.2.2: Host values") {
    for (std::string_view ok : {"h", "h:", "h:80", "127.0.0.1:8080", "a-b.c_d~e", "x%2Ey", "[::1]", "[::1]:443",
                                "[v1.fe80::a+en1]", "!$&'()*+,;="}) {
        CAPTURE(ok);
        CHECK(is_valid_host(ok));
    }
    for (std::string_view bad : {"h:x", "h:80:81", "a b", "u@h", "h/p", "%4", "%zz", "[::1", "[]", "[::1]:x",
                                 "[a/b]", "h\xc3\xa9"}) {
        CAPTURE(bad);
        CHECK_FALSE(is_valid_host(bad));
    }
}

TEST_CASE("RFC 9112 §3.2: split_target gives each form's path and query") {
    struct SplitCase {
        std::string_view method, target, path, query;
    };
    const SplitCase cases[] = {
        {"GET", "/a/b?c=d&e", "/a/b", "c=d&e"},
        {"GET", "/?", "/", ""},
        {"GET", "/a?b?c", "/a", "b?c"},
        {"GET", "http://h:80/p?q", "/p", "q"},
        {"GET", "http://h", "/", ""},
        {"GET", "http://h?q", "/", "q"},
        {"OPTIONS", "*", "*", ""},
        {"CONNECT", "h:443", "", ""},
    };
    for (const SplitCase& c : cases) {
        CAPTURE(c.target);
        const TargetParts parts = split_target(c.method, c.target);
        CHECK(parts.path == c.path);
        CHECK(parts.query == c.query);
    }
}

}  // TEST_SUITE
