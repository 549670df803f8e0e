#include "app/demo/private_echo.hpp"

#include <optional>

#include "app/message.hpp"
#include "app/server.hpp"
#include "app/upgrade.hpp"
#include "proto/http_fields.hpp"

namespace sluice::demo {

bool private_echo_authorised(std::string_view authorization, std::string_view query) {
    // RFC 6750 §2.1: "Bearer" SP token; the scheme is case-insensitive (RFC 9110 §11.1).
    const std::size_t space = authorization.find(' ');
    if (space != std::string_view::npos && proto::ascii_iequals(authorization.substr(0, space), "Bearer") &&
        authorization.substr(space + 1) == "demo")
        return true;
    // The query's "&"-separated parameters (RFC 6750 §2.3 names it access_token; the demo's is token).
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        if (query.substr(0, amp) == "token=demo") return true;
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return false;
}

void install_private_echo(Server& server) {
    server.route("/private",
                 WsCallbacks{.on_upgrade =
                                 [](Upgrade& up) {
                                     if (private_echo_authorised(up.header("Authorization").value_or(""), up.query())) {
                                         up.accept();
                                         return;
                                     }
                                     up.set_header("WWW-Authenticate", "Bearer realm=\"sluice-demo\"");
                                     up.reject(401, "/private needs Authorization: Bearer demo or ?token=demo\n");
                                 },
                             .on_open = {},
                             .on_message =
                                 [](Context& ctx, const Message& m) {
                                     if (m.is_text()) {
                                         ctx.send_now(m.text());
                                     } else {
                                         ctx.send_binary_now(m.bytes());
                                     }
                                 },
                             .on_drain = {},
                             .on_close = {}});
}

}  // namespace sluice::demo
