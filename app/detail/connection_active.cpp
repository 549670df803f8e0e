// app/detail/connection_active.cpp — see app/detail/connection_active.hpp.
#include "app/detail/connection_active.hpp"

#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"

namespace sluice::detail {

ActivePool::ActivePool() { spare_.reserve(kMaxSpares); }   // give() never allocates

ActivePool::~ActivePool() {
    for (ActiveState* a : spare_) delete a;
}

ActiveState* ActivePool::take(core::BlockPool* pool, std::size_t bound) {
    if (spare_.empty()) return new ActiveState(pool, bound);
    ActiveState* a = spare_.back();
    spare_.pop_back();
    return a;
}

void ActivePool::give(ActiveState* a) noexcept {
    if (spare_.size() < kMaxSpares) {
        spare_.push_back(a);
    } else {
        delete a;
    }
}

// ---- the connection's side -------------------------------------------------------------------

ActiveState& Connection::active() {
    if (active_ == nullptr) {
        active_ = worker_.active_pool.take(&worker_.pool, worker_.settings.max_backpressure);
        // Given back only while open and idle: a fresh session is the one it was (server role).
        if (ws_ever_) active_->session.emplace(proto::Role::server, server_limits(), static_cast<Hooks&>(*this),
                                               worker_.assembly.source());
    }
    return *active_;
}

proto::WsLimits Connection::server_limits() const noexcept {
    proto::WsLimits limits;
    limits.max_frame_size = worker_.settings.max_frame_size;
    limits.max_message_size = worker_.settings.max_message_size;
    limits.permessage_deflate = deflate_.on();
    return limits;
}

// An open server WebSocket with no partial frame or message, no assembly buffer and nothing
// queued is what a fresh session and an empty writer are: its ActiveState goes back.
void Connection::settle_idle() noexcept {
    if (active_ == nullptr || mode_ != Mode::websocket || client_ || feeding_ || !active_->session) return;
    const SocketWriter& out = active_->output;
    if (!out.empty() || out.want_write() || out.over_bound()) return;
    const proto::WsSession<Hooks>& s = *active_->session;
    if (!s.can_send() || s.receiving() || s.receiver().assembly_capacity() != 0 || s.receiver().dropping_data()) return;
    active_->session.reset();
    worker_.active_pool.give(std::exchange(active_, nullptr));
}

// The connection's end: a clean ActiveState (all written) is a spare for the next
// connection; one with bytes still queued is freed (its queue's blocks go back to the pool).
void Connection::drop_active() noexcept {
    if (active_ == nullptr) return;
    active_->session.reset();
    const SocketWriter& out = active_->output;
    if (out.empty() && !out.want_write() && !out.over_bound()) {
        worker_.active_pool.give(std::exchange(active_, nullptr));
        return;
    }
    active_->output.clear();
    delete std::exchange(active_, nullptr);
}

}  // namespace sluice::detail
