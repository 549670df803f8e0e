// app/detail/client_url.hpp — a ws:// URL taken apart for connecting (RFC 6455 §3).
//
//   ws://host[:port][/path][?query]      host: a name, an IPv4 literal or [IPv6]; port 80 by default
//   wss://...                            refused: TLS is out of scope (the error names the proxy route)
//   a fragment ("#...") or userinfo ("user@") is refused: §3 forbids the first, and the second
//   has no meaning in a WebSocket handshake.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::detail {

struct ClientUrl {  // Owns its strings.
    std::string host;          // to resolve: without brackets ("::1", "example.com")
    std::string host_header;   // §4.1 item 4: as written, ":port" only when not 80
    std::uint16_t port = 80;
    std::string resource;      // §3 "resource name": path ("/" at least) and "?query"
};

// "" and `out` filled, or one sentence saying what is wrong with `url`.
std::string parse_client_url(std::string_view url, ClientUrl& out);

}  // namespace sluice::detail
