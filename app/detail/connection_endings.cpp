// app/detail/connection_endings.cpp — how a Connection ends: teardown (write out, half-close,
// drain to the peer's FIN), graceful shutdown, destruction, and the one deadline timer that
// bounds every state (see the Deadline list in app/detail/connection.hpp). Split from
// connection.cpp, which keeps the modes and the glue between them.
#include "app/detail/connection.hpp"

#include <string>

#include "app/detail/extras.hpp"
#include "app/detail/worker.hpp"
#include "net/socket.hpp"
#include "proto/ws_close.hpp"

namespace sluice::detail {

// ---- endings -----------------------------------------------------------------------------------

void Connection::begin_teardown() {
    if (mode_ == Mode::teardown || mode_ == Mode::dead) return;
    mode_ = Mode::teardown;
    uncount();   // waiting only for the peer's FIN: no longer one of max_connections
    if (extras_) worker_.reactor.cancel(extras_->backpressure_timer);
    arm_deadline(Deadline::close, worker_.settings.close_timeout);
    read_paused_ = peer_eof_;
    if (http_) http_->drop_tail();
    worker_.mark_dirty(this);   // the flush shuts down our side once the queue is out
}

void Connection::drain_input() {
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    for (int i = 0; i < 16; ++i) {
        const net::IoResult r = net::read_some(fd_, buffer);
        if (r.status == net::IoStatus::would_block) return;
        if (r.status != net::IoStatus::ok) {
            peer_eof_ = true;
            if (buffered() == 0 || r.error != 0) {
                destroy(ws_ever_ ? proto::kCloseNormal : 0, {});
            } else {
                set_read_paused(true);   // still writing what we owe; the flush closes
            }
            return;
        }
    }
}

void Connection::shutdown_gracefully() {
    if (mode_ == Mode::websocket) {
        close(proto::kCloseGoingAway, "server shutting down");   // RFC 6455 §7.4.1: 1001
    } else if (mode_ == Mode::http) {
        if (http_->gate) {   // an upgrade hook still deciding: no new WebSocket now
            upgrade_hook_unanswered("the server is shutting down");
            return;
        }
        push_at_shutdown();   // an SSE stream ends, a held poll is answered
        http_->close_after();
        if (http_->phase() != HttpExchange::Phase::busy && !http_->head_started()) begin_teardown();
    } else if (mode_ == Mode::dialing) {
        destroy();   // an outgoing connection not yet open: nothing to finish
    }
}

void Connection::destroy(std::uint16_t code, std::string_view reason) {
    if (mode_ == Mode::dead) return;
    mode_ = Mode::dead;   // first: a handler told of the end below sees it closed (can_send false)
    notify_closed(code, reason);
    worker_.reactor.cancel(deadline_timer_);
    if (extras_) {
        worker_.reactor.cancel(extras_->backpressure_timer);
        extras_->clear_timers();
        extras_->drop_subscriptions();
    }
    uncount();   // before the close: it may ask the socket for its peer
    worker_.reactor.remove(fd_);
    net::close_fd(fd_);
    fd_ = -1;
    if (active_ != nullptr) active_->output.clear();
    worker_.bury(this);
    if (client_) client_gone();   // its dialer retries, reconnects or finishes
}

void Connection::uncount() {
    if (!counted_) return;
    counted_ = false;
    worker_.state.connections.fetch_sub(1);
    worker_.metrics.close(kind_);
    // The socket's own address, as at accept (peer() may since be a proxy's forwarded client).
    if (worker_.settings.max_connections_per_address > 0) worker_.state.peers.release(address_of(net::peer_address(fd_)));
}

void Connection::notify_closed(std::uint16_t code, std::string_view reason) {
    if (closed_notified_) return;
    closed_notified_ = true;
    if (extras_) extras_->drop_subscriptions();
    if (ws_ever_) worker_.metrics.ws_close(code);
    if (tally_) worker_.state.log(AccessLog::ws_line(id_, peer(), request_.path(), *tally_, code, AccessLog::now()));
    log_request();   // an HTTP answer cut short (a stream whose reader left)
    if (ws_ever_ && handler_ != nullptr) call_handler([&] { handler_->on_close(*this, code, reason); });
    log_close(code, reason);
}

void Connection::log_close(std::uint16_t code, std::string_view reason) {
    if (!worker_.state.logging_connections()) return;
    // "-": a reset socket of a callback route that keeps no peer (no on_close) names none.
    const std::string_view who = peer();
    std::string line = "close #" + std::to_string(id_) + " " + std::string(who.empty() ? "-" : who);
    if (ws_ever_) {
        line += " ws " + std::to_string(code);
        if (!reason.empty()) line.append(" ").append(reason);
    } else {
        line += client_ ? " ws-client before the 101" : " http";
    }
    worker_.state.log(line);
}

// ---- deadlines ---------------------------------------------------------------------------------

void Connection::arm_deadline(Deadline kind, net::Clock::duration after) {
    deadline_ = kind;
    if (kind == Deadline::none) {
        worker_.reactor.cancel(deadline_timer_);
        return;
    }
    worker_.reactor.arm(deadline_timer_, after);
}

void Connection::on_deadline() {
    const Settings& s = worker_.settings;
    const auto phase = http_ ? http_->phase() : HttpExchange::Phase::head;
    switch (deadline_) {
        case Deadline::none: break;
        case Deadline::handshake:
        case Deadline::header:
            if (mode_ != Mode::http) break;
            if (http_->head_started()) {
                send_error(408);   // RFC 9110 §15.5.9, then close
            } else {
                begin_teardown();
            }
            break;
        case Deadline::body:
            if (mode_ != Mode::http || phase != HttpExchange::Phase::body) break;
            http_->set_busy();   // the error answers this request; the rest of its body is never read
            send_error(408);     // RFC 9110 §15.5.9: the body did not arrive in time; close
            break;
        case Deadline::response:
            if (mode_ != Mode::http || !http_->answering()) break;
            worker_.state.log("response timeout #" + std::to_string(id_) + " " + std::string(peer()) + ": no answer in " +
                              std::to_string(s.response_timeout.count()) + " ms");
            http_->close_after();
            respond(503, "the handler did not answer in time\n", kTextPlain);
            break;
        case Deadline::idle:
            if (mode_ == Mode::http) begin_teardown();
            break;
        case Deadline::ping:
            // A ping every ping_interval whatever the traffic (RFC 6455 §5.5.2; browsers answer
            // pings but never send them): a proxy's read timeout always sees a byte from us,
            // and a peer from which not one byte (a pong or anything) arrives within
            // pong_timeout of it is gone. Nothing is done per read: the read clears idle_pinged_.
            if (mode_ != Mode::websocket) break;
            if (awaiting_pong_) {
                awaiting_pong_ = false;
                if (idle_pinged_) {
                    worker_.state.log("pong timeout #" + std::to_string(id_) + " " + std::string(peer()) +
                                      ": nothing received within " + std::to_string(s.pong_timeout.count()) +
                                      " ms of a ping, closing with 1001");
                    close(proto::kCloseGoingAway, "pong timeout");   // RFC 6455 §7.4.1: 1001
                    break;
                }
                arm_deadline(Deadline::ping, s.ping_interval - s.pong_timeout);
            } else if (can_send()) {
                session().send_ping({});
                worker_.metrics.pings_sent.add();
                idle_pinged_ = awaiting_pong_ = true;
                arm_deadline(Deadline::ping, s.pong_timeout);
            }
            break;
        case Deadline::message:
            if (mode_ != Mode::websocket) break;
            worker_.state.log("message timeout #" + std::to_string(id_) + " " + std::string(peer()) + ": no whole message in " +
                              std::to_string(s.message_timeout.count()) + " ms, closing with 1008");
            close(proto::kClosePolicyViolation, "message timeout");   // RFC 6455 §7.4.1: 1008
            break;
        case Deadline::close:
            destroy(proto::kCloseAbnormal, "close timeout");
            break;
        case Deadline::heartbeat: sse_heartbeat(); break;               // connection_push.cpp
        case Deadline::hold: answer_poll_empty(false); break;           // poll_timeout: nothing came
        case Deadline::hook:
            if (mode_ == Mode::http) upgrade_hook_unanswered("no decision within handshake_timeout");   // 503
            break;
        case Deadline::dial: on_dial_deadline(); break;
    }
}

}  // namespace sluice::detail
