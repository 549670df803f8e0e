// app/detail/connection_gate.cpp — a connection whose upgrade request waits for its route's
// upgrade hook (app/upgrade.hpp): the hook started, its decision answered (the 101 and the
// WebSocket, the rejection, or 500), or its deadline answered (503). The gate's own state is
// in app/detail/upgrade_gate.hpp; this is the glue to the rest of the connection.
#include <string>
#include <utility>

#include "app/detail/connection.hpp"
#include "app/detail/upgrade_gate.hpp"
#include "app/detail/worker.hpp"

namespace sluice::detail {

void Connection::consult_upgrade_hook(const RouteTarget& route, const proto::HandshakeDecision& d,
                                      const proto::HttpRequest& req, std::span<std::uint8_t> rest) {
    // Bytes after the head (frames sent early, or a next request) wait with the exchange.
    http_->keep_tail(rest);
    http_->gate = std::make_unique<UpgradeGate>(*this, route, d, req);
    http_->gate->start();
    if (mode_ != Mode::http || !http_->gate) return;
    if (http_->gate->returned()) {
        settle_upgrade_hook();
        return;
    }
    // Deciding later: nothing more is read meanwhile, and the handshake deadline still runs.
    set_read_paused(true);
    arm_deadline(Deadline::hook, http_->hook_deadline(worker_.settings, worker_.reactor.now()));
}

void Connection::settle_upgrade_hook() {
    if (mode_ != Mode::http || !http_->gate || !http_->gate->returned()) return;
    const std::unique_ptr<UpgradeGate> gate = std::move(http_->gate);   // its frames are done; freed on return
    if (deadline_ == Deadline::hook) arm_deadline(Deadline::none, {});
    const std::string_view problem = gate->problem();
    const std::string head = !problem.empty() || gate->verdict != UpgradeGate::Verdict::accept ? std::string()
                                                                                             : gate->response_101();
    if (!problem.empty() || (gate->verdict == UpgradeGate::Verdict::accept && head.empty())) {
        worker_.state.log("upgrade hook #" + std::to_string(id_) + " " + std::string(peer()) + " " +
                          std::string(request_.path()) + ": " +
                          std::string(problem.empty() ? std::string_view("a header on the 101 does not validate") : problem) +
                          ", 500");
        http_->close_after();
        respond(500, "internal error\n", kTextPlain);
        begin_teardown();
        return;
    }
    if (gate->verdict == UpgradeGate::Verdict::reject) {
        for (const auto& [name, value] : gate->headers) http_->add_header(name, value);
        respond(gate->status, gate->body, gate->content_type);
        // As after any answer: the next request, or the close HTTP's rules ask for.
        if (http_->closing()) {
            begin_teardown();
        } else {
            finish_exchange();
        }
        return;
    }
    if (worker_.shutting_down) {   // accepted while the server stops: no new WebSocket
        http_->close_after();
        respond(503, "the server is shutting down\n", kTextPlain);
        begin_teardown();
        return;
    }
    http_->close_after();   // the tail is the WebSocket's now
    std::string rest = std::move(http_->tail());
    http_->tail().clear();
    queue_bytes(bytes_of(head));
    set_read_paused(false);
    open_websocket(gate->route, gate->subprotocol(),
                   std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(rest.data()), rest.size()));
}

void Connection::upgrade_hook_unanswered(std::string_view why) {
    if (!http_->gate) return;
    worker_.state.log("upgrade hook #" + std::to_string(id_) + " " + std::string(peer()) + " " +
                      std::string(request_.path()) + ": " + std::string(why) + ", 503");
    http_->gate.reset();   // the hook's frame, suspended where it waited
    if (deadline_ == Deadline::hook) arm_deadline(Deadline::none, {});
    http_->close_after();
    respond(503, std::string(why) + "\n", kTextPlain);
    begin_teardown();
}

}  // namespace sluice::detail
