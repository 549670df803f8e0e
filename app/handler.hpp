// app/handler.hpp — the three ways to handle a route: callbacks (WebSocket), a coroutine
// (WebSocket and plain HTTP) and a plain HTTP function. Server's route() and http() take them.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "app/message.hpp"
#include "app/task.hpp"
#include "app/upgrade.hpp"

namespace sluice {

// The callback style, for the hot path; set the members you need with designated
// initialisers. Every member may be empty.
struct WsCallbacks {   // Every member `{}`: designated initialisers that omit any stay warning-free (g++).
    // Decides before the 101 (app/upgrade.hpp).
    UpgradeCallback on_upgrade{};
    std::function<void(Context&)> on_open{};                            // after the 101 is queued
    std::function<void(Context&, const Message&)> on_message{};         // message bytes valid during the call
    std::function<void(Context&)> on_drain{};                           // output queue fell back under max_backpressure
    // Control frames (RFC 6455 §5.5.2, §5.5.3): a ping after the server queued its pong; a pong
    // (the answer to a keep-alive ping, or unsolicited). Payload valid during the call.
    std::function<void(Context&, std::span<const std::uint8_t> payload)> on_ping{};
    std::function<void(Context&, std::span<const std::uint8_t> payload)> on_pong{};
    // A publish to `topic` this subscriber missed: its queue was over max_backpressure. The
    // app can close it or resynchronise it (counted in sluice_publishes_missed_total too).
    std::function<void(Context&, std::string_view topic)> on_dropped{};
    std::function<void(Context&, std::uint16_t code, std::string_view reason)> on_close{};  // once; 1006 if no close frame
    // The upgrade request's header fields a handler may still read after on_open (any case).
    // Every other field is dropped when on_open returns, so an idle connection keeps no copy
    // of its handshake; the peer, subprotocol, method, target, path, query and params stay.
    std::vector<std::string> keep_headers{};
};

// A coroutine handler: called once per WebSocket (after the upgrade) and once per plain
// HTTP request to its route (ctx.is_websocket() tells which).
using Handler = std::function<Task(Context&)>;
// What a coroutine route may add: Server::route(path, handler, {.on_upgrade = check}).
struct RouteOptions {
    std::vector<std::string> subprotocols{};   // preference order (RFC 6455 §4.2.2), as route(path, h, list)
    UpgradeTask on_upgrade{};                  // decides before the 101, may co_await (app/upgrade.hpp)
};

// A plain HTTP handler: must respond (or begin a stream) before returning, or the server
// answers 500.
using HttpHandler = std::function<void(Context&)>;

}  // namespace sluice
