// app/detail/upgrade_gate.hpp — one upgrade request while its route's hook decides
// (app/upgrade.hpp): the Upgrade the hook sees, the decision it records, the hook's Task.
//
//   Connection::upgrade ─ valid request, the route has a hook ─▶ consult_upgrade_hook
//     (connection_gate.cpp): UpgradeGate::start() runs the hook to its end or first suspension
//       returned()  ─▶ settle_upgrade_hook: the 101 and the WebSocket | the rejection | 500
//       suspended   ─▶ reading paused, Deadline::hook armed. The hook's end marks the
//                      connection for progress(), which settles; the deadline first: 503,
//                      and the gate (with the hook's frame) destroyed.
//
// The hook runs inside a driver Task of the gate's own, which awaits it and then tells the
// connection: whatever resumed the hook (a Deferred, a timer), its end is noticed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/task.hpp"
#include "app/upgrade.hpp"
#include "proto/http_request.hpp"
#include "proto/ws_handshake.hpp"

namespace sluice::detail {

class Connection;
class RouteTarget;

// A callback hook as a Task-returning one (it never suspends), so the gate runs one kind.
UpgradeTask as_upgrade_task(UpgradeCallback hook);

class UpgradeGate {  // Owned by the connection's HttpExchange while the hook decides; owns the hook's frames.
 public:
    enum class Verdict : std::uint8_t { undecided, accept, reject };

    UpgradeGate(Connection& c, const RouteTarget& route, const proto::HandshakeDecision& d,
                const proto::HttpRequest& req);
    UpgradeGate(const UpgradeGate&) = delete;
    UpgradeGate& operator=(const UpgradeGate&) = delete;
    ~UpgradeGate();

    void start();                                          // runs the hook (once)
    bool returned() const noexcept { return returned_; }   // the hook ended (or threw)

    // Why the decision cannot be answered as made (then 500), or "" if it can.
    std::string_view problem() const noexcept;
    // The 101: the route's handshake answer with the hook's subprotocol and headers; "" if a
    // header does not validate.
    std::string response_101() const;
    // The subprotocol the 101 names ("" for none).
    std::string_view subprotocol() const noexcept;

    Connection& connection;
    const RouteTarget& route;
    const proto::HandshakeDecision decision;   // evaluate_upgrade's 101 (its subprotocol: the route's choice)
    Upgrade upgrade{*this};

    // ---- what the hook decided (written through Upgrade) ----
    Verdict verdict = Verdict::undecided;
    int status = 0;                           // reject
    std::string body;                         // reject
    std::string content_type;                 // reject
    std::optional<std::string> chosen;        // accept(name); nullopt: the route's choice
    std::vector<std::pair<std::string, std::string>> headers;   // set_header(), in order
    std::vector<std::string> offered;         // Sec-WebSocket-Protocol elements, in order

 private:
    friend Task drive_upgrade_hook(UpgradeGate& gate);
    void hook_returned(bool failed);

    Task driver_;
    bool starting_ = false;
    bool returned_ = false;
    bool failed_ = false;
};

}  // namespace sluice::detail
