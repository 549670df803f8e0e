#include "proto/ws_handshake.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "proto/http_parser.hpp"
#include "proto/http_response.hpp"

namespace {

using namespace sluice::proto;

constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3 example

std::string upgrade(std::string_view extra = {}, std::string_view request_line = "GET /chat HTTP/1.1",
                    std::string_view version = "Sec-WebSocket-Version: 13\r\n",
                    std::string_view key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") {
    std::string r(request_line);
    r += "\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    r += key;
    r += version;
    r += extra;
    r += "\r\n";
    return r;
}

// Parses `text` as a request head and evaluates it.
struct Judged {
    HandshakeDecision decision;
    bool parsed = false;
};
Judged judge(const std::string& text, const HandshakePolicy& policy = {}) {
    static std::array<HttpHeader, 32> storage;
    static std::string kept;
    kept = text;
    HttpRequestParser parser;
    HttpRequest request;
    const auto r = parser.parse_head({reinterpret_cast<const std::uint8_t*>(kept.data()), kept.size()},
                                     storage, request);
    Judged j;
    j.parsed = r.status == ParseStatus::done;
    if (j.parsed) j.decision = evaluate_upgrade(request, policy);
    return j;
}
int status_of(const std::string& text, const HandshakePolicy& policy = {}) {
    const Judged j = judge(text, policy);
    REQUIRE(j.parsed);
    return j.decision.status;
}

std::string write(const HandshakeDecision& d) {
    std::array<char, 1024> out{};
    const std::size_t n = write_handshake_response(d, out);
    return std::string(out.data(), n);
}

}  // namespace

