// test/app/router_test.cpp — the router: precedence, parameters, wildcard, 404/405/426.
#include "app/router.hpp"

#include <doctest/doctest.h>

using sluice::RouteStatus;
using sluice::Router;

TEST_SUITE("app") {

TEST_CASE("router: static beats parameter beats wildcard") {
    Router r;
    REQUIRE(r.add_http("GET", "/room/lobby", 1).empty());
    REQUIRE(r.add_http("GET", "/room/:id", 2).empty());
    REQUIRE(r.add_http("GET", "/room/*", 3).empty());
    auto m = r.match("GET", "/room/lobby", false);
    CHECK(m.status == RouteStatus::found);
    CHECK(m.target == 1);
    m = r.match("GET", "/room/42", false);
    CHECK(m.target == 2);
    CHECK(m.params.get("id") == "42");
    m = r.match("GET", "/room/42/extra/more", false);
    CHECK(m.target == 3);
    CHECK(m.params.get("*") == "42/extra/more");
    m = r.match("GET", "/room/", false);   // an empty segment is not a parameter
    CHECK(m.target == 3);
    CHECK(m.params.get("*") == "");
}

TEST_CASE("router: matching backtracks from a static segment that leads nowhere") {
    Router r;
    REQUIRE(r.add_http("GET", "/a/b", 1).empty());
    REQUIRE(r.add_http("GET", "/:x/c", 2).empty());
    auto m = r.match("GET", "/a/c", false);
    CHECK(m.status == RouteStatus::found);
    CHECK(m.target == 2);
    CHECK(m.params.get("x") == "a");
    CHECK(r.match("GET", "/a/b", false).target == 1);
    CHECK(r.match("GET", "/a/d", false).status == RouteStatus::not_found);
}

TEST_CASE("router: several parameters, each pattern with its own names") {
    Router r;
    REQUIRE(r.add_http("GET", "/u/:user/post/:post", 7).empty());
    auto m = r.match("GET", "/u/ann/post/99", false);
    REQUIRE(m.status == RouteStatus::found);
    CHECK(m.params.count == 2);
    CHECK(m.params.get("user") == "ann");
    CHECK(m.params.get("post") == "99");
    CHECK(m.params.get("nope") == "");
}

TEST_CASE("router: root and trailing slash are distinct paths") {
    Router r;
    REQUIRE(r.add_http("GET", "/", 1).empty());
    REQUIRE(r.add_http("GET", "/x", 2).empty());
    CHECK(r.match("GET", "/", false).target == 1);
    CHECK(r.match("GET", "/x", false).target == 2);
    CHECK(r.match("GET", "/x/", false).status == RouteStatus::not_found);
    CHECK(r.match("GET", "", false).status == RouteStatus::not_found);
    CHECK(r.match("GET", "x", false).status == RouteStatus::not_found);
}

TEST_CASE("RFC 9110 15.5.6: 405 lists the allowed methods; GET implies HEAD") {
    Router r;
    REQUIRE(r.add_http("GET", "/items", 1).empty());
    REQUIRE(r.add_http("POST", "/items", 2).empty());
    CHECK(r.match("POST", "/items", false).target == 2);
    auto head = r.match("HEAD", "/items", false);
    CHECK(head.status == RouteStatus::found);
    CHECK(head.target == 1);
    auto m = r.match("DELETE", "/items", false);
    CHECK(m.status == RouteStatus::method_not_allowed);
    CHECK(m.allow == "GET, HEAD, POST");
    CHECK(r.match("get", "/items", false).status == RouteStatus::method_not_allowed);  // methods are case-sensitive
}

TEST_CASE("router: '*' method serves any method") {
    Router r;
    REQUIRE(r.add_http("*", "/echo", 5).empty());
    CHECK(r.match("PATCH", "/echo", false).target == 5);
    CHECK(r.match("GET", "/echo", false).target == 5);
}

TEST_CASE("RFC 6455 4.2: an upgrade finds only WebSocket targets; else 404") {
    Router r;
    REQUIRE(r.add_websocket("/chat", 1).empty());
    REQUIRE(r.add_http("GET", "/page", 2).empty());
    CHECK(r.match("GET", "/chat", true).status == RouteStatus::found);
    CHECK(r.match("GET", "/chat", true).target == 1);
    CHECK(r.match("GET", "/page", true).status == RouteStatus::not_found);
    CHECK(r.match("GET", "/none", true).status == RouteStatus::not_found);
}

TEST_CASE("RFC 9110 15.5.22: a plain GET to a WebSocket-only route is 426; other methods 405") {
    Router r;
    REQUIRE(r.add_websocket("/chat", 1).empty());
    CHECK(r.match("GET", "/chat", false).status == RouteStatus::upgrade_required);
    auto m = r.match("POST", "/chat", false);
    CHECK(m.status == RouteStatus::method_not_allowed);
    CHECK(m.allow == "GET");
}

TEST_CASE("RFC 9110 15.5.22: a static WebSocket-only route is 426 even beside a GET wildcard") {
    Router r;
    REQUIRE(r.add_websocket("/fanout", 1).empty());
    REQUIRE(r.add_websocket("/room/:id", 2).empty());
    REQUIRE(r.add_http("GET", "/*", 3).empty());
    CHECK(r.match("GET", "/fanout", false).status == RouteStatus::upgrade_required);
    CHECK(r.match("GET", "/fanout", true).target == 1);
    CHECK(r.match("GET", "/fanout/x", false).target == 3);
    CHECK(r.match("HEAD", "/fanout", false).target == 3);   // HEAD is not an upgrade: the pages serve it
    // Through a parameter the wildcard still serves: "/room/:id" names no exact path.
    CHECK(r.match("GET", "/room/7", false).target == 3);
    CHECK(r.match("GET", "/room/7", true).target == 2);
}

TEST_CASE("router: a route serving both WebSocket and HTTP") {
    Router r;
    REQUIRE(r.add_websocket("/both", 1).empty());
    REQUIRE(r.add_http("*", "/both", 2).empty());
    CHECK(r.match("GET", "/both", true).target == 1);
    CHECK(r.match("GET", "/both", false).target == 2);
}

TEST_CASE("router: malformed and duplicate patterns are rejected with a reason") {
    Router r;
    CHECK(r.add_http("GET", "nope", 1).find("must start with '/'") != std::string::npos);
    CHECK(r.add_http("GET", "/a/*/b", 1).find("last segment") != std::string::npos);
    CHECK(r.add_http("GET", "/a/:", 1).find("empty parameter") != std::string::npos);
    CHECK(r.add_http("GET", "/:a/:b/:c/:d/:e/:f/:g/:h/:i", 1).find("more than") != std::string::npos);
    REQUIRE(r.add_http("GET", "/ok", 1).empty());
    CHECK(r.add_http("GET", "/ok", 2).find("already has") != std::string::npos);
    REQUIRE(r.add_websocket("/ok", 3).empty());
    CHECK(r.add_websocket("/ok", 4).find("already has") != std::string::npos);
    REQUIRE(r.add_http("GET", "/p/:id", 5).empty());
    CHECK(r.add_http("POST", "/p/:other", 6).find("names its parameters") != std::string::npos);
    CHECK(r.add_http("", "/q", 7).find("empty method") != std::string::npos);
}

}  // TEST_SUITE
