// app/demo/demo.hpp — the demo server's applications, installed on a Server in one call.
//
//   sluice::Server server;
//   sluice::demo::install(server, {.web_root = "app/web"});
//   return server.run();
//
// main.cpp parses the flags and calls install(); the tests call install() on a Server
// bound to port 0. Every application is a plain class first (testable without a server,
// see the headers beside this one) plus a thin route that connects it to a Context.
//
//   route        what it is                                  plain class (file)
//   /ws          echo for conformance suites                 -            (echo.*)
//   /echo        HTTP: any method, body echoed               -            (echo.*)
//   /healthz     HTTP: 200 "ok"                              -            (echo.*)
//   /chat        chat room, welcome + join/leave             ChatRoom     (chat.*)
//   /data        JSON sample every data_interval             DataStream   (data_stream.*)
//   /multiplex   typed JSON: chat, command, ping             Multiplexer  (multiplex.*)
//   /broadcast   group channel with client ids               -            (broadcast.*)
//   /game        shared board, every player sees every move  GameBoard    (game.*)
//   /trading     ONE market generator, fanned out by pub/sub MarketFeed   (trading.*)
//   /collab      server-ordered, versioned shared text       Document     (collab.*)
//   /resilient   heartbeats + validation replies             validate_message (resilient.*)
//   /sse/<t>     chat, data, trading over SSE                 TopicTicker  (transports.*)
//   /poll/<t>    the same over long-polling (chat: history)   TopicTicker  (transports.*)
//   /publish/<t> POST a chat message (data, trading: 403)     -            (transports.*)
//   /private     echo after an upgrade hook's check (401)    private_echo_authorised (private_echo.*)
//   /, /*.html   the pages under web_root                    StaticFiles  (app/static_files.*)
//
// A plain GET (no upgrade) to a WebSocket route with a page (/chat, /data, /trading,
// /collab, /game) answers with that page, so http://host:port/chat opens the chat client.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
class Server;
class RedisBroker;
}

namespace sluice::demo {

struct DemoOptions {
    std::string web_root = "app/web";                      // folder of the HTML/CSS/JS pages
    std::chrono::milliseconds data_interval{100};          // /data sample period
    std::chrono::milliseconds trading_interval{50};        // /trading generator period
    std::chrono::milliseconds heartbeat_interval{30'000};  // /resilient heartbeat period
    std::size_t resilient_max_bytes = 1024;                // /resilient: longer is an error
    std::shared_ptr<RedisBroker> redis{};                  // set (--redis): /trading's generator is elected
};

// Adds every demo route (above) to `server`. Call before server.start()/run().
// The shared application state lives in the route handlers, so it lives as long as the server.
void install(Server& server, const DemoOptions& options);

// The demo list as printed by main.cpp: one "path  description" per entry.
struct DemoEntry {
    std::string_view path;
    std::string_view description;
};
const std::vector<DemoEntry>& demo_list();

}  // namespace sluice::demo
