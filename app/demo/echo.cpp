#include "app/demo/echo.hpp"

#include "app/context.hpp"
#include "app/demo/util.hpp"
#include "app/message.hpp"
#include "app/server.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

Task ws_echo(Context& ctx) {
    if (!ctx.is_websocket()) {
        refuse_plain_http(ctx, "/ws is a WebSocket echo endpoint\n");
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

}  // namespace

void install_echo(Server& server) {
    server.route("/ws", [](Context& ctx) { return ws_echo(ctx); });
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
