// test/vendor/echo_app.cpp — a user's program, built the two ways sluice is vendored: against
// build/amalgamated/ (with -DSLUICE_VENDOR_AMALGAMATED) and against the installed headers and
// libsluice.a. It is the README's API: a coroutine WebSocket echo and a plain HTTP route.
//   echo_app PORT        serves ws://127.0.0.1:PORT/echo and http://127.0.0.1:PORT/hello
#if defined(SLUICE_VENDOR_AMALGAMATED)
#include "sluice.hpp"
#else
#include "app/server.hpp"
#endif

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

sluice::Task echo(sluice::Context& ctx) {
    if (!ctx.is_websocket()) {
        ctx.respond(426, "/echo is a WebSocket echo\n");
        co_return;
    }
    while (auto message = co_await ctx.receive()) {    // empty when the client is gone
        if (message->is_text()) {
            co_await ctx.send(message->text());
        } else {
            co_await ctx.send_binary(message->bytes());
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const long port = argc == 2 ? std::strtol(argv[1], nullptr, 10) : 0;
    if (port <= 0 || port > 65535) {
        std::fprintf(stderr, "usage: echo_app PORT\n");
        return 2;
    }
    sluice::Server server;
    server.host("127.0.0.1").port(static_cast<std::uint16_t>(port));
    server.route("/echo", echo);
    server.http("GET", "/hello", [](sluice::Context& ctx) { ctx.respond(200, "hello from sluice\n"); });
    return server.run();                                // until SIGINT/SIGTERM
}
