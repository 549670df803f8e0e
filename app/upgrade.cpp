// app/upgrade.cpp — Upgrade reads the request through the connection's Context and writes
// the decision into its gate (app/detail/upgrade_gate.hpp), which the connection answers.
#include "app/upgrade.hpp"

#include <algorithm>

#include "app/detail/connection.hpp"
#include "app/detail/upgrade_gate.hpp"
#include "app/detail/worker.hpp"
#include "proto/http_fields.hpp"

namespace sluice {

using Verdict = detail::UpgradeGate::Verdict;

Context& Upgrade::context() const { return gate_->connection.context(); }
detail::ServerState* Upgrade::server_state() const { return &gate_->connection.worker().state; }
unsigned Upgrade::worker_index() const { return gate_->connection.worker().index; }

std::string_view Upgrade::method() const { return context().method(); }
std::string_view Upgrade::path() const { return context().path(); }
std::string_view Upgrade::query() const { return context().query(); }
std::string_view Upgrade::target() const { return context().target(); }
std::optional<std::string_view> Upgrade::header(std::string_view name) const { return context().header(name); }
std::string_view Upgrade::param(std::string_view name) const { return context().param(name); }
std::string_view Upgrade::peer_address() const { return context().peer_address(); }

const std::vector<std::string>& Upgrade::offered_subprotocols() const { return gate_->offered; }

bool Upgrade::offers(std::string_view subprotocol) const {
    const auto& o = gate_->offered;
    return std::find(o.begin(), o.end(), subprotocol) != o.end();
}

void Upgrade::accept() {
    if (gate_->verdict == Verdict::undecided) gate_->verdict = Verdict::accept;
}

void Upgrade::accept(std::string_view subprotocol) {
    if (gate_->verdict != Verdict::undecided) return;
    gate_->verdict = Verdict::accept;
    gate_->chosen.emplace(subprotocol);
}

void Upgrade::reject(int status, std::string_view body, std::string_view content_type) {
    if (gate_->verdict != Verdict::undecided) return;
    gate_->verdict = Verdict::reject;
    gate_->status = status;
    gate_->body.assign(body);
    gate_->content_type.assign(content_type);
}

bool Upgrade::decided() const { return gate_->verdict != Verdict::undecided; }

Upgrade& Upgrade::set_header(std::string_view name, std::string_view value) {
    using proto::ascii_iequals;
    // The framing and the handshake are the server's (RFC 6455 §4.2.2, RFC 9112 §6).
    constexpr std::string_view kServerOwned[] = {"Content-Length", "Transfer-Encoding", "Connection", "Date",
                                                 "Upgrade"};
    for (const std::string_view owned : kServerOwned) {
        if (ascii_iequals(name, owned)) return *this;
    }
    constexpr std::string_view kHandshake = "Sec-WebSocket-";
    if (name.size() >= kHandshake.size() && ascii_iequals(name.substr(0, kHandshake.size()), kHandshake)) return *this;
    gate_->headers.emplace_back(name, value);
    return *this;
}

}  // namespace sluice
