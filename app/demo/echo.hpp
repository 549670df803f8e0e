// app/demo/echo.hpp — the routes that conformance and interop suites drive:
//   /ws       WebSocket echo: every message (text or binary, any number of fragments, up
//             to the server's max_message_size, 16 MiB by default) sent back as received,
//             same type, same bytes. `co_await ctx.send` waits out backpressure, so a large
//             echo is never dropped. The close handshake is the engine's: the peer's close
//             code and reason are echoed (RFC 6455 §5.5.1), which interop suites check.
//   /echo     plain HTTP, any method: 200 with the request body exactly as received
//             (Content-Length or chunked, decoded), the request's Content-Type kept.
//   /healthz  200 "ok".
//   /fanout   WebSocket only (a callback route): every message published to every member.
//             A plain GET gets 426 with Upgrade: websocket from the router, like the
//             coroutine routes' own answer; the pages' "/*" does not shadow it.
#pragma once

namespace sluice {
class Server;
}

namespace sluice::demo {

void install_echo(Server& server);

}  // namespace sluice::demo
