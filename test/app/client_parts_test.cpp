// test/app/client_parts_test.cpp — the client's pieces on their own: the ws:// URL parser
// (RFC 6455 §3, §4.1 item 4) and the resolver that keeps getaddrinfo off the loop thread.
#include "app/detail/client_url.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "app/detail/client_random.hpp"
#include "app/detail/client_resolver.hpp"
#include "net/reactor.hpp"

using sluice::detail::ClientUrl;
using sluice::detail::HostResolver;
using sluice::detail::parse_client_url;
using sluice::detail::Resolved;

TEST_SUITE("app") {

TEST_CASE("RFC 6455 3, 4.1 item 4: a ws:// URL gives the host to resolve, the Host field and the resource name") {
    struct Case {
        const char* url;
        const char* host;
        const char* host_header;
        unsigned port;
        const char* resource;
    };
    const Case cases[] = {
        {"ws://example.com", "example.com", "example.com", 80, "/"},
        {"ws://example.com:80/chat", "example.com", "example.com", 80, "/chat"},   // the default port is not written
        {"WS://Example.com:8080/a/b?x=1&y=2", "Example.com", "Example.com:8080", 8080, "/a/b?x=1&y=2"},
        {"ws://example.com?q", "example.com", "example.com", 80, "/?q"},           // §3: an empty path is "/"
        {"ws://[::1]:9000/feed", "::1", "[::1]:9000", 9000, "/feed"},
        {"ws://[2001:db8::7]/", "2001:db8::7", "[2001:db8::7]", 80, "/"},
        {"ws://127.0.0.1:60000/ws", "127.0.0.1", "127.0.0.1:60000", 60000, "/ws"},
        {"ws://h/%23not-a-fragment", "h", "h", 80, "/%23not-a-fragment"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.url);
        ClientUrl u;
        REQUIRE(parse_client_url(c.url, u).empty());
        CHECK(u.host == c.host);
        CHECK(u.host_header == c.host_header);
        CHECK(u.port == c.port);
        CHECK(u.resource == c.resource);
    }
    const char* refused[] = {"ws://", "ws:///x", "ws://h:/", "ws://h:65536/", "ws://h:x/", "ws://[::1", "ws://[::1]x/",
                             "ws://[zz]/", "ws://user@h/", "ws://h/a b", "ws://h/#f", "http://h/", "h/x", "ws://::1/"};
    for (const char* url : refused) {
        CAPTURE(url);
        ClientUrl u;
        CHECK_FALSE(parse_client_url(url, u).empty());
    }
}

TEST_CASE("client: a name resolves on a helper thread; the answer arrives through the loop, or not at all once cancelled") {
    sluice::net::Reactor reactor;
    REQUIRE(reactor.valid());
    HostResolver resolver;
    bool called = false;
    Resolved got;
    std::thread::id where;
    resolver.start(reactor, "localhost", 8080, [&](Resolved r) {
        called = true;
        got = std::move(r);
        where = std::this_thread::get_id();
    });
    CHECK_FALSE(called);   // start() returned before any answer: nothing ran on this stack
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!called && std::chrono::steady_clock::now() < end) reactor.run_once(std::chrono::milliseconds(20));
    REQUIRE(called);
    CHECK(got.error.empty());
    CHECK_FALSE(got.addresses.empty());
    CHECK(where == std::this_thread::get_id());   // delivered on the loop thread

    bool late = false;
    resolver.start(reactor, "localhost", 8080, [&](Resolved) { late = true; });
    resolver.cancel();
    const auto quiet = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < quiet) reactor.run_once(std::chrono::milliseconds(20));
    CHECK_FALSE(late);

    bool literal = false;
    resolver.start(reactor, "[::1]", 80, [&](Resolved r) { literal = r.addresses.size() == 1 && r.error.empty(); });
    CHECK_FALSE(literal);   // a literal too answers through the loop, never inside start()
    reactor.run_once(std::chrono::milliseconds(50));
    CHECK(literal);
}

TEST_CASE("RFC 6455 5.3: the masking-key generator is seeded per thread, never a constant sequence") {
    const auto draw = [] {
        std::array<std::array<std::uint8_t, 4>, 8> keys{};
        for (auto& k : keys) k = sluice::detail::next_client_mask();
        return keys;
    };
    decltype(draw()) here{};
    decltype(draw()) there{};
    here = draw();
    std::thread([&] { there = draw(); }).join();
    CHECK(here != there);   // two threads, two seeds from the OS: 2^-256 to be equal
    std::array<std::uint8_t, 16> a{};
    std::array<std::uint8_t, 16> b{};
    REQUIRE(sluice::detail::os_random(a));
    REQUIRE(sluice::detail::os_random(b));
    CHECK(a != b);
}

}  // TEST_SUITE
