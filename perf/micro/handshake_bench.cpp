// Benchmarks of the RFC 6455 §4 opening handshake, request bytes in -> response bytes out.
//
// "handshake/server/full": one op = what the server does with one browser upgrade request
// held whole in one buffer: reset() + parse_head() (proto/http_parser.hpp), then
// evaluate_upgrade() (Origin against an allow-list, key check, SHA-1 + Base64 of the
// accept) and write_handshake_response() of the 101. handshakes/s = 10^9 / (ns/op); GB/s
// counts the request's bytes. The parse / evaluate / write rows split that op in three.
//
// "handshake/client/full": one op = write_client_request() with a fixed nonce, then
// reset() + parse_head() of the server's 101 (HttpResponseParser) and
// verify_server_response() (recomputes the accept from the key).
//
// Every benchmark checks its result once before the timed loop and aborts on a wrong one,
// so none can quietly time a failure path.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "perf/micro/bench.hpp"
#include "proto/http_parser.hpp"
#include "proto/http_response.hpp"
#include "proto/ws_handshake.hpp"

namespace {

using namespace sluice::proto;
using sluice::bench::do_not_optimize;

// A current browser's upgrade request (487 bytes, 12 fields) carrying the RFC 6455 §1.3
// sample key, so the expected accept value is the RFC's own.
const std::string kUpgradeRequest =
    "GET /trading HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: Upgrade\r\n"
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\n"
    "Upgrade: websocket\r\n"
    "Origin: https://www.example.com\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "\r\n";

constexpr std::string_view kSampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";  // RFC 6455 §1.3
constexpr std::array<std::string_view, 2> kOrigins = {"https://example.com", "https://www.example.com"};

std::span<const std::uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "handshake_bench: %s\n", what);
    std::abort();
}

HandshakePolicy policy() {
    HandshakePolicy p;
    p.allowed_origins = kOrigins;
    return p;
}

// The whole server-side op; returns the response's length (0 on any failure).
std::size_t serve(HttpRequestParser& parser, std::span<HttpHeader> storage, HttpRequest& request,
                  const HandshakePolicy& p, std::span<const std::uint8_t> in, std::span<char> out) {
    parser.reset();
    const HeadResult r = parser.parse_head(in, storage, request);
    if (r.status != ParseStatus::done) return 0;
    const HandshakeDecision d = evaluate_upgrade(request, p);
    return write_handshake_response(d, out);
}

// The 101 the server must send for kUpgradeRequest, byte for byte.
void check_server_response(std::string_view response) {
    const std::string expected = std::string(
                                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                     "Connection: Upgrade\r\nSec-WebSocket-Accept: ") +
                                 std::string(kSampleAccept) + "\r\n\r\n";
    if (response != expected) fail("server response is not the RFC 6455 section 1.3 101");
}

}  // namespace

SLUICE_BENCH("handshake/server/full", kUpgradeRequest.size()) {
    HttpRequestParser parser;
    std::array<HttpHeader, 100> storage{};
    HttpRequest request;
    const HandshakePolicy p = policy();
    std::array<char, 512> out{};
    const auto in = bytes(kUpgradeRequest);
    const std::size_t n = serve(parser, storage, request, p, in, out);
    check_server_response({out.data(), n});
    for (auto _ : state) {
        do_not_optimize(serve(parser, storage, request, p, in, out));
        sluice::bench::clobber_memory();
    }
}

SLUICE_BENCH("handshake/server/parse_head", kUpgradeRequest.size()) {
    HttpRequestParser parser;
    std::array<HttpHeader, 100> storage{};
    HttpRequest request;
    const auto in = bytes(kUpgradeRequest);
    const HeadResult first = parser.parse_head(in, storage, request);
    if (first.status != ParseStatus::done || first.consumed != in.size() || request.headers.size() != 12)
        fail("upgrade request does not parse");
    for (auto _ : state) {
        parser.reset();
        HeadResult r = parser.parse_head(in, storage, request);
        do_not_optimize(r);
        do_not_optimize(request);
    }
}

SLUICE_BENCH("handshake/server/evaluate_upgrade", 0) {
    HttpRequestParser parser;
    std::array<HttpHeader, 100> storage{};
    HttpRequest request;
    const HandshakePolicy p = policy();
    if (parser.parse_head(bytes(kUpgradeRequest), storage, request).status != ParseStatus::done)
        fail("upgrade request does not parse");
    const HandshakeDecision first = evaluate_upgrade(request, p);
    if (first.status != 101 || std::string_view(first.accept.data(), first.accept.size()) != kSampleAccept)
        fail("evaluate_upgrade does not accept with the RFC 6455 section 1.3 value");
    for (auto _ : state) {
        HandshakeDecision d = evaluate_upgrade(request, p);
        do_not_optimize(d);
    }
}

SLUICE_BENCH("handshake/server/write_101", 0) {
    HandshakeDecision d;
    d.status = 101;
    d.accept = compute_accept("dGhlIHNhbXBsZSBub25jZQ==");
    std::array<char, 512> out{};
    check_server_response({out.data(), write_handshake_response(d, out)});
    for (auto _ : state) {
        do_not_optimize(write_handshake_response(d, out));
        sluice::bench::clobber_memory();
    }
}

SLUICE_BENCH("handshake/client/full", 0) {
    // A fixed nonce stands in for the caller's 16 random bytes.
    constexpr std::array<std::uint8_t, 16> kNonce = {0x3a, 0x91, 0x07, 0xc4, 0x5e, 0x28, 0xb3, 0x6f,
                                                     0xd0, 0x14, 0x8c, 0x72, 0xe9, 0x41, 0xa5, 0x1b};
    std::array<char, 512> request_bytes{};
    std::array<char, 24> key{};
    const std::size_t request_size =
        write_client_request("www.example.com", "/trading/feed", kNonce, {}, request_bytes, key);
    if (request_size == 0) fail("write_client_request failed");

    // The server's answer to that request, made by the server's own code.
    HttpRequestParser server_parser;
    std::array<HttpHeader, 100> server_storage{};
    HttpRequest request;
    std::array<char, 512> response_bytes{};
    const std::size_t response_size =
        serve(server_parser, server_storage, request, HandshakePolicy{},
              bytes({request_bytes.data(), request_size}), response_bytes);
    const std::string response(response_bytes.data(), response_size);
    const std::string_view key_view(key.data(), key.size());
    const std::array<char, 28> accept = compute_accept(key_view);
    if (response.find("HTTP/1.1 101 ") != 0 ||
        response.find(std::string_view(accept.data(), accept.size())) == std::string::npos)
        fail("server does not accept the client's request");

    HttpResponseParser parser;
    std::array<HttpHeader, 16> storage{};
    HttpResponse parsed;
    const auto in = bytes(response);
    const HeadResult first = parser.parse_head(in, storage, parsed);
    if (first.status != ParseStatus::done || parsed.status != 101 || !verify_server_response(parsed, key_view))
        fail("client does not verify the server's 101");
    // A wrong key must fail verification, or the check above proves nothing.
    if (verify_server_response(parsed, "dGhlIHNhbXBsZSBub25jZQ==")) fail("verify_server_response accepts any key");

    for (auto _ : state) {
        std::size_t n = write_client_request("www.example.com", "/trading/feed", kNonce, {}, request_bytes, key);
        do_not_optimize(n);
        sluice::bench::clobber_memory();
        parser.reset();
        HeadResult r = parser.parse_head(in, storage, parsed);
        do_not_optimize(r);
        bool ok = verify_server_response(parsed, {key.data(), key.size()});
        do_not_optimize(ok);
    }
}
