// app/server.hpp — the engine: chained settings, routes, run()/start()/stop(), publish.
//
//   sluice::Server server;
//   server.host("127.0.0.1").port(60000).nodelay(true).linger(false).ws_buffer_size(4096);
//   server.route("/chat", chat);                               // coroutine: WebSocket + HTTP
//   server.route("/echo-fast", {.on_message = [](sluice::Context& c, const sluice::Message& m) {
//                                    c.send_now(m.text()); }});  // callbacks: WebSocket only
//   server.http("GET", "/healthz", [](sluice::Context& c) { c.respond(200, "ok"); });
//   return server.run();
//
// Routes (app/router.hpp): static segments beat parameters (`/room/:id`) beat a trailing
// wildcard (`/static/*`). A path with no route gets 404; a path whose route does not serve
// the method gets 405 with Allow (RFC 9110 §15.5.6). A WebSocket upgrade to a path with no
// WebSocket handler gets 404. A plain HTTP request to a WebSocket-only route, or to a
// coroutine route whose handler returns without responding, gets 426 Upgrade Required
// (RFC 9110 §15.5.22) with `Upgrade: websocket`.
//
// Timeouts, each a setting (defaults below):
//   handshake_timeout  accept -> first request head complete (no request at all, or a
//                      never-finished one, on a fresh connection) -> close (408 if a byte came)
//   header_timeout     first byte of a request head -> head complete; NOT reset by a trickle
//                      -> 408 Request Timeout and close
//   idle_timeout       keep-alive HTTP: between requests -> close
//   ping_interval      WebSocket: a ping this often whatever the traffic (a proxy's read
//                      timeout always sees a byte from us; a browser answers pings, so a
//                      listening page stays connected)
//   pong_timeout       WebSocket: no byte at all within this of a ping -> close 1001
//   body_timeout       end of a request head -> its whole body received (Content-Length or
//                      chunked); NOT reset by a trickle -> 408 Request Timeout and close
//   response_timeout   request complete -> the handler responds or begins a stream
//                      -> 503 Service Unavailable and close (a stream, once begun, is
//                      bounded by backpressure_timeout: a reader that stops reading)
//   message_timeout    WebSocket: the first byte of a frame (or of a fragmented message) ->
//                      the message complete; NOT reset by a trickle -> close 1008 (a peer
//                      that trickles a frame a byte a second would otherwise hold the
//                      connection for ever, each byte resetting idle_timeout)
//   close_timeout      we sent a close frame (or are draining a failed connection) and the
//                      peer neither answered nor hung up -> the socket is closed
//   backpressure_timeout  a WebSocket whose output queue stays over max_backpressure this
//                      long is closed with 1008 (policy violation, RFC 6455 §7.4.1), an HTTP
//                      stream is closed: a peer that does not read is not waited for forever. (The close frame
//                      itself may never reach such a peer; close_timeout then ends the socket.)
//   shutdown_timeout   graceful shutdown: how long peers get to finish after close 1001
//
// Threads: threads(n) starts n reactors sharing nothing, each with its own listener
// (SO_REUSEPORT when n > 1). A connection stays on the thread that accepted it. publish()
// reaches subscribers on every thread: each thread encodes the frame once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "app/context.hpp"
#include "app/handler.hpp"
#include "app/message.hpp"
#include "app/settings.hpp"
#include "app/task.hpp"

