// app/detail/handler_adapter.hpp — one interface for every way a route is handled.
//
//   route kind (Server::)      adapter file                serves
//   route(path, WsCallbacks)   callback_adapter.hpp        a WebSocket: on_open / on_message / on_drain / on_close
//   route(path, Handler)       coroutine_adapter.hpp       a WebSocket conversation, or one HTTP request
//   http(method, path, fn)     http_adapter.hpp            one HTTP request
//
// A RouteTarget (what a router target id means) makes its adapter once per HTTP request and
// once per WebSocket: in place, in the connection's adapter storage (kAdapterStorage bytes, no
// allocation), when it fits -- a callback or HTTP route's (a vtable and a pointer) -- else in
// its own block (a coroutine route's, which allocates a frame anyway): every idle connection
// carries the storage, so it is sized for the small ones. The connection calls the adapter and never asks which kind of route
// it serves; a new kind of route is a new adapter file beside these. Each call is one virtual
// dispatch: a WebSocket message costs exactly one.
//
// Exceptions: an adapter lets what a handler throws escape; the connection catches it in
// one place (Connection::call_handler), logs it and answers (500, or close 1011).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/upgrade.hpp"

namespace sluice::detail {

class Connection;

class HandlerAdapter {  // Lives in its connection's adapter storage or its own block; the connection destroys it.
 public:
    HandlerAdapter() = default;
    HandlerAdapter(const HandlerAdapter&) = delete;
    HandlerAdapter& operator=(const HandlerAdapter&) = delete;
    virtual ~HandlerAdapter() = default;

    // Each call has a default that does nothing: an adapter overrides what its kind serves.
    // ---- plain HTTP: one complete request to this route ----
    // Runs the handler until it answers, returns or suspends.
    virtual void on_request(Connection&) {}
    // The exchange may have moved on (the handler returned, a coroutine resumed): once the
    // handler has finished, answer what it left unanswered (500, 426) or end its stream.
    virtual void settle_request(Connection&) {}

    // ---- WebSocket: after the 101 ----
    virtual void on_open(Connection&) {}
    // A whole message; `bytes` is a view valid only during the call.
    virtual void on_message(Connection&, bool /*text*/, std::span<const std::uint8_t> /*bytes*/) {}
    // The output queue fell back under max_backpressure (WebSocket, or an HTTP stream).
    virtual void on_drain(Connection&) {}
    // Our close frame went out: a sender waiting for the drain learns it is closed.
    virtual void on_closing(Connection&) {}
    // A ping (already answered) or a pong arrived.
    virtual void on_control(Connection&, bool /*ping*/, std::span<const std::uint8_t> /*payload*/) {}
    // A publish to `topic` was not queued: the subscriber is over max_backpressure.
    virtual void on_dropped(Connection&, std::string_view /*topic*/) {}
    // The conversation ended (called once): the peer's close, a failure, or the socket's end.
    virtual void on_close(Connection&, std::uint16_t /*code*/, std::string_view /*reason*/) {}
};

// Room for a callback or HTTP route's adapter, inside the connection; a larger one is allocated.
inline constexpr std::size_t kAdapterStorage = 2 * sizeof(void*);

class RouteTarget {  // What a router target id means. Owned by ServerState; read-only once started.
 public:
    virtual ~RouteTarget() = default;
    // Makes this route's adapter in `storage` (kAdapterStorage bytes, pointer-aligned) when it
    // fits, else with new: the caller deletes a result that is not `storage`.
    virtual HandlerAdapter* make_adapter(void* storage) const = 0;

    std::vector<std::string> subprotocols;
    std::vector<std::string_view> subprotocol_views;   // into subprotocols
    // A push route (Server::sse / Server::poll): the connection opens it before the handler.
    enum class Push : std::uint8_t { none, sse, poll };
    Push push = Push::none;
    UpgradeTask upgrade_hook;                          // empty: none (app/detail/upgrade_gate.hpp)
    // A callback route (WsCallbacks::keep_headers): after on_open the request copy keeps only
    // these header fields (RequestCopy::retain); a coroutine may read it all, any time.
    bool trims_request = false;
    std::vector<std::string> kept_headers;
    // ... and the peer's address only when its on_close may ask for it (the socket, reset by
    // then, could not tell); otherwise peer() asks the socket (getpeername) when needed.
    bool trim_keeps_peer = true;
};

// A route whose handler is one value of type Fn, served by `Adapter(const Fn&)`: every route
// kind is one of these (callback_adapter.hpp, coroutine_adapter.hpp, http_adapter.hpp).
template <class Adapter, class Fn>
class RouteOf final : public RouteTarget {  // Owns the handler; its adapters point to it.
 public:
    explicit RouteOf(Fn fn) : fn_(std::move(fn)) {}
    HandlerAdapter* make_adapter(void* storage) const override {
        if constexpr (sizeof(Adapter) <= kAdapterStorage && alignof(Adapter) <= alignof(void*)) {
            return ::new (storage) Adapter(fn_);
        } else {
            return new Adapter(fn_);
        }
    }

 private:
    Fn fn_;
};

}  // namespace sluice::detail
