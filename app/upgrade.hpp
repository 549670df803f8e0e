// app/upgrade.hpp — a route's upgrade hook: it sees a complete, valid WebSocket upgrade
// request (RFC 6455 §4.2.1 and the Origin policy already checked) before any byte of the
// answer, and decides: accept (the 101), or reject with any response (no upgrade).
//
//   server.route("/private", sluice::WsCallbacks{
//       .on_upgrade = [](sluice::Upgrade& up) {                  // callbacks: decides at once
//           if (up.header("Authorization") != "Bearer demo") {
//               up.set_header("WWW-Authenticate", "Bearer realm=\"demo\"");
//               return up.reject(401, "a bearer token is required\n");
//           }
//           up.data<User>().name = "demo";                        // the handler's ctx.data<User>()
//           up.set_header("Set-Cookie", "seen=1");                // on the 101
//           up.accept(up.offers("chat.v2") ? "chat.v2" : "");
//       },
//       .on_message = ...});
//
//   sluice::Task check(sluice::Upgrade& up) {                     // coroutine routes: may await
//       sluice::Deferred<bool> valid = up.defer<bool>();          // app/deferred.hpp
//       pool.submit([done = valid.completer()] { done.set(lookup()); });
//       if (co_await valid == true) up.accept(); else up.reject(403);
//   }
//   server.route("/room", room, {.on_upgrade = check});
//
// The rules:
//  - The decision takes effect when the hook returns (a coroutine hook: when its Task ends);
//    the first accept()/reject() wins.
//  - accept(): the 101, with the subprotocol named (one the client offered; "" for none), or
//    with accept() alone the route's own choice from its subprotocol list. Then the handler
//    runs as without a hook (on_open / the coroutine), and ctx.data<T>() is what the hook set.
//  - reject(status, body): that response (300-599) with the headers set, and no upgrade.
//    The connection then stays open for the next request when HTTP allows it (an HTTP/1.1
//    request without "Connection: close"), as after any other answer.
//  - 500 and close (and a log line): the hook returned without deciding, threw, accepted a
//    subprotocol the client did not offer, rejected with a status outside 300-599, or set a
//    header that does not validate (a name not a token, CR/LF/NUL in a value).
//  - Time: the hook must decide within handshake_timeout, counted from the accept on a
//    connection's first request (from the end of the head on a later one); past it the
//    server answers 503 Service Unavailable and closes, and the hook's frame is destroyed
//    (so too, at once, when the server begins its graceful shutdown).
//    Meanwhile the connection reads nothing more (bytes after the head wait in the kernel).
//  - set_header(): on the 101 or on the rejection. Fields the server owns are ignored:
//    Content-Length, Transfer-Encoding, Connection, Date, Upgrade and Sec-WebSocket-*.
//
// Ownership and threads: the connection owns the Upgrade while its hook runs; the hook may
// keep the reference until it returns. Call it on the connection's thread only (the hook's
// own); a Completer is what crosses threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "app/deferred.hpp"
#include "app/task.hpp"

namespace sluice {

namespace detail {
class UpgradeGate;
}

class Upgrade {  // Owned by the connection's UpgradeGate while the hook decides.
 public:
    Upgrade(const Upgrade&) = delete;
    Upgrade& operator=(const Upgrade&) = delete;

    // ---- the request (the same views as Context's) ----
    std::string_view method() const;
    std::string_view path() const;
    std::string_view query() const;
    std::string_view target() const;
    std::optional<std::string_view> header(std::string_view name) const;   // first, case-insensitive
    std::string_view param(std::string_view name) const;                   // route params, "" if absent
    std::string_view peer_address() const;
    // Sec-WebSocket-Protocol: what the client offered, in its order (every header line).
    const std::vector<std::string>& offered_subprotocols() const;
    bool offers(std::string_view subprotocol) const;   // case-sensitive (tokens the app defines)

    // ---- the decision ----
    void accept();                                   // the route's own subprotocol choice
    void accept(std::string_view subprotocol);       // one offered, or "" for none
    void reject(int status, std::string_view body = {}, std::string_view content_type = "text/plain; charset=utf-8");
    bool decided() const;
    // A header on the answer, whichever it is (see the rules above for the ignored ones).
    Upgrade& set_header(std::string_view name, std::string_view value);

    // The connection's user data: the same object the handler's ctx.data<T>() returns.
    template <class T>
    T& data() {
        return context().data<T>();
    }
    // A value another thread (or a later callback) supplies; co_await it in a coroutine hook.
    template <class T>
    Deferred<T> defer() {
        return Deferred<T>(server_state(), worker_index());
    }

 private:
    friend class detail::UpgradeGate;
    explicit Upgrade(detail::UpgradeGate& gate) noexcept : gate_(&gate) {}
    Context& context() const;
    detail::ServerState* server_state() const;
    unsigned worker_index() const;
    detail::UpgradeGate* gate_;
};

// A coroutine route's hook (RouteOptions::on_upgrade): a Task, so it may co_await.
using UpgradeTask = std::function<Task(Upgrade&)>;
// A callback route's hook (WsCallbacks::on_upgrade): decides before returning.
using UpgradeCallback = std::function<void(Upgrade&)>;

}  // namespace sluice
