// app/context.hpp — what a handler sees of its connection: the request, the response, the
// WebSocket conversation, pub/sub, timers and per-connection data.
//
// One Context per connection. On a keep-alive HTTP connection the same Context serves one
// request after another (request views are replaced for each); on a WebSocket it lives
// from the upgrade to the close. Its request view (the upgrade request) stays valid for all
// that time on a coroutine route; on a callback route, after on_open returns, it keeps the
// peer, subprotocol, method, target, path, query and route params, and of the header fields
// only those named in WsCallbacks::keep_headers (header() answers nullopt for the rest): an
// idle WebSocket keeps no copy of its handshake (app/detail/request_copy.hpp).
// body() and responded() are HTTP's: on a WebSocket they are "" and false.
//
// Threads: a Context belongs to its connection's thread. Call it only from its handler
// (coroutine or callbacks) and from the timers it armed. Server::publish is the call for
// other threads.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/message.hpp"

namespace sluice {

class Server;
class Context;
namespace detail {
class Connection;
class CoroutineAdapter;
}

using TimerId = std::uint64_t;   // 0 is never a valid id

// One Server-Sent Event (Server::sse routes), for Context::send_event. Views only.
struct SseEvent {
    std::string_view data;                 // CR, LF and CRLF split it into data lines
    std::string_view event = {};           // "" = the client's default type, "message"
    std::string_view id = {};              // "" = no id field (the client keeps its last id)
    std::uint32_t retry_ms = 0;            // the client's reconnection delay; 0 = no retry field
};

// `co_await ctx.send(...)`: sends at once when the connection's queue is under
// max_backpressure (await_ready() is then true and nothing suspends); otherwise suspends
// the coroutine until the queue drains under the bound, then sends. Yields the SendResult
// (never `dropped`; `closed` if the connection ended while waiting).
// Does not own the payload: co_await it in the same full expression as the send() call
// (`co_await ctx.send(text)`) so the payload outlives the wait.
class [[nodiscard]] SendAwaitable {
 public:
    bool await_ready() const noexcept { return !deferred_; }
    void await_suspend(std::coroutine_handle<> h) noexcept;
    SendResult await_resume() noexcept;

 private:
    friend class Context;
    enum class Kind : std::uint8_t { text, binary, chunk, event };   // event: an SSE stream's data-only event
    SendAwaitable(const Context& ctx, Kind k, std::span<const std::uint8_t> p) noexcept;
    SendResult send_kind() const noexcept;   // the send itself, by kind
    // One pointer: the awaitable lives in the coroutine's frame, which every idle WebSocket
    // of a coroutine route keeps; its connection and adapter are the Context's.
    const Context* ctx_;
    Kind kind_ = Kind::text;
    std::span<const std::uint8_t> payload_;
    SendResult result_ = SendResult::closed;
    bool deferred_ = false;
};

// `co_await ctx.receive()` -> std::optional<Message>: the next message, or nullopt when the
// peer is gone (closed, failed, timed out) or, for receive_for(), when the timeout passed
// first (then ctx.open() is still true). Message bytes are valid until the next receive().
// On a plain HTTP context it yields nullopt at once.
class [[nodiscard]] ReceiveAwaitable {
 public:
    bool await_ready() noexcept;
    void await_suspend(std::coroutine_handle<> h) noexcept;
    std::optional<Message> await_resume() noexcept;

 private:
    friend class Context;
    ReceiveAwaitable(const Context& ctx, std::chrono::milliseconds timeout, bool has_timeout) noexcept
        : ctx_(&ctx), timeout_(timeout), has_timeout_(has_timeout) {}
    const Context* ctx_;   // its connection, and its adapter's inbox (none: not a coroutine route)
    std::chrono::milliseconds timeout_;
    bool has_timeout_;
};

class Context {  // Owned by its connection (the server); owns the per-connection user data.
 public:
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    ~Context();

    // ---- the request (for a WebSocket: the upgrade request, valid for its whole life) ----
    std::string_view method() const;
    std::string_view path() const;                 // the target's path, not decoded
    std::string_view query() const;                // after '?', empty if none
    std::string_view target() const;               // the request-target as sent
    std::optional<std::string_view> header(std::string_view name) const;   // first, case-insensitive
    std::string_view param(std::string_view name) const;   // "/room/:id" -> param("id"); "" if absent;
                                                           // a trailing "*" is param("*")
    // "127.0.0.1:54321"; from a trusted proxy (Server::trusted_proxies) the client it names,
    // without a port ("203.0.113.7"). A callback WebSocket route without on_close keeps no
    // copy after on_open: the socket is asked, and the view is then valid until the next
    // peer_address() on this thread (copy it to keep it).
    std::string_view peer_address() const;
    // "https" when a trusted proxy said so (X-Forwarded-Proto, Forwarded proto=), else "http".
    std::string_view scheme() const;
    bool is_websocket() const;
    std::string_view subprotocol() const;          // the negotiated Sec-WebSocket-Protocol, or ""
    std::string_view body() const;                 // HTTP request body, whole (decoded if chunked)