TEST_SUITE("proto") {
    TEST_CASE("RFC 6455 1.3: the accept value of the example key") {
        const auto accept = compute_accept(kKey);
        CHECK(std::string(accept.begin(), accept.end()) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    TEST_CASE("RFC 6455 4.2.2: a valid upgrade is answered 101 with the accept value") {
        const Judged j = judge(upgrade());
        REQUIRE(j.parsed);
        CHECK(j.decision.status == 101);
        CHECK(j.decision.subprotocol.empty());
        CHECK(write(j.decision) ==
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        // Token lists, any case: "Connection: keep-alive, Upgrade", "Upgrade: WebSocket".
        std::string mixed = upgrade();
        mixed.replace(mixed.find("Connection: Upgrade"), 19, "Connection: keep-alive, UPGRADE");
        mixed.replace(mixed.find("Upgrade: websocket"), 18, "Upgrade: WebSocket");
        CHECK(status_of(mixed) == 101);
        CHECK(status_of(upgrade("Origin: http://x\r\n")) == 101);
    }

    TEST_CASE("RFC 6455 9.1: the 101 lists the extension the server accepted, and only then") {
        Judged j = judge(upgrade("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        REQUIRE(j.parsed);
        CHECK(write(j.decision).find("Sec-WebSocket-Extensions") == std::string::npos);  // not accepted
        j.decision.extensions = "permessage-deflate; server_no_context_takeover";
        CHECK(write(j.decision) ==
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n");
    }

    TEST_CASE("RFC 6455 4.2.2: the 101 template's bytes with every combination of the optional lines") {
        Judged j = judge(upgrade());
        REQUIRE(j.parsed);
        const std::string head =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
        CHECK(write(j.decision) == head + "\r\n");
        j.decision.subprotocol = "chat.v2";
        CHECK(write(j.decision) == head + "Sec-WebSocket-Protocol: chat.v2\r\n\r\n");
        j.decision.extensions = "permessage-deflate";
        CHECK(write(j.decision) ==
              head + "Sec-WebSocket-Protocol: chat.v2\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
        j.decision.subprotocol = {};
        CHECK(write(j.decision) == head + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
        // All or nothing at the exact size: one byte short writes nothing.
        j.decision.subprotocol = "chat.v2";
        const std::string full = write(j.decision);
        std::vector<char> exact(full.size(), '#');
        CHECK(write_handshake_response(j.decision, exact) == full.size());
        CHECK(std::string(exact.begin(), exact.end()) == full);
        std::vector<char> short_by_one(full.size() - 1, '#');
        CHECK(write_handshake_response(j.decision, short_by_one) == 0);
    }

    TEST_CASE("RFC 6455 4.2.1, 11.3.1: the fields are found in any case, on any line, and counted") {
        // Names in any case; Upgrade and Connection tokens on a second line of the field.
        std::string lower = upgrade();
        lower.replace(lower.find("Sec-WebSocket-Key"), 17, "sec-websocket-key");
        lower.replace(lower.find("Sec-WebSocket-Version"), 21, "SEC-WEBSOCKET-VERSION");
        CHECK(status_of(lower) == 101);
        std::string split =
            upgrade("Upgrade: h2c\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nConnection: upgrade\r\n");
        split.replace(split.find("Upgrade: websocket\r\n"), 20, "Upgrade: h2c\r\n");
        split.replace(split.find("Connection: Upgrade\r\n"), 21, "X: y\r\n");
        CHECK(status_of(split) == 101);
        // §11.3.1: the key twice is 400; §4.4: the version twice is 426, even when both say 13.
        CHECK(status_of(upgrade("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")) == 400);
        CHECK(status_of(upgrade("Sec-WebSocket-Version: 13\r\n")) == 426);
        // An Upgrade field that lists something else only, or a Connection without "upgrade".
        std::string h2c = upgrade();
        h2c.replace(h2c.find("Upgrade: websocket"), 18, "Upgrade: websockets");
        CHECK(status_of(h2c) == 400);
    }

    TEST_CASE("RFC 6455 4.2.2: a response that does not fit is not written") {
        const Judged j = judge(upgrade());
        std::array<char, 40> small{};
        CHECK(write_handshake_response(j.decision, small) == 0);
    }

    TEST_CASE(
        "RFC 6455 4.2.1: a non-GET request, HTTP/1.0, or missing Upgrade/Connection is refused with 400") {
        CHECK(status_of(upgrade({}, "POST /chat HTTP/1.1")) == 400);
        CHECK(status_of(upgrade({}, "GET /chat HTTP/1.0")) == 400);
        std::string no_upgrade = upgrade();
        no_upgrade.replace(no_upgrade.find("Upgrade: websocket"), 18, "Upgrade: h2c");
        CHECK(status_of(no_upgrade) == 400);
        std::string no_connection = upgrade();
        no_connection.replace(no_connection.find("Connection: Upgrade"), 19, "Connection: keep-alive");
        CHECK(status_of(no_connection) == 400);
        const Judged j = judge(no_connection);
        CHECK(j.decision.reason == "missing Connection: Upgrade");
        const std::string out = write(j.decision);
        CHECK(out.rfind("HTTP/1.1 400 ", 0) == 0);
        CHECK(out.find("missing Connection: Upgrade") != std::string::npos);
    }

    TEST_CASE("RFC 6455 4.2.1: a key that does not decode to 16 bytes is refused with 400") {
        CHECK(status_of(upgrade({}, "GET /chat HTTP/1.1", "Sec-WebSocket-Version: 13\r\n", "")) == 400);
        CHECK(status_of(upgrade({}, "GET /chat HTTP/1.1", "Sec-WebSocket-Version: 13\r\n",
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\r\n")) == 400);  // 15 bytes
        CHECK(status_of(upgrade({}, "GET /chat HTTP/1.1", "Sec-WebSocket-Version: 13\r\n",
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\n")) == 400);  // bad padding
        CHECK(status_of(upgrade({}, "GET /chat HTTP/1.1", "Sec-WebSocket-Version: 13\r\n",
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZXg=\r\n")) == 400);  // 17 bytes
        CHECK(status_of(upgrade("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")) == 400);  // twice
    }

    TEST_CASE("RFC 6455 4.4: a missing or wrong version is answered 426 with Sec-WebSocket-Version: 13") {
        CHECK(status_of(upgrade({}, "GET /chat HTTP/1.1", "")) == 426);
        CHECK(status_of(upgrade({}, "GET /chat HTTP/1.1", "Sec-WebSocket-Version: 8\r\n")) == 426);
        CHECK(status_of(upgrade("Sec-WebSocket-Version: 13\r\n")) == 426);  // repeated
        const Judged j = judge(upgrade({}, "GET /chat HTTP/1.1", "Sec-WebSocket-Version: 12\r\n"));
        const std::string out = write(j.decision);
        CHECK(out.rfind("HTTP/1.1 426 ", 0) == 0);
        CHECK(out.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
        CHECK(out.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
    }

    TEST_CASE("RFC 6455 4.2.1: a request body on the upgrade is refused with 400") {
        CHECK(status_of(upgrade("Content-Length: 5\r\n")) == 400);
        CHECK(status_of(upgrade("Transfer-Encoding: chunked\r\n")) == 400);
        CHECK(status_of(upgrade("Content-Length: 0\r\n")) == 101);
    }

    TEST_CASE("RFC 6455 10.2: an Origin outside the allow-list is refused with 403") {
        const std::string_view origins[] = {"https://good.example"};
        HandshakePolicy policy;
        policy.allowed_origins = origins;
        CHECK(status_of(upgrade("Origin: https://good.example\r\n"), policy) == 101);
        CHECK(status_of(upgrade("Origin: HTTPS://GOOD.EXAMPLE\r\n"), policy) == 101);
        CHECK(status_of(upgrade("Origin: https://evil.example\r\n"), policy) == 403);
        CHECK(status_of(upgrade(), policy) == 101);  // no Origin: not a browser
        policy.require_origin = true;
        CHECK(status_of(upgrade(), policy) == 403);
        const std::string out = write(judge(upgrade("Origin: https://evil.example\r\n"), policy).decision);
        CHECK(out.rfind("HTTP/1.1 403 ", 0) == 0);
    }

    TEST_CASE("RFC 6455 4.2.2: the subprotocol is the server's first preference that the client offered") {
        const std::string_view prefs[] = {"chat.v2", "chat"};
        HandshakePolicy policy;
        policy.subprotocols = prefs;
        Judged j = judge(upgrade("Sec-WebSocket-Protocol: chat, chat.v2\r\n"), policy);
        CHECK(j.decision.subprotocol == "chat.v2");
        CHECK(write(j.decision).find("\r\nSec-WebSocket-Protocol: chat.v2\r\n") != std::string::npos);
        j = judge(upgrade("Sec-WebSocket-Protocol: x\r\nSec-WebSocket-Protocol: chat\r\n"), policy);
        CHECK(j.decision.subprotocol == "chat");
        // Never one the client did not offer; names compare case-sensitively.
        j = judge(upgrade("Sec-WebSocket-Protocol: CHAT, other\r\n"), policy);
        CHECK(j.decision.status == 101);
        CHECK(j.decision.subprotocol.empty());
        CHECK(write(j.decision).find("Sec-WebSocket-Protocol") == std::string::npos);
        j = judge(upgrade(), policy);
        CHECK(j.decision.subprotocol.empty());
    }

    TEST_CASE("RFC 6455 9.1: extension offers, permessage-deflate included, are never answered") {
        const Judged j = judge(
            upgrade("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-unknown\r\n"));
        CHECK(j.decision.status == 101);
        CHECK(write(j.decision).find("Extensions") == std::string::npos);
    }

    TEST_CASE("RFC 6455 4.2.1: is_upgrade_request looks for Upgrade: websocket") {
        static std::array<HttpHeader, 32> storage;
        const std::string yes = upgrade();
        const std::string no = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        for (const std::string* text : {&yes, &no}) {
            HttpRequestParser parser;
            HttpRequest request;
            REQUIRE(parser
                        .parse_head({reinterpret_cast<const std::uint8_t*>(text->data()), text->size()},
                                    storage, request)
                        .status == ParseStatus::done);
            CHECK(is_upgrade_request(request) == (text == &yes));
        }
    }

    TEST_CASE("RFC 6455 4.1: the client request carries the nonce's Base64 key, and a server accepts it") {
        std::array<std::uint8_t, 16> nonce{};
        const char sample[] = "the sample nonce";
        std::memcpy(nonce.data(), sample, 16);
        const std::string_view protocols[] = {"chat", "superchat"};
        std::array<char, 512> out{};
        std::array<char, 24> key{};
        const std::size_t n = write_client_request("server.example.com", "/chat", nonce, protocols, out, key);
        REQUIRE(n > 0);
        CHECK(std::string(key.begin(), key.end()) == kKey);
        const std::string request(out.data(), n);
        CHECK(
            request ==
            "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n");
        const std::string_view prefs[] = {"superchat"};
        HandshakePolicy policy;
        policy.subprotocols = prefs;
        const Judged j = judge(request, policy);
        CHECK(j.decision.status == 101);
        CHECK(j.decision.subprotocol == "superchat");
        // Malformed fields and small buffers write nothing.
        CHECK(write_client_request("a\r\nX: y", "/", nonce, {}, out, key) == 0);
        CHECK(write_client_request("a", "chat", nonce, {}, out, key) == 0);
        const std::string_view bad[] = {"a b"};
        CHECK(write_client_request("a", "/", nonce, bad, out, key) == 0);
        std::array<char, 20> tiny{};
        CHECK(write_client_request("a", "/", nonce, {}, tiny, key) == 0);
    }

    TEST_CASE("RFC 6455 3: a client path with a fragment '#' is not written") {
        std::array<std::uint8_t, 16> nonce{};
        std::array<char, 512> out{};
        std::array<char, 24> key{};
        CHECK(write_client_request("a", "/chat#top", nonce, {}, out, key) == 0);
        CHECK(write_client_request("a", "/chat%23top", nonce, {}, out, key) > 0);  // escaped: fine
    }

    TEST_CASE("RFC 6455 4.1 item 8: Origin and extra fields are written after the handshake's own, never in their place") {
        std::array<std::uint8_t, 16> nonce{};
        std::array<char, 512> out{};
        std::array<char, 24> key{};
        const HttpHeader extra[] = {{"Authorization", "Bearer t"}, {"X-Trace", "42"}};
        ClientRequest r;
        r.host = "example.com:8080";
        r.path = "/feed?depth=5";
        r.origin = "http://example.com";
        r.headers = extra;
        const std::size_t n = write_client_request(r, nonce, out, key);
        REQUIRE(n > 0);
        const std::string request(out.data(), n);
        CHECK(request.find("GET /feed?depth=5 HTTP/1.1\r\nHost: example.com:8080\r\n") == 0);
        CHECK(request.find("\r\nOrigin: http://example.com\r\nAuthorization: Bearer t\r\nX-Trace: 42\r\n\r\n") !=
              std::string::npos);
        // A field the handshake writes itself (RFC 9112 §3.2: one Host; §11.3.1: one key) is refused,
        // as are a name that is not a token and a value with CR, LF or NUL.
        for (const std::string_view name : {"Host", "upgrade", "Connection", "Origin", "Sec-WebSocket-Key",
                                            "sec-websocket-extensions", "Bad Name", ""}) {
            const HttpHeader one[] = {{name, "v"}};
            r.headers = one;
            CAPTURE(name);
            CHECK(write_client_request(r, nonce, out, key) == 0);
        }
        const HttpHeader broken[] = {{"X-A", "a\r\nX-B: b"}};
        r.headers = broken;
        CHECK(write_client_request(r, nonce, out, key) == 0);
        r.headers = {};
        r.origin = "http://a\r\nX: y";
        CHECK(write_client_request(r, nonce, out, key) == 0);
        r.origin = {};
        r.path = "/a b";   // a space would end the request-target (RFC 9112 §3)
        CHECK(write_client_request(r, nonce, out, key) == 0);
    }

    TEST_CASE("RFC 6455 4.1: offered subprotocols must be unique tokens") {
        std::array<std::uint8_t, 16> nonce{};
        std::array<char, 512> out{};
        std::array<char, 24> key{};
        const std::string_view twice[] = {"chat", "v2", "chat"};
        CHECK(write_client_request("a", "/", nonce, twice, out, key) == 0);
        const std::string_view empty[] = {""};
        CHECK(write_client_request("a", "/", nonce, empty, out, key) == 0);
        const std::string_view distinct[] = {"chat", "Chat"};  // tokens compare case-sensitively here
        CHECK(write_client_request("a", "/", nonce, distinct, out, key) > 0);
    }

    TEST_CASE("RFC 9110 §7.8: the 426 that carries Upgrade also carries Connection: Upgrade") {
        const Judged j = judge(upgrade({}, "GET /chat HTTP/1.1", "Sec-WebSocket-Version: 8\r\n"));
        const std::string out = write(j.decision);
        CHECK(out.rfind("HTTP/1.1 426 ", 0) == 0);
        CHECK(out.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
        CHECK(out.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
    }

    TEST_CASE(
        "RFC 6455 4.1: the client verifies status, Upgrade, Connection, accept, extensions and subprotocol") {
        static std::array<HttpHeader, 32> storage;
        static std::string kept;
        auto check = [](std::string text, std::span<const std::string_view> offered = {}) {
            kept = std::move(text);
            HttpResponseParser parser;
            HttpResponse response;
            const auto r = parser.parse_head(
                {reinterpret_cast<const std::uint8_t*>(kept.data()), kept.size()}, storage, response);
            REQUIRE(r.status == ParseStatus::done);
            return check_server_response(response, kKey, offered);
        };
        const std::string good =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
        CHECK(check(good + "\r\n") == ServerResponseCheck::ok);
        CHECK(check("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == ServerResponseCheck::not_101);
        std::string t = good;
        t.replace(t.find("Upgrade: websocket"), 18, "Upgrade: h2c");
        CHECK(check(t + "\r\n") == ServerResponseCheck::missing_upgrade);
        t = good;
        t.replace(t.find("Connection: Upgrade"), 19, "Connection: close");
        CHECK(check(t + "\r\n") == ServerResponseCheck::missing_connection);
        t = good;
        t.replace(t.find("xOo="), 4, "xOp=");
        CHECK(check(t + "\r\n") == ServerResponseCheck::bad_accept);
        CHECK(check(good + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n") ==
              ServerResponseCheck::bad_accept);
        CHECK(check(good + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n") ==
              ServerResponseCheck::unexpected_extension);
        CHECK(check(good + "Sec-WebSocket-Protocol: chat\r\n\r\n") ==
              ServerResponseCheck::unexpected_subprotocol);
        const std::string_view offered[] = {"chat"};
        CHECK(check(good + "Sec-WebSocket-Protocol: chat\r\n\r\n", offered) == ServerResponseCheck::ok);
        // The server's real answer to our request, end to end.
        const Judged j = judge(upgrade());
        kept = write(j.decision);
        HttpResponseParser parser;
        HttpResponse response;
        REQUIRE(parser
                    .parse_head({reinterpret_cast<const std::uint8_t*>(kept.data()), kept.size()}, storage,
                                response)
                    .status == ParseStatus::done);
        CHECK(verify_server_response(response, kKey));
        CHECK_FALSE(verify_server_response(response, "AAAAAAAAAAAAAAAAAAAAAA=="));
    }
}
