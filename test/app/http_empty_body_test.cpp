// test/app/http_empty_body_test.cpp — requests whose body is empty are answered at once,
// over real sockets, at every split point (issue: `curl -X POST -d ''` never got an answer).
#include "test/support/test_server.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "test/support/ws_test_client.hpp"

using namespace std::chrono_literals;
using sluice::Context;
using sluice::Server;
using sluice::test::HttpReply;
using sluice::test::read_http_response;
using sluice::test::TcpClient;
using sluice::test::TestServer;

namespace {

struct EmptyBodyCase {
    const char* label;
    std::string request;
    bool closes;   // Connection: close (or HTTP/1.0 without keep-alive)
};

std::vector<EmptyBodyCase> empty_body_cases() {
    return {
        {"RFC 9112 §6.3: POST with Content-Length: 0",
         "POST /any HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", false},
        {"RFC 9112 §6.3: GET with Content-Length: 0", "GET /any HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", false},
        {"RFC 9112 §6.3: PUT with Content-Length: 0 and Connection: close",
         "PUT /any HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", true},
        {"RFC 9112 §6.3: DELETE with Content-Length: 000", "DELETE /any HTTP/1.1\r\nHost: x\r\nContent-Length: 000\r\n\r\n",
         false},
        {"RFC 9112 §6.3: HTTP/1.0 POST with Content-Length: 0", "POST /any HTTP/1.0\r\nContent-Length: 0\r\n\r\n", true},
        {"RFC 9112 §7.1: a chunked body that is only the last chunk",
         "POST /any HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false},
        {"RFC 9110 §10.1.1: Expect: 100-continue with Content-Length: 0 gets no 100, only the answer",
         "POST /any HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n", false},
    };
}

// Answers with the method and the body's size, for any method.
void add_any_route(Server& s) {
    s.http("*", "/any", [](Context& c) { c.respond(200, std::string(c.method()) + " " + std::to_string(c.body().size())); });
}

std::string method_of(const std::string& request) { return request.substr(0, request.find(' ')); }

}  // namespace

TEST_SUITE("app") {

TEST_CASE("RFC 9112 §6.3: an empty body completes its request at the end of the head, in one read") {
    TestServer s(add_any_route);
    for (const EmptyBodyCase& t : empty_body_cases()) {
        CAPTURE(t.label);
        TcpClient c(s.port());
        REQUIRE(c.send_all(t.request));
        HttpReply r = read_http_response(c, 1000ms);   // at once, not at a timeout
        REQUIRE(r.ok);
        CHECK(r.status == 200);
        CHECK(r.body == method_of(t.request) + " 0");
        CHECK(r.head.find("100 Continue") == std::string::npos);
        if (t.closes) {
            CHECK(c.wait_eof(1000ms));
        } else {
            // Keep-alive: the same connection serves the next request.
            REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
            HttpReply next = read_http_response(c, 1000ms);
            REQUIRE(next.ok);
            CHECK(next.body == "hello");
        }
    }
}

TEST_CASE("RFC 9112 §6.3: an empty body is answered at every split point of the request") {
    TestServer s(add_any_route);
    for (const EmptyBodyCase& t : empty_body_cases()) {
        for (std::size_t cut = 1; cut < t.request.size(); ++cut) {
            CAPTURE(t.label);
            CAPTURE(cut);
            TcpClient c(s.port());
            REQUIRE(c.send_all(t.request.substr(0, cut)));
            // Let the first part arrive (and be parsed) on its own before the rest.
            c.read_some(c.pending, 2ms);
            REQUIRE(c.send_all(t.request.substr(cut)));
            HttpReply r = read_http_response(c, 1000ms);
            REQUIRE(r.ok);
            CHECK(r.status == 200);
            CHECK(r.body == method_of(t.request) + " 0");
        }
    }
}

TEST_CASE("RFC 9112 §6.3: pipelined empty-bodied requests are each answered, in order") {
    TestServer s(add_any_route);
    TcpClient c(s.port());
    REQUIRE(c.send_all("POST /any HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                       "PUT /any HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                       "POST /any HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"));
    HttpReply a = read_http_response(c, 1000ms), b = read_http_response(c, 1000ms), d = read_http_response(c, 1000ms);
    REQUIRE((a.ok && b.ok && d.ok));
    CHECK(a.body == "POST 0");
    CHECK(b.body == "PUT 0");
    CHECK(d.body == "POST 2");
}

TEST_CASE("RFC 9110 §15.5.5: a 404 for a request with Content-Length: 0 keeps the connection") {
    TestServer s;
    TcpClient c(s.port());
    REQUIRE(c.send_all("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
    HttpReply r = read_http_response(c, 1000ms);
    REQUIRE(r.ok);
    CHECK(r.status == 404);
    CHECK(r.header("Connection") != "close");   // nothing of the request is left unread
    REQUIRE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(read_http_response(c, 1000ms).body == "hello");
}

TEST_CASE("RFC 9112 §7.1 and §6.3: malformed framing gets 400 and a close, a large size 413") {
    TestServer s([](Server& srv) { srv.max_body_size(64); });
    struct Case {
        const char* label;
        std::string request;
        int status;
    };
    const Case cases[] = {
        {"RFC 9112 §7.1: a chunk size over 64 bits",
         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400},
        {"RFC 9110 §15.5.14: a well-formed chunk size over max_body",
         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfff\r\n", 413},
        {"RFC 9112 §6.3: Transfer-Encoding: xchunked",
         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400},
        {"RFC 9112 §6.3: Transfer-Encoding: chunked, identity",
         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400},
        {"RFC 9112 §6.3: Transfer-Encoding: gzip", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
        {"RFC 9112 §6.1: Transfer-Encoding: gzip, chunked (understood framing, unknown coding)",
         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
    };
    for (const Case& t : cases) {
        CAPTURE(t.label);
        TcpClient c(s.port());
        REQUIRE(c.send_all(t.request));
        HttpReply r = read_http_response(c, 1000ms);
        REQUIRE(r.ok);
        CHECK(r.status == t.status);
        CHECK(c.wait_eof(1000ms));
    }
}

}  // TEST_SUITE
