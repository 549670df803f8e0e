// test/vendor/codec_echo.cpp — a sans-I/O WebSocket echo on the codec-only amalgamation
// (build/amalgamated/sluice_codec.{hpp,cpp}), built as a constrained target would build it:
// -fno-exceptions -fno-rtti, no threads, no sockets. Both ends live in this process and talk
// through byte buffers:
//
//   client request ─► HttpRequestParser ─► evaluate_upgrade ─► 101 ─► HttpResponseParser
//                                                                       └► check_server_response
//   client WsSession ──masked frames──► server WsSession ──echo──► client WsSession (compares)
//   client close ─► server echoes it ─► both closed
//
// Every global operator new and malloc/calloc/realloc is counted (glibc's __libc_* do the
// work), so the run proves its promise: after a warm-up, zero allocations per message.
// Prints one line per check ("PASS ..."/"FAIL ...") and exits 0 only if all pass.
//   codec_echo [messages]          (default 20000)
#include "sluice_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

// ---- counting allocator ----------------------------------------------------------------
// glibc exports its allocator under these names; defining malloc & co here replaces the
// C library's for the whole program (libstdc++ included), so nothing escapes the count.
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" void __libc_free(void*);

namespace {
std::size_t g_allocations = 0;  // single-threaded program: a plain counter is exact
}

extern "C" void* malloc(std::size_t n) {
    ++g_allocations;
    return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t count, std::size_t n) {
    ++g_allocations;
    return __libc_calloc(count, n);
}
extern "C" void* realloc(void* p, std::size_t n) {
    ++g_allocations;
    return __libc_realloc(p, n);
}
extern "C" void free(void* p) { __libc_free(p); }

// Without exceptions an allocation failure cannot be thrown: it ends the program.
void* operator new(std::size_t n) {
    void* p = malloc(n == 0 ? 1 : n);
    if (p == nullptr) std::abort();
    return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }

namespace {

using namespace sluice::proto;

int g_failures = 0;

void report(bool ok, const char* what) {
    std::printf("%s codec: %s\n", ok ? "PASS" : "FAIL", what);
    if (!ok) ++g_failures;
}

// A fixed wire: what one end sends, the other reads. No allocation, bounds checked.
struct Wire {
    std::uint8_t bytes[1 << 16];
    std::size_t size = 0;
    bool overflow = false;
    void put(std::span<const std::uint8_t> b) {
        if (b.size() > sizeof bytes - size) {
            overflow = true;
            return;
        }
        std::memcpy(bytes + size, b.data(), b.size());
        size += b.size();
    }
    std::span<std::uint8_t> take() {
        std::span<std::uint8_t> all(bytes, size);
        size = 0;
        return all;
    }
};

// The server echoes every message back with the same opcode, from inside on_message (the
// session type cannot be named inside its own hooks, hence the function pointer).
struct ServerHooks {
    Wire* out = nullptr;
    void* session = nullptr;
    void (*echo)(void* session, Opcode op, std::span<const std::uint8_t> bytes) = nullptr;
    std::size_t messages = 0;
    void on_message(Opcode op, std::span<const std::uint8_t> bytes) {
        ++messages;
        echo(session, op, bytes);
    }
    void on_ping(std::span<const std::uint8_t>) {}
    void on_pong(std::span<const std::uint8_t>) {}
    void on_close(std::uint16_t, std::string_view) {}
    void on_fail(std::uint16_t) {}
    void send(std::span<const std::uint8_t> bytes) { out->put(bytes); }
};

// The client masks with a fresh key per frame (the session's own generator when the hooks
// give no next_mask) and remembers the last echo it received.
struct ClientHooks {
    Wire* out = nullptr;
    std::span<const std::uint8_t> expected;
    std::size_t echoes = 0;
    std::size_t mismatches = 0;
    std::uint16_t close_code = 0;
    void on_message(Opcode, std::span<const std::uint8_t> bytes) {
        ++echoes;
        if (bytes.size() != expected.size() ||
            (!bytes.empty() && std::memcmp(bytes.data(), expected.data(), bytes.size()) != 0))
            ++mismatches;
    }
    void on_ping(std::span<const std::uint8_t>) {}
    void on_pong(std::span<const std::uint8_t>) {}
    void on_close(std::uint16_t code, std::string_view) { close_code = code; }
    void on_fail(std::uint16_t) { ++mismatches; }
    void send(std::span<const std::uint8_t> bytes) { out->put(bytes); }
};

std::span<const std::uint8_t> bytes_of(const char* p, std::size_t n) {
    return {reinterpret_cast<const std::uint8_t*>(p), n};
}

// The opening handshake, both roles, in caller memory. Returns true when both ends agree.
bool handshake() {
    static char request[512];
    static char response[512];
    static HttpHeader headers[32];
    const std::uint8_t nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    std::array<char, 24> key{};
    const std::size_t request_size =
        write_client_request("codec.example", "/echo", nonce, {}, request, key);
    if (request_size == 0) return false;

    HttpRequestParser parser;
    HttpRequest parsed;
    const HeadResult head = parser.parse_head(bytes_of(request, request_size), headers, parsed);
    if (head.status != ParseStatus::done || head.consumed != request_size) return false;
    const HandshakeDecision decision = evaluate_upgrade(parsed, HandshakePolicy{});
    if (decision.status != 101) return false;
    const std::size_t response_size = write_handshake_response(decision, response);
    if (response_size == 0) return false;

    HttpResponseParser client_parser;
    HttpResponse reply;
    const HeadResult r = client_parser.parse_head(bytes_of(response, response_size), headers, reply);
    return r.status == ParseStatus::done &&
           check_server_response(reply, std::string_view(key.data(), key.size())) == ServerResponseCheck::ok;
}

// Payload i: a size from 0 to 3000 bytes, text (ASCII and two-byte letters) or binary.
std::size_t make_payload(std::size_t i, std::uint8_t* out, Opcode& op) {
    const std::size_t size = (i * 7919) % 3001;
    op = i % 3 == 0 ? Opcode::binary : Opcode::text;
    if (op == Opcode::binary) {
        for (std::size_t k = 0; k < size; ++k) out[k] = static_cast<std::uint8_t>(k * 31 + i);
        return size;
    }
    std::size_t n = 0;
    while (n + 2 <= size) {  // "é" then a letter, alternately
        if ((n / 2) % 2 == 0) {
            out[n++] = 0xC3;
            out[n++] = 0xA9;
        } else {
            out[n] = static_cast<std::uint8_t>('a' + (n + i) % 26);
            out[n + 1] = ' ';
            n += 2;
        }
    }
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    const long requested = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 20000;
    const std::size_t messages = requested > 100 ? static_cast<std::size_t>(requested) : 100;

    report(handshake(), "the upgrade request parses, is answered 101, and the client accepts the answer");

    static Wire to_server, to_client;
    ServerHooks server_hooks;
    server_hooks.out = &to_client;
    ClientHooks client_hooks;
    client_hooks.out = &to_server;
    WsSession<ServerHooks> server(Role::server, WsLimits{}, server_hooks);
    server_hooks.session = &server;
    server_hooks.echo = [](void* session, Opcode op, std::span<const std::uint8_t> bytes) {
        static_cast<WsSession<ServerHooks>*>(session)->send_message(op, bytes);
    };
    WsSession<ClientHooks> client(Role::client, WsLimits{}, client_hooks);

    static std::uint8_t payload[4096];
    const std::size_t warm_up = 100;
    std::size_t allocations_at_warm = 0;
    for (std::size_t i = 0; i < messages; ++i) {
        if (i == warm_up) allocations_at_warm = g_allocations;
        Opcode op = Opcode::text;
        const std::size_t n = make_payload(i, payload, op);
        client_hooks.expected = std::span<const std::uint8_t>(payload, n);
        client.send_message(op, client_hooks.expected);
        server.feed(to_server.take());   // unmasks in place, validates, echoes
        client.feed(to_client.take());   // reads the unmasked echo, compares
    }
    const std::size_t steady = g_allocations - allocations_at_warm;
    report(server_hooks.messages == messages && client_hooks.echoes == messages && client_hooks.mismatches == 0 &&
               !to_server.overflow && !to_client.overflow,
           "every message comes back byte for byte (text and binary, 0-3000 bytes, random masks)");
    // The total is never 0 (stdio allocates its buffer at the first printf): proof that
    // the count sees the C library's allocations too.
    std::printf("INFO codec: %zu messages, %zu allocations after a warm-up of %zu (%zu in the whole run)\n",
                messages, steady, warm_up, g_allocations);
    report(steady == 0, "zero heap allocations per message after warm-up");

    client.send_close(kCloseNormal, "done");
    server.feed(to_server.take());
    client.feed(to_client.take());
    report(server.close_handshake_complete() && client.close_handshake_complete() &&
               client_hooks.close_code == kCloseNormal,
           "the close handshake completes on both ends (1000 echoed)");
    return g_failures == 0 ? 0 : 1;
}