    // ---- HTTP response (plain HTTP contexts) ----
    // Sends a whole response with Content-Length. A HEAD request gets the same head
    // without the body (RFC 9110 §9.3.2). The first respond()/begin_stream() wins; later
    // calls are ignored.
    void respond(int status, std::string_view body,
                 std::string_view content_type = "text/plain; charset=utf-8");
    // Adds a response header (before respond()/begin_stream()). Content-Length,
    // Transfer-Encoding, Connection and Date are the server's and are ignored here.
    Context& set_header(std::string_view name, std::string_view value);
    bool responded() const;                        // a response (or stream) was started
    // Streaming response, RFC 9112 §7.1 chunked (close-delimited for an HTTP/1.0 client).
    // Then write_chunk()/`co_await ctx.send(...)` per piece, and end_stream() once.
    void begin_stream(int status, std::string_view content_type = "text/plain; charset=utf-8");
    SendResult write_chunk(std::string_view data);   // an empty chunk is skipped (it would end the body)
    void end_stream();
    // An SSE stream (Server::sse): one event. `closed` if this is no open SSE stream;
    // `dropped` over max_backpressure, or if the id or event holds CR, LF or NUL (nothing sent).
    SendResult send_event(const SseEvent& e);

    // ---- WebSocket ----
    SendAwaitable send(std::string_view text);                       // text message (or a chunk on a stream; an event on SSE)
    SendAwaitable send_binary(std::span<const std::uint8_t> bytes);
    SendResult send_now(std::string_view text);                      // never suspends
    SendResult send_binary_now(std::span<const std::uint8_t> bytes);
    ReceiveAwaitable receive();
    ReceiveAwaitable receive_for(std::chrono::milliseconds timeout);
    // True while messages can still be sent (WebSocket open, or HTTP exchange not closed).
    bool open() const;
    // Starts the closing handshake (RFC 6455 §7.1.2). Codes that may not be sent
    // (§7.4.1: 1005, 1006, 1015, < 1000, ...) are replaced by 1000; the reason is cut at
    // 123 bytes (§5.5: a control frame's payload is at most 125 bytes).
    void close(std::uint16_t code = 1000, std::string_view reason = {});
    void ping(std::span<const std::uint8_t> payload = {});          // cut at 125 bytes
    std::size_t buffered_amount() const;                              // bytes waiting in the output queue
    // WebSocket: stop (true) / resume (false) reading the peer, e.g. a callback route whose
    // sends came back `dropped` until its on_drain. Messages already read are still delivered.
    void hold_reading(bool hold);

    // ---- pub/sub ----
    void subscribe(std::string_view topic);
    void unsubscribe(std::string_view topic);
    bool is_subscribed(std::string_view topic) const;
    // Publishes this subscriber missed because its queue was over max_backpressure (callback
    // routes are also told each time through WsCallbacks::on_dropped; a coroutine checks this
    // count, e.g. after each receive, to resynchronise).
    std::uint64_t missed_publishes() const;
    // To every subscriber of `topic` on every thread, this connection included if it is
    // subscribed. The frame is encoded once per thread and shared by reference.
    void publish(std::string_view topic, std::string_view text);
    void publish_binary(std::string_view topic, std::span<const std::uint8_t> bytes);

    // ---- per-connection user data: created (value-initialised) on first use, destroyed
    // with the connection. Asking for another type replaces it.
    template <class T>
    T& data() {
        if (user_ == nullptr || user_->type != type_key<T>()) {
            drop_user_data();
            auto* box = new TypedBox<T>();
            box->destroy = [](UserBox* b) noexcept { delete static_cast<TypedBox<T>*>(b); };
            box->type = type_key<T>();
            user_ = box;
        }
        return static_cast<TypedBox<T>*>(user_)->value;
    }

    // ---- timers, on this connection's thread; all cancelled when the connection ends ----
    TimerId every(std::chrono::milliseconds interval, std::function<void()> fn);
    TimerId after(std::chrono::milliseconds delay, std::function<void()> fn);
    void cancel(TimerId id);

    Server& server();

 private:
    friend class detail::Connection;
    friend class detail::CoroutineAdapter;
    friend class SendAwaitable;      // they read conn() and co() (one pointer each instead of two)
    friend class ReceiveAwaitable;
    // A base of its connection (detail::Connection): the connection is `this`, cast down,
    // not a pointer kept (context.cpp).
    Context() noexcept = default;
    detail::Connection& conn() const noexcept;
    // The coroutine adapter running this context's Task, if any (set at the Task's start,
    // cleared when the adapter ends): the awaitables go straight to its inbox. It is always
    // the connection's adapter, so the connection keeps a bit, not a pointer (context.cpp).
    void attach(detail::CoroutineAdapter* co) noexcept;
    detail::CoroutineAdapter* co() const noexcept;

    template <class T>
    static const void* type_key() noexcept {
        static const char key = 0;
        return &key;
    }
    // The user data: one allocation, a small header before the value (one pointer here).
    struct UserBox {
        void (*destroy)(UserBox*) noexcept = nullptr;
        const void* type = nullptr;
    };
    template <class T>
    struct TypedBox : UserBox {
        T value{};
    };
    void drop_user_data() noexcept;

    UserBox* user_ = nullptr;
};

}  // namespace sluice