namespace sluice {

class Broker;

struct ClientOptions;
class ClientLoop;
namespace detail {
class ServerState;
class RouteTarget;
}

class Server {  // Owns its reactors (one per thread), listeners, connections, routes and topics.
 public:
    Server();
    ~Server();   // stops and joins if still running
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // ---- settings (before start()/run()) ----
    Server& host(std::string h);
    Server& port(std::uint16_t p);
    Server& nodelay(bool on);
    // linger(false), the default: SO_LINGER off, the kernel's graceful close (FIN after
    // the queued bytes). linger(true): SO_LINGER {on, 0 s}, an abortive close (RST) that
    // frees the socket at once and drops what the kernel still holds — for load tests that
    // churn connections. Either way sluice writes its own queue out before closing.
    Server& linger(bool on);
    Server& output_block_size(std::size_t bytes);
    Server& ws_buffer_size(std::size_t bytes);   // the seed's name: an alias of output_block_size
    Server& http_buffer_size(std::size_t bytes);
    Server& max_request_line(std::size_t bytes);
    Server& max_headers(std::size_t n);
    Server& max_body_size(std::size_t bytes);
    Server& max_message_size(std::size_t bytes);
    Server& max_frame_size(std::size_t bytes);
    Server& max_backpressure(std::size_t bytes);
    Server& max_memory(std::size_t bytes);   // app/detail/memory_budget.hpp
    Server& idle_timeout(std::chrono::milliseconds t);
    Server& handshake_timeout(std::chrono::milliseconds t);
    Server& header_timeout(std::chrono::milliseconds t);
    Server& body_timeout(std::chrono::milliseconds t);
    Server& response_timeout(std::chrono::milliseconds t);
    Server& message_timeout(std::chrono::milliseconds t);
    Server& close_timeout(std::chrono::milliseconds t);
    Server& backpressure_timeout(std::chrono::milliseconds t);
    Server& shutdown_timeout(std::chrono::milliseconds t);
    Server& sse_heartbeat(std::chrono::milliseconds t);   // a comment on every SSE stream this often
    Server& poll_timeout(std::chrono::milliseconds t);    // a held long-poll is answered empty after this
    // Keeps a bounded history of `topic` (and numbers its messages: ids "<epoch>:<seq>"),
    // so that SSE, long-poll and WebSocket (?since=) clients coming back get what they missed.
    Server& topic_history(std::string_view topic, TopicHistoryLimits limits = {});
    Server& max_connections(std::size_t n);
    // Over it, a new connection from the same IP address is closed at once, before a byte is
    // read (as max_connections): a 429 would mean reading and answering the very peer being shed.
    Server& max_connections_per_address(std::size_t n);
    Server& ping_interval(std::chrono::milliseconds t);
    Server& pong_timeout(std::chrono::milliseconds t);
    Server& access_log(Settings::AccessLog mode);
    Server& access_log_sample(unsigned one_in);   // with AccessLog::sampled: 1 line in this many
    Server& connection_log(bool on);   // false: no "open #", "upgrade #", "close #" lines
    Server& allowed_origins(std::vector<std::string> origins);
    // Proxies whose forwarding fields set peer_address() and scheme() (app/trusted_proxies.hpp).
    Server& trusted_proxies(std::vector<std::string> addresses_or_ranges);
    Server& threads(unsigned n);
    // permessage-deflate (RFC 7692) for every WebSocket route (Compression in settings.hpp:
    // on by default, shared memory mode), or for the WebSocket route with the pattern `path`
    // (resolved at start; validate() names a path that has none).
    Server& compression(Compression c);
    Server& compression(std::string_view path, Compression c);
    // Joins this server's topics to other processes' (app/broker.hpp, app/redis_broker.hpp):
    // started and stopped with the server; its settings are checked by validate().
    Server& broker(std::shared_ptr<Broker> b);
    Broker* broker() const noexcept;   // null without one (metrics read broker()->stats())
    const Settings& settings() const noexcept { return settings_; }

