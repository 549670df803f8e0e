// app/demo/private_echo.hpp — /private: the /ws echo behind an upgrade hook (app/upgrade.hpp).
//   Accepted only with `Authorization: Bearer demo` (the scheme case-insensitive, RFC 9110
//   §11.1) or a `token=demo` query parameter (`/private?token=demo`, for browsers, which
//   cannot set headers on a WebSocket); otherwise 401 with
//   `WWW-Authenticate: Bearer realm="sluice-demo"` (RFC 9110 §11.6.1) and no upgrade.
//   A plain GET gets 426, as every WebSocket-only route.
#pragma once

#include <string_view>

namespace sluice {
class Server;
class Upgrade;
}

namespace sluice::demo {

// The demo's check: the bearer token or the query parameter is "demo".
bool private_echo_authorised(std::string_view authorization, std::string_view query);

void install_private_echo(Server& server);

}  // namespace sluice::demo
