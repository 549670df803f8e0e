#include "app/demo/echo.hpp"

#include "app/context.hpp"
#include "app/demo/util.hpp"
#include "app/message.hpp"
#include "app/server.hpp"
#include "app/task.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::demo {
namespace {

// The coroutine echo (/ws-co, /ws-takeover, /ws-plain): also answers a plain GET.
Task ws_echo(Context& ctx) {
    if (!ctx.is_websocket()) {
        refuse_plain_http(ctx, "/ws-co is a WebSocket echo endpoint\n");
        co_return;
    }
    while (auto message = co_await ctx.receive()) {
        if (message->is_text()) {
            co_await ctx.send(message->text());
        } else {
            co_await ctx.send_binary(message->bytes());
        }
    }
}

// The callback echo (/ws): an idle connection keeps no coroutine frame. A send refused over
// max_backpressure is kept (with every later message of the same read) and reading stops
// until on_drain sends them: nothing is lost, and what is kept is at most one read's worth.
struct EchoBacklog {   // the connection's user data, made on the first refused send only
    std::deque<std::pair<bool, std::string>> messages;   // (text, payload), oldest first
};

SendResult echo_one(Context& ctx, bool text, std::string_view payload) {
    return text ? ctx.send_now(payload)
                : ctx.send_binary_now({reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
}

WsCallbacks callback_echo() {
    return WsCallbacks{.on_upgrade = {},
                       .on_open = {},
                       .on_message =
                           [](Context& ctx, const Message& m) {
                               const std::string_view payload = m.text();   // binary too: the same bytes
                               if (echo_one(ctx, m.is_text(), payload) != SendResult::dropped) return;
                               ctx.data<EchoBacklog>().messages.emplace_back(m.is_text(), payload);
                               ctx.hold_reading(true);
                           },
                       .on_drain =
                           [](Context& ctx) {
                               auto& backlog = ctx.data<EchoBacklog>().messages;
                               while (!backlog.empty()) {
                                   if (echo_one(ctx, backlog.front().first, backlog.front().second) ==
                                       SendResult::dropped)
                                       return;
                                   backlog.pop_front();
                               }
                               ctx.hold_reading(false);
                           },
                       .on_ping = {},
                       .on_pong = {},
                       .on_dropped = {},
                       .on_close = {}};
}

}  // namespace

void install_echo(Server& server) {
    server.route("/ws", callback_echo());
    server.route("/ws-co", [](Context& ctx) { return ws_echo(ctx); });   // the same echo as a coroutine
    // The same echo with permessage-deflate context takeover (each connection keeps its
    // window): Autobahn's group 13 in test/conformance runs against it.
    server.route("/ws-takeover", [](Context& ctx) { return ws_echo(ctx); });
    server.compression("/ws-takeover", Compression{.memory = Compression::Memory::dedicated});
    // ... and without permessage-deflate (declined when offered): bench-load's "deflate off".
    server.route("/ws-plain", [](Context& ctx) { return ws_echo(ctx); });
    server.compression("/ws-plain", Compression{.enabled = false});
    server.http("*", "/echo", [](Context& ctx) {
        ctx.respond(200, ctx.body(), ctx.header("Content-Type").value_or("application/octet-stream"));
    });
    server.http("GET", "/healthz", [](Context& ctx) { ctx.respond(200, "ok\n"); });
    // Fan-out for load tests (perf/wsload --mode fanout): every member subscribes, and each
    // message is published verbatim to all of them, the sender included.
    server.route("/fanout", WsCallbacks{.on_open = [](Context& ctx) { ctx.subscribe("fanout"); },
                                        .on_message =
                                            [](Context& ctx, const Message& m) {
                                                if (m.is_text()) {
                                                    ctx.publish("fanout", m.text());
                                                } else {
                                                    ctx.publish_binary("fanout", m.bytes());
                                                }
                                            },
                                        .on_drain = {},
                                        .on_ping = {}, .on_pong = {}, .on_dropped = {}, .on_close = {}});
}

}  // namespace sluice::demo
