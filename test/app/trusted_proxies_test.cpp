// test/app/trusted_proxies_test.cpp — the trusted_proxies setting: parsing and the reading of
// X-Forwarded-For / Forwarded (RFC 7239) / X-Forwarded-Proto, then over real sockets from a
// trusted peer and from an untrusted one.
#include "app/trusted_proxies.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "app/server.hpp"
#include "test/support/test_server.hpp"
#include "test/support/ws_test_client.hpp"

using sluice::ForwardedOrigin;
using sluice::Server;
using sluice::TrustedProxies;
using sluice::proto::HttpHeader;
using sluice::test::HttpReply;
using sluice::test::read_http_response;
using sluice::test::TcpClient;
using sluice::test::TestServer;

namespace {

TrustedProxies trusting(std::vector<std::string> entries) {
    TrustedProxies t;
    REQUIRE(t.assign(entries).empty());
    return t;
}

ForwardedOrigin resolve(const TrustedProxies& t, std::string_view peer, std::vector<HttpHeader> headers) {
    return t.resolve(peer, headers);
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("trusted_proxies: addresses and CIDR ranges, IPv4 and IPv6; bad entries named") {
    const TrustedProxies t = trusting({"127.0.0.1", "10.0.0.0/8", "192.168.4.0/22", "::1", "[fd00::]/8", "2001:db8::/126"});
    CHECK(t.trusts("127.0.0.1"));
    CHECK_FALSE(t.trusts("127.0.0.2"));
    CHECK(t.trusts("10.255.0.1"));
    CHECK_FALSE(t.trusts("11.0.0.1"));
    CHECK(t.trusts("192.168.7.255"));
    CHECK_FALSE(t.trusts("192.168.8.0"));
    CHECK(t.trusts("::1"));
    CHECK(t.trusts("[::1]"));
    CHECK(t.trusts("fd12:3456::1"));
    CHECK_FALSE(t.trusts("fe80::1"));
    CHECK(t.trusts("2001:db8::3"));
    CHECK_FALSE(t.trusts("2001:db8::4"));
    CHECK(t.trusts("::ffff:10.1.2.3"));   // IPv4-mapped: read as IPv4
    CHECK_FALSE(t.trusts("not an address"));
    TrustedProxies bad;
    CHECK(bad.assign({"10.0.0.0/33"}).find("10.0.0.0/33") != std::string::npos);
    CHECK(bad.assign({"::/129"}).find("prefix") != std::string::npos);
    CHECK(bad.assign({"example.com"}).find("not an IP address") != std::string::npos);
    CHECK(bad.assign({"10.0.0.1/"}).find("prefix") != std::string::npos);
    CHECK(TrustedProxies().empty());
    Server server;
    server.trusted_proxies({"127.0.0.1", "nope"});
    CHECK(server.validate().find("'nope'") != std::string::npos);
}

TEST_CASE("trusted_proxies: X-Forwarded-For gives the right-most untrusted hop, X-Forwarded-Proto the scheme") {
    const TrustedProxies t = trusting({"127.0.0.1", "10.0.0.0/8"});
    // A client may put anything on the left; the hop our proxies appended is what counts.
    ForwardedOrigin o = resolve(t, "127.0.0.1:5000",
                                {{"X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.1.1.1"}, {"X-Forwarded-Proto", "https"}});
    CHECK(o.address == "203.0.113.7");
    CHECK(o.https);
    // Repeated lines are one list (RFC 9110 §5.3); a port and a bare IPv6 are read.
    o = resolve(t, "127.0.0.1:5000", {{"X-Forwarded-For", "198.51.100.1:4711"}, {"X-Forwarded-For", "2001:db8::7"}});
    CHECK(o.address == "2001:db8::7");
    CHECK_FALSE(o.https);
    // Every hop trusted: the left-most.
    o = resolve(t, "127.0.0.1:5000", {{"X-Forwarded-For", "10.0.0.5, 10.0.0.6"}});
    CHECK(o.address == "10.0.0.5");
    // Garbage where the client should be: unusable, the socket's peer stands.
    o = resolve(t, "127.0.0.1:5000", {{"X-Forwarded-For", "<script>"}});
    CHECK(o.address.empty());
    // From an untrusted peer nothing is read.
    o = resolve(t, "192.0.2.9:5000", {{"X-Forwarded-For", "203.0.113.7"}, {"X-Forwarded-Proto", "https"}});
    CHECK(o.address.empty());
    CHECK_FALSE(o.https);
    // An IPv6 peer as net::peer_address writes it.
    o = resolve(trusting({"::1"}), "[::1]:5000", {{"X-Forwarded-For", "203.0.113.8"}});
    CHECK(o.address == "203.0.113.8");
}

TEST_CASE("trusted_proxies: RFC 7239 4 Forwarded for= and proto=, quoted, with ports, identifiers; preferred over X-Forwarded-For") {
    const TrustedProxies t = trusting({"127.0.0.1", "10.0.0.0/8"});
    ForwardedOrigin o = resolve(t, "127.0.0.1:1",
                                {{"Forwarded", "for=6.6.6.6;proto=http, For=\"[2001:db8:cafe::17]:4711\";Proto=https;by=10.0.0.1"},
                                 {"Forwarded", "for=10.0.0.2;proto=http"},
                                 {"X-Forwarded-For", "198.51.100.99"}});
    CHECK(o.address == "2001:db8:cafe::17");
    CHECK(o.https);   // the chosen hop's proto=, not the last one's
    o = resolve(t, "127.0.0.1:1", {{"Forwarded", "for=\"192.0.2.43:47011\""}});
    CHECK(o.address == "192.0.2.43");
    CHECK_FALSE(o.https);
    // RFC 7239 §6: "unknown" and obfuscated identifiers are kept as they are.
    CHECK(resolve(t, "127.0.0.1:1", {{"Forwarded", "for=unknown"}}).address == "unknown");
    CHECK(resolve(t, "127.0.0.1:1", {{"Forwarded", "for=\"_hidden\", for=10.0.0.3"}}).address == "_hidden");
    CHECK(resolve(t, "127.0.0.1:1", {{"Forwarded", "for=\"x y\""}}).address.empty());
}

TEST_CASE("trusted_proxies over real sockets: from a trusted peer the forwarded client and scheme; from another, ignored") {
    const auto whoami = [](Server& s) {
        s.http("GET", "/whoami", [](sluice::Context& c) {
            c.respond(200, std::string(c.peer_address()) + " " + std::string(c.scheme()));
        });
    };
    const std::string forwarded =
        "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.7\r\nX-Forwarded-Proto: https\r\n\r\n";
    SUBCASE("trusted (127.0.0.1): each request on a kept-alive connection is read anew") {
        TestServer s([&](Server& srv) {
            whoami(srv);
            srv.trusted_proxies({"127.0.0.1"});
        });
        TcpClient c(s.port());
        REQUIRE(c.send_all(forwarded));
        HttpReply r = read_http_response(c);
        REQUIRE(r.ok);
        CHECK(r.body == "203.0.113.7 https");
        // The next request on the proxy's connection is another client's (or the proxy's own).
        REQUIRE(c.send_all("GET /whoami HTTP/1.1\r\nHost: x\r\nForwarded: for=198.51.100.4;proto=http\r\n\r\n"));
        r = read_http_response(c);
        CHECK(r.body == "198.51.100.4 http");
        REQUIRE(c.send_all("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = read_http_response(c);
        CHECK(r.body.rfind("127.0.0.1:", 0) == 0);
        CHECK(r.body.ends_with(" http"));
        // A WebSocket's peer_address() is its upgrade request's.
        sluice::test::WsTestClient ws;
        TestServer w([&](Server& srv) {
            srv.trusted_proxies({"127.0.0.0/8"});
            srv.route("/me", [](sluice::Context& ctx) -> sluice::Task {
                co_await ctx.send(std::string(ctx.peer_address()) + " " + std::string(ctx.scheme()));
            });
        });
        REQUIRE(ws.connect(w.port(), "/me", {}, "X-Forwarded-For: 2001:db8::9\r\nX-Forwarded-Proto: https\r\n"));
        CHECK(ws.receive() == "2001:db8::9 https");
    }
    SUBCASE("untrusted: none configured, or the peer outside the ranges") {
        for (const std::vector<std::string>& trusted : {std::vector<std::string>{}, std::vector<std::string>{"10.0.0.0/8", "::1"}}) {
            TestServer s([&](Server& srv) {
                whoami(srv);
                srv.trusted_proxies(trusted);
            });
            TcpClient c(s.port());
            REQUIRE(c.send_all(forwarded));
            HttpReply r = read_http_response(c);
            REQUIRE(r.ok);
            CHECK(r.body.rfind("127.0.0.1:", 0) == 0);
            CHECK(r.body.ends_with(" http"));
        }
    }
}

}  // TEST_SUITE
