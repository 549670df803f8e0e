// app/detail/upgrade_gate.cpp
#include "app/detail/upgrade_gate.hpp"

#include <array>

#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"
#include "proto/http_fields.hpp"
#include "proto/http_writer.hpp"

namespace sluice::detail {

namespace {

// Awaits a Task without rethrowing what it threw: the gate reads failed() instead, so the
// driver always reaches its end (and builds with -fno-exceptions alike).
struct UpgradeHookJoin {
    const Task& task;
    bool await_ready() const noexcept { return task.done(); }
    void await_suspend(std::coroutine_handle<> h) const noexcept { task.await_suspend(h); }
    void await_resume() const noexcept {}
};

// The callback hook's wrapper: `hook` is the callable inside the route's UpgradeTask, alive
// for the whole call (this coroutine never suspends).
Task run_upgrade_callback(const UpgradeCallback* hook, Upgrade& up) {
    (*hook)(up);
    co_return;
}

}  // namespace

UpgradeTask as_upgrade_task(UpgradeCallback hook) {
    return [hook = std::move(hook)](Upgrade& up) { return run_upgrade_callback(&hook, up); };
}

Task drive_upgrade_hook(UpgradeGate& gate) {
    const Task hook = gate.route.upgrade_hook(gate.upgrade);
    co_await UpgradeHookJoin{hook};
    gate.hook_returned(hook.failed());
}

UpgradeGate::UpgradeGate(Connection& c, const RouteTarget& r, const proto::HandshakeDecision& d,
                         const proto::HttpRequest& req)
    : connection(c), route(r), decision(d) {
    for (const proto::HttpHeader& h : req.headers) {
        if (!proto::ascii_iequals(h.name, "Sec-WebSocket-Protocol")) continue;
        proto::for_each_list_element(h.value, [this](std::string_view e) {
            offered.emplace_back(e);
            return true;
        });
    }
}

UpgradeGate::~UpgradeGate() { driver_.reset(); }   // the hook's frame, inside the driver's, first

void UpgradeGate::start() {
    starting_ = true;
    driver_ = drive_upgrade_hook(*this);
    starting_ = false;
    if (driver_.done() && !returned_) hook_returned(true);   // the driver itself threw (calling the hook)
}

void UpgradeGate::hook_returned(bool failed) {
    returned_ = true;
    failed_ = failed;
    // Resumed later (a Deferred, a timer): the connection settles once this callback unwinds.
    if (!starting_) connection.worker().mark_progress(&connection);
}

std::string_view UpgradeGate::problem() const noexcept {
    if (failed_) return "the upgrade hook threw";
    switch (verdict) {
        case Verdict::undecided: return "the upgrade hook returned without accept() or reject()";
        case Verdict::reject:
            if (status < 300 || status > 599) return "the upgrade hook rejected with a status outside 300-599";
            return {};
        case Verdict::accept:
            if (chosen && !chosen->empty() && !upgrade.offers(*chosen))
                return "the upgrade hook accepted a subprotocol the client did not offer";
            return {};
    }
    return {};
}

std::string_view UpgradeGate::subprotocol() const noexcept {
    return chosen ? std::string_view(*chosen) : decision.subprotocol;
}

std::string UpgradeGate::response_101() const {
    proto::HandshakeDecision d = decision;
    d.subprotocol = subprotocol();
    std::size_t extra = 0;
    for (const auto& [name, value] : headers) extra += name.size() + value.size() + 4;
    std::string out(1024 + extra, '\0');
    std::size_t n = proto::write_handshake_response(d, std::span<char>(out.data(), out.size()));
    if (n < 2) return {};
    // The hook's fields go before the empty line that ends the handshake's head.
    n -= 2;
    proto::ResponseWriter w(std::span<char>(out.data() + n, out.size() - n));
    for (const auto& [name, value] : headers) w.header(name, value);
    w.end_head();
    if (!w.ok()) return {};
    out.resize(n + w.size());
    return out;
}

}  // namespace sluice::detail
