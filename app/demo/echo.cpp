#include "app/demo/echo.hpp"

#include "app/context.hpp"
#include "app/server.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

Task ws_echo(Context& ctx) {
  if (!ctx.is_websocket()) {
    ctx.respond(426, "/ws is a WebSocket echo endpoint\n");
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
  server.http("*", "/echo", [](Context& ctx) {
    ctx.respond(200, ctx.body(), ctx.header("Content-Type").value_or("application/octet-stream"));
  });
  server.http("GET", "/healthz", [](Context& ctx) { ctx.respond(200, "ok\n"); });
}

}  // namespace sluice::demo