    // ---- routes ----
    // Coroutine route: WebSocket upgrade AND plain HTTP (any method).
    Server& route(std::string_view path, Handler h);
    Server& route(std::string_view path, Handler h, std::vector<std::string> subprotocols);
    // With an upgrade hook (app/upgrade.hpp) and/or subprotocols: {.on_upgrade = check}.
    Server& route(std::string_view path, Handler h, RouteOptions options);
    // Callback route: WebSocket only (callbacks.on_upgrade, if set, decides before the 101).
    // The request: whole in on_upgrade and on_open; after on_open returns the connection keeps
    // the subprotocol, method, target, path, query and params, and only the header fields
    // named in callbacks.keep_headers (an idle WebSocket keeps no copy of its handshake); the
    // peer's address too if callbacks.on_close is set, else peer_address() asks the socket.
    // A coroutine route keeps the whole request: its handler may read it at any time.
    Server& route(std::string_view path, WsCallbacks callbacks);
    Server& route(std::string_view path, WsCallbacks callbacks, std::vector<std::string> subprotocols);
    // Plain HTTP for one method ("*" = any). GET also answers HEAD (body suppressed).
    Server& http(std::string_view method, std::string_view path, HttpHandler fn);
    // Server-Sent Events at GET `path` (both handler styles). Before the handler runs, the
    // request is checked (Accept must allow text/event-stream: else 406; a Last-Event-ID or
    // ?lastEventId= that is not "<epoch>:<seq>": 400) and the stream begun: 200,
    // text/event-stream, Cache-Control: no-cache, X-Accel-Buffering: no, chunked (HTTP/1.0:
    // close-delimited). The handler subscribes the context to topics (ctx.subscribe: a
    // resuming client first gets what it missed, or `event: reset`) and/or sends its own
    // events (ctx.send_event; `co_await ctx.send(text)` sends a data-only event). The stream
    // stays open after the handler returns, until the client leaves, ctx.end_stream() or
    // shutdown; a comment every sse_heartbeat.
    Server& sse(std::string_view path, HttpHandler fn);
    Server& sse(std::string_view path, Handler fn);
    template <class F>
    Server& sse(std::string_view path, F fn) {
        if constexpr (std::is_same_v<std::invoke_result_t<F&, Context&>, Task>) return sse(path, Handler(std::move(fn)));
        else return sse(path, HttpHandler(std::move(fn)));
    }
    // Long-polling at `path`: GET and POST (both handler styles). GET: the handler subscribes
    // the context to a topic; if it does not answer, the request is held until a message is
    // published there (or poll_timeout passes), then answered 200 application/json
    //   {"epoch":"<e>","messages":[{"id":"<e>:<seq>","data":"<text>"}],"reset":false}
    // ?since=<e>:<seq> answers at once with what came after it if anything (from the topic's
    // history; "reset":true if it does not reach back), else holds; ?wait=0 answers at once.
    // A since that is not an id: 400. POST: the client's message in ctx.body(); 204 if the
    // handler does not answer.
    Server& poll(std::string_view path, HttpHandler fn);
    Server& poll(std::string_view path, Handler fn);
    template <class F>
    Server& poll(std::string_view path, F fn) {
        if constexpr (std::is_same_v<std::invoke_result_t<F&, Context&>, Task>) return poll(path, Handler(std::move(fn)));
        else return poll(path, HttpHandler(std::move(fn)));
    }
    // ---- outgoing WebSocket connections (app/client.hpp) ----
    // Connects to a ws:// URL from this server's reactor; the handler converses as a route's
    // does. "" when under way, else why it cannot start (a bad URL, wss://, a header that
    // cannot be sent). Any thread; before start()/run() it starts with the server.
    std::string connect(std::string_view url, ClientOptions options, Handler handler);
    std::string connect(std::string_view url, ClientOptions options, WsCallbacks callbacks);
    // One line per connection open and close (and start-up/shutdown notes). Called on the
    // connection's thread; with threads(n > 1) from several threads at once.
    Server& on_log(std::function<void(std::string_view line)> fn);
    // GET `path` answers the Prometheus text exposition (version 0.0.4) of every thread's
    // counters summed (names and meanings: app/detail/metrics.cpp, README "Metrics").
    Server& metrics(std::string_view path);

    // "" if the settings and routes are valid, else one clear sentence naming the problem.
    std::string validate() const;

    // Serves until SIGINT/SIGTERM (or stop()), then shuts down gracefully: stop accepting,
    // close 1001 to every WebSocket, finish in-flight HTTP responses, wait up to
    // shutdown_timeout, return 0. A second signal exits the process at once (status 1).
    // Returns 1 (after logging why) if validate() fails or the port cannot be bound.
    int run();
    // Non-blocking start on background threads (tests). False (see last_error()) on failure.
    bool start();
    std::uint16_t bound_port() const;   // after start(): the port actually bound
    // Begins the graceful shutdown and waits for it (from any thread but a server thread,
    // where it only begins it). Idempotent.
    void stop();
    bool running() const;
    std::string last_error() const;

    // Publishes to every subscriber of `topic` on every thread. Safe from any thread (e.g. a
    // market-data generator thread); from a server thread the local subscribers get it at once.
    // On a topic with a history (topic_history) every thread, this one included, gets it
    // through its queue, in the topic's order.
    // A no-op while the server is not running. A subscriber whose queue is over
    // max_backpressure misses the message (a slow reader never holds up the others).
    void publish(std::string_view topic, std::string_view text);
    void publish_binary(std::string_view topic, std::span<const std::uint8_t> bytes);

    // Connections open right now (all threads), the count max_connections limits. One that
    // has begun closing (its close handshake done or its answer's close, waiting only for
    // the peer's FIN, at most close_timeout) no longer counts: the peer is gone from it.
    std::size_t connection_count() const;

 private:
    friend class detail::Connection;
    friend class ClientLoop;   // a Server that never listens
    bool start_workers();
    Server& push_route(std::string_view path, std::unique_ptr<detail::RouteTarget> target, bool poll);
    // from_broker: it came from another node, so it is delivered here and not published again.
    void publish_frame(std::string_view topic, bool text, std::span<const std::uint8_t> payload,
                       bool from_broker = false);
    Settings settings_;
    std::unique_ptr<detail::ServerState> state_;
};

}  // namespace sluice
