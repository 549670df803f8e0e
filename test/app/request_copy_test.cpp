// test/app/request_copy_test.cpp — the compact request copy: parts, headers re-scanned, params.
#include "app/detail/request_copy.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

#include "proto/http_parser.hpp"

using sluice::detail::RequestCopy;

namespace {

// Parses `head` into `copy`; the parse buffer dies here, so the copy must stand alone.
bool parse_into(RequestCopy& copy, std::string head) {
    sluice::proto::HttpRequestParser parser;
    std::array<sluice::proto::HttpHeader, 32> storage{};
    sluice::proto::HttpRequest req;
    const auto r = parser.parse_head({reinterpret_cast<const std::uint8_t*>(head.data()), head.size()}, storage, req);
    if (r.status != sluice::proto::ParseStatus::done) return false;
    copy.assign(req);
    head.assign(head.size(), 'X');   // scribble over the source: nothing may point into it
    return true;
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("request copy: method, target, path and query survive the receive buffer") {
    RequestCopy c;
    REQUIRE(parse_into(c, "GET /room/7?x=1&y HTTP/1.1\r\nHost: a\r\n\r\n"));
    CHECK(c.method() == "GET");
    CHECK(c.target() == "/room/7?x=1&y");
    CHECK(c.path() == "/room/7");
    CHECK(c.query() == "x=1&y");
    CHECK(c.keep_alive());
    CHECK_FALSE(c.http10());
    CHECK_FALSE(c.head());
}

TEST_CASE("RFC 9110 5.1: header names match case-insensitively; the first of repeats wins") {
    RequestCopy c;
    REQUIRE(parse_into(c, "HEAD / HTTP/1.0\r\nHost: h\r\nX-Tag: one\r\nx-tag: two\r\nEmpty:\r\n\r\n"));
    CHECK(c.header("x-TAG") == "one");
    CHECK(c.header("host") == "h");
    CHECK(c.header("empty") == "");
    CHECK(c.header("X-Ta") == std::nullopt);   // a prefix is not a match
    CHECK(c.header("Missing") == std::nullopt);
    CHECK(c.header_count() == 4);
    CHECK(c.head());
    CHECK(c.http10());
    CHECK_FALSE(c.keep_alive());   // RFC 9112 9.3: HTTP/1.0 without keep-alive
}

TEST_CASE("request copy: retain keeps the chosen header fields and every part, param and the peer") {
    RequestCopy c;
    c.set_peer("10.0.0.1:9");
    REQUIRE(parse_into(c, "GET /room/7?x=1 HTTP/1.1\r\nHost: h\r\nX-User: ann\r\nSec-WebSocket-Key: k\r\n\r\n"));
    c.add_param("id", "7");
    c.set_subprotocol("chat.v1");
    const std::array<std::string, 2> keep{"x-user", "Origin"};   // any case; one absent
    c.retain(keep);
    CHECK(c.peer() == "10.0.0.1:9");
    CHECK(c.method() == "GET");
    CHECK(c.target() == "/room/7?x=1");
    CHECK(c.path() == "/room/7");
    CHECK(c.query() == "x=1");
    CHECK(c.header("X-User") == "ann");
    CHECK(c.header("Host") == std::nullopt);
    CHECK(c.header("Sec-WebSocket-Key") == std::nullopt);
    CHECK(c.header_count() == 1);
    CHECK(c.param("id") == "7");
    CHECK(c.subprotocol() == "chat.v1");
    c.retain({});   // nothing kept: no header at all, the rest unchanged
    CHECK(c.header_count() == 0);
    CHECK(c.param("id") == "7");
    CHECK(c.path() == "/room/7");
}

TEST_CASE("request copy: retain without the peer drops only the peer (a callback route without on_close asks the socket)") {
    RequestCopy c;
    c.set_peer("10.0.0.1:9");
    REQUIRE(parse_into(c, "GET /room/7?x=1 HTTP/1.1\r\nHost: h\r\nX-User: ann\r\n\r\n"));
    c.add_param("id", "7");
    const std::array<std::string, 1> keep{"x-user"};
    c.retain(keep, false);
    CHECK(c.peer().empty());
    CHECK(c.method() == "GET");
    CHECK(c.target() == "/room/7?x=1");
    CHECK(c.path() == "/room/7");
    CHECK(c.query() == "x=1");
    CHECK(c.header("X-User") == "ann");
    CHECK(c.param("id") == "7");
}

TEST_CASE("request copy: a borrowed copy reads the same, and own() moves it to its own block") {
    sluice::proto::HttpRequest req;
    std::array<sluice::proto::HttpHeader, 8> storage{};
    std::string head = "GET /a?b=c HTTP/1.1\r\nHost: h\r\n\r\n";
    sluice::proto::HttpRequestParser parser;
    std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(head.data()), head.size());
    REQUIRE(parser.parse_head(bytes, storage, req).status == sluice::proto::ParseStatus::done);
    RequestCopy a;
    a.assign(req, "10.0.0.2:7", true);
    CHECK(a.borrowed());
    CHECK(a.peer() == "10.0.0.2:7");
    CHECK(a.path() == "/a");
    a.add_param("id", "1");   // stays borrowed
    CHECK(a.borrowed());
    a.own();
    CHECK_FALSE(a.borrowed());
    RequestCopy b;   // the thread's buffer is free again: the next upgrade borrows it
    b.assign(req, "10.0.0.3:8", true);
    CHECK(b.borrowed());
    b.own();
    CHECK(a.peer() == "10.0.0.2:7");   // a's own block, untouched by b
    CHECK(a.query() == "b=c");
    CHECK(a.header("host") == "h");
    CHECK(a.param("id") == "1");
    CHECK(b.peer() == "10.0.0.3:8");
}

TEST_CASE("request copy: lengths of 254, 255 and more are stored and read back") {
    // One length byte below 255, five from 255 on: the edges on both sides.
    const std::string v254(254, 'a'), v255(255, 'b'), v300(300, 'c'), n260(260, 'N');
    RequestCopy c;
    REQUIRE(parse_into(c, "GET / HTTP/1.1\r\nHost: h\r\nA: " + v254 + "\r\nB: " + v255 + "\r\n" + n260 + ": " +
                              v300 + "\r\nLast: z\r\n\r\n"));
    CHECK(c.header("a") == v254);
    CHECK(c.header("b") == v255);
    CHECK(c.header(std::string(260, 'n')) == v300);
    CHECK(c.header("last") == "z");
    CHECK(c.header_count() == 5);
    c.add_param(n260, v300);
    CHECK(c.param(n260) == v300);
}

TEST_CASE("request copy: params are kept apart from headers, even when views into the copy") {
    RequestCopy c;
    REQUIRE(parse_into(c, "GET /room/42/a/b HTTP/1.1\r\nHost: h\r\nid: header-not-param\r\n\r\n"));
    // The router hands back views into path(): the copy must not move under them (each
    // view is taken afresh: an earlier add may have moved the block).
    for (int i = 0; i < 20; ++i) c.add_param("n" + std::to_string(i), c.path().substr(6, 2));
    c.add_param("id", c.path().substr(6, 2));
    c.add_param("*", c.path().substr(9));
    CHECK(c.param("id") == "42");
    CHECK(c.param("*") == "a/b");
    CHECK(c.param("n19") == "42");
    CHECK(c.param("ID") == std::nullopt);      // params are case-sensitive
    CHECK(c.header("id") == "header-not-param");
    CHECK(c.header("n0") == std::nullopt);     // a param is not a header
    CHECK(c.header_count() == 2);
    CHECK(c.path() == "/room/42/a/b");
}

TEST_CASE("request copy: several params viewing the copy are added in one step") {
    RequestCopy c;
    REQUIRE(parse_into(c, "GET /a/first/b/second/c/third HTTP/1.1\r\nHost: h\r\n\r\n"));
    const std::string_view p = c.path();
    const sluice::RouteParam params[] = {{"x", p.substr(3, 5)}, {"y", p.substr(11, 6)}, {"z", p.substr(20, 5)}};
    c.add_params(params);   // the storage grows once; every later value still views the old block
    CHECK(c.param("x") == "first");
    CHECK(c.param("y") == "second");
    CHECK(c.param("z") == "third");
}

TEST_CASE("request copy: a new request replaces the old one, params included; the peer stays") {
    RequestCopy c;
    c.set_peer("127.0.0.1:54321");
    REQUIRE(parse_into(c, "GET /a/1 HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n"));
    c.add_param("id", "1");
    REQUIRE(parse_into(c, "POST /b HTTP/1.1\r\nHost: h\r\nB: 2\r\nContent-Length: 0\r\n\r\n"));
    CHECK(c.method() == "POST");
    CHECK(c.path() == "/b");
    CHECK(c.header("A") == std::nullopt);
    CHECK(c.header("b") == "2");
    CHECK(c.param("id") == std::nullopt);
    CHECK(c.peer() == "127.0.0.1:54321");
    c.clear();
    CHECK(c.method().empty());
    CHECK(c.header("b") == std::nullopt);
    CHECK(c.peer() == "127.0.0.1:54321");
}

TEST_CASE("request copy: one pointer; clear after a long target keeps the peer, in place") {
    static_assert(sizeof(RequestCopy) == sizeof(void*));   // the rest is in its one block
    RequestCopy empty;
    CHECK(empty.peer().empty());
    CHECK(empty.method().empty());
    CHECK(empty.keep_alive());
    CHECK(empty.header("Host") == std::nullopt);
    CHECK(empty.param("id") == std::nullopt);
    RequestCopy c;
    const std::string peer(300, 'p');   // lengths of 255 and more take 5 bytes in the block
    c.set_peer(peer);
    REQUIRE(parse_into(c, "HEAD /" + std::string(400, 't') + " HTTP/1.0\r\nHost: h\r\n\r\n"));
    CHECK(c.target().size() == 401);
    CHECK(c.head());
    CHECK_FALSE(c.keep_alive());
    c.clear();
    CHECK(c.peer() == peer);
    CHECK(c.target().empty());
    CHECK(c.header_count() == 0);
    CHECK(c.keep_alive());
    CHECK_FALSE(c.head());
    REQUIRE(parse_into(c, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
    CHECK(c.peer() == peer);
    CHECK(c.path() == "/x");
}

}  // TEST_SUITE
