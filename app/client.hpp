// app/client.hpp — outgoing WebSocket connections: Server::connect (on a server's reactor)
// and ClientLoop (a program that only connects out).
//
//   sluice::Task feed(sluice::Context& ctx) {                 // the same Context conversation
//       co_await ctx.send("subscribe BTC-USD");               // as a server-side handler
//       while (auto m = co_await ctx.receive()) ctx.publish("ticks", m->text());
//   }
//   server.connect("ws://feed.example:9000/v1?depth=5", {.subprotocols = {"feed.v1"}}, feed);
//
//   sluice::ClientLoop loop;                                  // no server: a client program
//   loop.connect("ws://127.0.0.1:60000/chat", {}, sluice::WsCallbacks{.on_message = ...});
//   return loop.run();                                        // returns when every client ended
//
// A connection goes: resolve (getaddrinfo on a helper thread, posted back; an IP literal at
// once) -> TCP connect (each address in turn, IPv6 and IPv4) -> the opening handshake (RFC
// 6455 §4.1) -> the conversation, served by the same connection code as the server's side
// (callbacks or a coroutine, ping answers, idle pings, the close handshake) in the client
// role: every frame masked with a fresh key (§5.3), a masked frame from the server fails the
// connection with 1002 (§5.1), and TCP is closed only after the server closes it (§7.1.1),
// or close_timeout after the close handshake.
//
// What a connection takes from the Server's settings: idle_timeout, message_timeout,
// close_timeout, max_backpressure, output_block_size, nodelay; the rest are ClientOptions.
//
// A client connection counts in Server::connection_count() like an accepted one.
//
// Threads: connect() may be called from any thread, before start()/run() too (the
// connection then starts with the server). The connection lives on the calling thread's
// worker when called from a server thread, else on thread 0; its handler runs there.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "app/handler.hpp"
#include "app/server.hpp"

namespace sluice {

// Why a connection attempt failed before the conversation opened (or why it can't start).
struct ClientError {
    enum class Kind : std::uint8_t {
        url,          // not a ws:// URL we can use (wss:// included: TLS is not spoken here)
        options,      // a header, subprotocol or origin that cannot be sent
        resolve,      // the host name did not resolve
        connect,      // every address refused or failed (the last errno's text)
        timeout,      // connect_timeout or handshake_timeout passed
        status,       // the server answered with a status other than 101 (RFC 6455 §4.1 item 1)
        handshake,    // a 101 that breaks a §4.1 rule (accept, upgrade, extension, subprotocol)
        closed,       // the server closed (or reset) the connection during the handshake
    };
    Kind kind = Kind::url;
    std::string message;   // one sentence, naming the URL and the rule or cause
    int status = 0;        // Kind::status: the server's status code
    std::string body;      // Kind::status: the first bytes of its body (at most kErrorBodyBytes)
    static constexpr std::size_t kErrorBodyBytes = 256;
};

// Told before each reconnection attempt; on_reconnect returns false to give up.
struct ReconnectAttempt {
    unsigned attempt = 1;                  // 1 for the first retry after a failure or an end
    std::chrono::milliseconds delay{0};    // how long until it starts (backoff with jitter)
    std::string reason;                    // why the last connection ended or failed
};

// Exponential backoff with jitter: attempt n waits initial_delay * multiplier^(n-1), capped at
// max_delay, minus a random share of up to `jitter` of it (so clients that lost the same
// server do not all return in the same millisecond). Off unless enabled.
struct ReconnectPolicy {
    bool enabled = false;
    std::chrono::milliseconds initial_delay{500};
    std::chrono::milliseconds max_delay{30'000};
    double multiplier = 2.0;
    double jitter = 0.5;                   // 0 = none; 0.5 = each delay in [d/2, d)
    unsigned max_attempts = 0;             // 0 = for ever (until on_reconnect says false)
};

// Every option of one connect(), with its default. Timeouts other than these are the
// Server's settings (see the file comment).
struct ClientOptions {
    std::vector<std::pair<std::string, std::string>> headers;   // extra request fields (name a token)
    std::vector<std::string> subprotocols;                       // offered in order (§4.1 item 10)
    std::string origin;                                          // Origin (§4.1 item 8); empty: none
    std::chrono::milliseconds connect_timeout{10'000};    // resolve + TCP connect, per attempt
    std::chrono::milliseconds handshake_timeout{10'000};  // request sent -> the whole 101 received
    std::size_t max_message_size = 16 * 1024 * 1024;      // larger from the server: close 1009
    // permessage-deflate (RFC 7692) is not offered yet: when the server side's lands, its
    // offer goes here (and the dialer's request writer and response check take it), so a
    // server's Sec-WebSocket-Extensions is for now always an extension not offered (§4.1 item 5).
    ReconnectPolicy reconnect;
    // An attempt failed before the conversation opened (the handler is not called for it).
    std::function<void(const ClientError&)> on_error;
    // Before each reconnection attempt (reconnect.enabled); false stops reconnecting.
    std::function<bool(const ReconnectAttempt&)> on_reconnect;
};

// A program without a server: its own loop on the calling thread, for clients only.
class ClientLoop {  // Owns a Server that never listens (its reactor, settings and log).
 public:
    ClientLoop();
    // As Server::connect. "" when started, else the reason nothing will happen.
    std::string connect(std::string_view url, ClientOptions options, Handler handler);
    std::string connect(std::string_view url, ClientOptions options, WsCallbacks callbacks);
    // Runs until every connection has ended and none will reconnect (or SIGINT/SIGTERM:
    // close 1001 to each). 0, or 1 if the loop could not start (logged).
    int run();
    void stop();   // from any thread: close 1001 to each connection, no reconnect
    // Runs `fn` on the loop's thread, from any thread: how another thread hands work to the
    // handlers (a line read from stdin, a value computed elsewhere). False, and `fn` dropped,
    // while the loop is not running. What `fn` throws is logged, never unwound into the loop.
    bool post(std::function<void()> fn);
    // Its timeouts (idle, close, message), max_backpressure and on_log, before run().
    Server& server() noexcept { return server_; }

 private:
    Server server_;
};

}  // namespace sluice
