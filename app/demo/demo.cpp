#include "app/demo/demo.hpp"

#include <memory>

#include "app/context.hpp"
#include "app/demo/broadcast.hpp"
#include "app/demo/chat.hpp"
#include "app/demo/collab.hpp"
#include "app/demo/data_stream.hpp"
#include "app/demo/echo.hpp"
#include "app/demo/game.hpp"
#include "app/demo/multiplex.hpp"
#include "app/demo/private_echo.hpp"
#include "app/demo/resilient.hpp"
#include "app/demo/trading.hpp"
#include "app/demo/transports.hpp"
#include "app/server.hpp"
#include "app/static_files.hpp"

namespace sluice::demo {

void install(Server& server, const DemoOptions& options) {
    auto pages = std::make_shared<const StaticFiles>(options.web_root);
    install_echo(server);
    install_chat(server, pages);
    install_data_stream(server, pages, options.data_interval);
    install_multiplex(server);
    install_broadcast(server);
    install_game(server, pages);
    const auto feed = install_trading(server, pages, options.trading_interval, options.redis);
    install_transports(server, feed, options.data_interval);
    install_collab(server, pages);
    install_resilient(server, options.heartbeat_interval, options.resilient_max_bytes);
    install_private_echo(server);
    server.metrics("/metrics");
    // The pages: "/" is index.html; every other file under web_root by its path.
    server.http("GET", "/", [pages](Context& ctx) { pages->serve(ctx, "/index.html"); });
    server.http("GET", "/*", [pages](Context& ctx) { pages->serve(ctx, ctx.path()); });
}

const std::vector<DemoEntry>& demo_list() {
    static const std::vector<DemoEntry> kList = {
        {"/", "index page linking every demo (HTTP)"},
        {"/ws", "WebSocket echo for conformance suites (text and binary, up to 16 MiB; callbacks)"},
        {"/ws-co", "the same echo as a coroutine (also answers a plain GET 426)"},
        {"/ws-takeover", "the same echo, permessage-deflate with context takeover (dedicated memory)"},
        {"/ws-plain", "the same echo, permessage-deflate declined"},
        {"/chat", "chat room: welcome, join/leave notices, every message to every member (page: /chat)"},
        {"/data", "live JSON samples every 100 ms (page: /data draws them on a canvas)"},
        {"/multiplex", "typed JSON: chat, command (status, time, memory), ping"},
        {"/broadcast", "group channel with client ids and join/leave events"},
        {"/game", "shared board: players move, everyone sees every move (page: /game)"},
        {"/trading", "one market generator, 4 symbols every 50 ms, pub/sub fan-out (page: /trading)"},
        {"/collab", "shared text: server-ordered, versioned edits; late joiners get the text (page: /collab)"},
        {"/resilient", "heartbeats; valid messages processed, empty or > 1 KiB answered with an error"},
        {"/private", "echo behind an upgrade hook: Authorization: Bearer demo or ?token=demo, else 401"},
        {"/fanout", "every message published verbatim to every member (load tests: wsload --mode fanout)"},
        {"/sse/chat", "Server-Sent Events of a topic (chat, data, trading); Last-Event-ID resumes chat"},
        {"/poll/chat", "long-poll of a topic (chat, data, trading): ?since=<id> resumes, &wait=0 answers at once"},
        {"/publish/chat", "POST {\"from\":..,\"text\":..}: a chat message (204); data and trading: 403"},
        {"/healthz", "HTTP 200 ok"},
        {"/metrics", "HTTP: Prometheus text exposition of the server's counters (sluice_*)"},
        {"/echo", "HTTP, any method: 200 with the request body as received"},
    };
    return kList;
}

}  // namespace sluice::demo
