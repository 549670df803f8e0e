// app/detail/connection.cpp — see app/detail/connection.hpp for the modes and who owns what.
#include "app/detail/connection.hpp"
#include "app/detail/slot_pool.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <utility>

#include "app/detail/extras.hpp"
#include "app/detail/worker.hpp"
#include "net/socket.hpp"
#include "proto/ws_close.hpp"
#include "proto/ws_handshake.hpp"

namespace sluice::detail {

namespace {
SlotPool& connection_slots() noexcept {
    static SlotPool pool(sizeof(Connection));
    return pool;
}
}  // namespace

void* Connection::operator new(std::size_t size) {
    if (size != sizeof(Connection)) return ::operator new(size);
    return connection_slots().take();
}

void Connection::operator delete(void* block, std::size_t size) noexcept {
    if (size != sizeof(Connection)) {
        ::operator delete(block);
        return;
    }
    connection_slots().give(block);
}

namespace {

// Cuts a close reason to RFC 6455 §5.5's 123 bytes without splitting a UTF-8 sequence.
std::string_view cut_reason(std::string_view reason) noexcept {
    if (reason.size() <= proto::kMaxCloseReason) return reason;
    std::size_t n = proto::kMaxCloseReason;
    while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
    return reason.substr(0, n);
}

}  // namespace

Connection::Connection(Worker& worker, int fd, std::uint64_t id)
    : worker_(worker),
      fd_(fd),
      id_(id),
      http_(std::make_unique<HttpExchange>(HttpExchange::limits(worker.settings), worker.reactor.now())) {
    deadline_timer_.set_callback([this] {
        Worker::Scope scope(worker_);
        on_deadline();
    });
}

Connection::~Connection() {
    end_adapter();   // the handler's frame first: its locals may still use the Context
    http_.reset();   // and an upgrade hook's (its gate is the exchange's)
    extras_.reset();
    drop_active();
    if (fd_ >= 0) {
        worker_.reactor.remove(fd_);
        net::close_fd(fd_);
    }
    drop_user_data();   // before the members go (user data may refer to them); the Context base goes last
}

Extras& Connection::extras() {
    if (!extras_) {
        extras_ = std::make_unique<Extras>(*this);
        extras_->backpressure_timer.set_callback([this] {
            Worker::Scope scope(worker_);
            if (!output().over_bound() || (mode_ != Mode::websocket && mode_ != Mode::http)) return;
            const bool ws = mode_ == Mode::websocket;
            worker_.state.log("backpressure #" + std::to_string(id_) + " " + std::string(peer()) +
                              ": over max_backpressure for " +
                              std::to_string(worker_.settings.backpressure_timeout.count()) + " ms, " +
                              (ws ? "closing with 1008" : "closing the HTTP stream"));
            if (ws) {
                close(proto::kClosePolicyViolation, "peer does not read");
            } else {
                destroy();   // an HTTP stream has no close frame: its reader cannot take more bytes anyway
            }
        });
    }
    return *extras_;
}

void Connection::start() {
    const Settings& s = worker_.settings;
    // The peer is not copied here: the first request's copy takes it (no block per accept).
    net::set_nodelay(fd_, s.nodelay);
    if (s.linger) net::set_linger(fd_, true, 0);
    interest_ = net::kReadable;
    if (!worker_.reactor.add(fd_, interest_, this)) {
        destroy();
        return;
    }
    arm_deadline(Deadline::handshake, s.handshake_timeout);
    if (worker_.state.logging_connections()) worker_.state.log("open #" + std::to_string(id_) + " " + std::string(peer()));
}

void Connection::on_events(net::EventMask events) noexcept {
    Worker::Scope scope(worker_);
    if (mode_ == Mode::dead) return;
    if (mode_ == Mode::dialing) {
        dial_events(events);
        return;
    }
    if ((events & net::kError) != 0 && (events & net::kReadable) == 0) {
        destroy();
        return;
    }
    if ((events & net::kWritable) != 0) flush();
    if (mode_ == Mode::dead || read_paused_ || budget_paused_) return;
    if ((events & (net::kReadable | net::kHangup | net::kError)) == 0) return;
    switch (mode_) {
        case Mode::http: read_http(); break;
        case Mode::websocket: read_ws(); break;
        case Mode::teardown: drain_input(); break;
        case Mode::dead:
        case Mode::dialing: break;
    }
    settle_idle();   // a read that left nothing in flight (a pong, a message answered later)
}

// ---- the WebSocket ---------------------------------------------------------------------------

std::string_view Connection::peer() const {
    if (const std::string_view kept = request_.peer(); !kept.empty()) return kept;
    thread_local std::string t_socket_peer;
    t_socket_peer = net::peer_address(fd_);
    return t_socket_peer;
}

std::string Connection::peer_to_keep() const { return request_.peer().empty() ? net::peer_address(fd_) : std::string(); }

void Connection::upgrade(const proto::HttpRequest& req, std::span<std::uint8_t> rest) {
    if (!worker_.state.trusted_proxies.empty()) take_forwarded(req);
    // The copy is borrowed from the thread while the upgrade and on_open run on this stack
    // (request_copy.hpp): a callback route's retain() makes the one block after on_open;
    // whatever else happened, it is owned before this returns.
    struct OwnOnReturn {
        RequestCopy& copy;
        ~OwnOnReturn() { copy.own(); }
    } own_on_return{request_};
    request_.assign(req, peer_to_keep(), true);
    http_->tally.routed = true;
    RouteMatch m = worker_.state.router.match(request_.method(), request_.path(), true);
    const RouteTarget* route = m.status == RouteStatus::found ? worker_.state.targets[m.target].get() : nullptr;
    http_->begin_request(req, nullptr, HttpExchange::limits(worker_.settings));
    if (route == nullptr) {
        http_->close_after();
        worker_.metrics.handshake(404);
        send_error(404);
        return;
    }
    request_.add_params(std::span<const RouteParam>(m.params.items.data(), m.params.count));
    if (!accept_ws_resume()) {   // ?since= that is not an id (connection_push.cpp)
        worker_.metrics.handshake(400);
        send_error(400);
        return;
    }
    proto::HandshakePolicy policy;
    policy.allowed_origins = worker_.state.origin_views;
    policy.subprotocols = route->subprotocol_views;
    proto::HandshakeDecision d = proto::evaluate_upgrade(req, policy);
    std::array<char, 128> extensions;
    accept_deflate(req, m.target, d, extensions);   // RFC 7692: connection_deflate.cpp
    // A valid request to a route with an upgrade hook: the hook decides first (connection_gate.cpp;
    // the gate keeps its own copy of the extensions answer).
    if (d.status == 101 && route->upgrade_hook) {
        consult_upgrade_hook(*route, d, req, rest);
        return;
    }
    http_->close_after();   // unless upgraded: bytes after the head may be frames, never parse them as HTTP
    std::array<char, 1024> out;
    const std::size_t n = proto::write_handshake_response(d, out);
    queue_bytes(bytes_of(std::string_view(out.data(), n)));
    worker_.metrics.handshake(d.status);
    worker_.metrics.http_response(d.status);
    if (d.status != 101) {
        http_->tally.answered(d.status, 0);
        log_request();
        begin_teardown();
        return;
    }
    open_websocket(*route, d.subprotocol, rest);
}

// The 101 is queued: from here on the connection speaks WebSocket.
void Connection::open_websocket(const RouteTarget& route, std::string_view subprotocol, std::span<std::uint8_t> rest) {
    if (!subprotocol.empty()) request_.set_subprotocol(subprotocol);
    http_.reset();   // nothing of the HTTP exchange is needed any more (the caller returns at once)
    begin_websocket(&route, proto::Role::server, worker_.settings.max_frame_size, worker_.settings.max_message_size,
                    rest);
}

// Both roles from here on: the session, the ping deadline, the route's adapter, and the
// bytes that came with the handshake (frames).
void Connection::begin_websocket(const RouteTarget* route, proto::Role role, std::size_t max_frame,
                                 std::size_t max_message, std::span<std::uint8_t> rest) {
    mode_ = Mode::websocket;
    set_kind(ConnectionKind::websocket);
    if (worker_.access.pick()) tally_ = std::make_unique<SessionTally>(AccessLog::now());
    proto::WsLimits limits;
    limits.max_frame_size = max_frame;
    limits.max_message_size = max_message;
    limits.permessage_deflate = deflate_.on();
    active().session.emplace(role, limits, static_cast<Hooks&>(*this), worker_.assembly.source());
    ws_ever_ = true;
    arm_deadline(Deadline::ping, worker_.settings.ping_interval);
    if (worker_.state.logging_connections())
        worker_.state.log("upgrade #" + std::to_string(id_) + " " + std::string(peer()) + " " + std::string(request_.path()));
    start_adapter(route);
    if (!call_handler([this] { handler_->on_open(*this); })) close(proto::kCloseInternalError, "internal error");
    // A callback route's handler asked at on_open for what it reads later (context.hpp).
    if (route != nullptr && route->trims_request) {
        // The peer stays when something may ask for it once the socket is gone (a reset socket
        // has none): the route's on_close, this session's access-log line, or a trusted
        // proxy's client (not the socket's at all). The on_log close line says "-" then.
        const bool keep_peer = route->trim_keeps_peer || tally_ || !worker_.state.trusted_proxies.empty();
        request_.retain(route->kept_headers, keep_peer);
    }
    if (mode_ == Mode::websocket && !rest.empty()) {
        feeding_ = true;   // the session's state is in use: not given back meanwhile
        session().feed(rest);
        feeding_ = false;
    }
}

void Connection::read_ws() {
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    const net::IoResult r = net::read_some(fd_, buffer);
    if (r.status == net::IoStatus::would_block) return;
    if (r.status != net::IoStatus::ok) {
        destroy(proto::kCloseAbnormal, {});   // RFC 6455 §7.1.5: no close frame -> 1006
        return;
    }
    idle_pinged_ = false;   // any byte (a pong included) proves the peer alive
    feeding_ = true;
    session().feed(buffer.first(r.bytes));
    feeding_ = false;
    // While a frame or message is arriving, message_timeout counts from its first byte (a
    // trickle proves the peer alive, not this); between messages the ping deadline is back.
    if (mode_ != Mode::websocket) return;
    const bool receiving = session().receiving();
    if (receiving && deadline_ == Deadline::ping) {
        awaiting_pong_ = false;
        arm_deadline(Deadline::message, worker_.settings.message_timeout);
    } else if (!receiving && deadline_ == Deadline::message) {
        arm_deadline(Deadline::ping, worker_.settings.ping_interval);
    }
}

void Connection::on_ws_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
    worker_.metrics.received(bytes.size());
    if (tally_) tally_->received(bytes.size());
    // One adapter dispatch: callbacks get a view into the read, a coroutine an inbox copy.
    if (!call_handler([&] { handler_->on_message(*this, op == proto::Opcode::text, bytes); })) {
        close(proto::kCloseInternalError, "internal error");
    }
}

// RFC 6455 §7.1.5 (the peer's close, answered by the session) or §7.1.7 (we failed the
// connection, our close is queued): the server closes TCP first (§7.1.1).
void Connection::on_ws_end(std::uint16_t code, std::string_view reason) {
    notify_closed(code, reason);
    begin_teardown();
}

bool Connection::over_backpressure() const noexcept { return active_ != nullptr && active_->output.over(); }

SendResult Connection::send_message(bool text, std::span<const std::uint8_t> payload) {
    if (!can_send()) return SendResult::closed;
    if (over_backpressure()) {
        worker_.metrics.sends_dropped.add();
        return SendResult::dropped;
    }
    worker_.metrics.sent(payload.size());
    if (tally_) tally_->sent(payload.size());
    if (deflate_.on() && payload.size() >= worker_.state.compression.profile(deflate_.profile()).threshold)
        return send_deflated(text, payload);
    const bool backlog = output().want_write();
    session().send_message(text ? proto::Opcode::text : proto::Opcode::binary, payload);
    return backlog ? SendResult::queued : SendResult::sent;
}

SendResult Connection::send_shared(const core::SharedBytes& frame, std::size_t size, std::size_t header,
                                   bool deflated) {
    if (!can_send()) return SendResult::closed;
    if (over_backpressure()) return SendResult::dropped;
    worker_.metrics.publish_deliveries.add();
    worker_.metrics.sent(size - header);
    if (tally_) tally_->sent(size - header);
    if (client_) {   // re-framed, masked (RFC 6455 §5.3)
        send_shared_as_client(frame, size);
        return SendResult::queued;
    }
    // The peer's window now holds bytes our own compressor never saw (RFC 7692 §7.2.3).
    if (deflated && extras_ && extras_->deflate) extras_->deflate->forget_sent();
    wrote(output().queue_shared(frame, size));
    return SendResult::queued;
}

// A slow subscriber is never skipped silently: counted, and its handler told (it may close
// the connection or resynchronise it).
void Connection::missed_publish(std::string_view topic) {
    worker_.metrics.publishes_missed.add();
    if (!conversing()) return;
    ++extras().missed_publishes;
    if (handler_ != nullptr) call_handler([&] { handler_->on_dropped(*this, topic); });
}

std::uint64_t Connection::missed_publishes() const noexcept { return extras_ ? extras_->missed_publishes : 0; }

void Connection::on_ws_control(bool ping, std::span<const std::uint8_t> payload) {
    if (!ping) worker_.metrics.pongs_received.add();
    if (handler_ != nullptr && conversing()) call_handler([&] { handler_->on_control(*this, ping, payload); });
}

void Connection::set_kind(ConnectionKind kind) noexcept {
    if (counted_) {
        worker_.metrics.close(kind_);
        worker_.metrics.open(kind);
    }
    kind_ = kind;
}

void Connection::close(std::uint16_t code, std::string_view reason) {
    if (mode_ == Mode::http) {
        http_->close_after();
        if (http_->phase() != HttpExchange::Phase::busy) begin_teardown();
        return;
    }
    if (mode_ != Mode::websocket) return;
    // RFC 6455 §7.4.1: 1005, 1006, 1015 and unassigned codes never go on the wire.
    if (!proto::is_valid_wire_close_code(code)) code = proto::kCloseNormal;
    if (!session().send_close(code, cut_reason(reason)) && !session().send_close(code, {})) return;
    if (client_) client_closing(code);
    arm_deadline(Deadline::close, worker_.settings.close_timeout);
    if (handler_ != nullptr) handler_->on_closing(*this);   // a coroutine waiting to send learns it is closed
}

void Connection::ping(std::span<const std::uint8_t> payload) {
    if (!can_send()) return;
    session().send_ping(payload.first(std::min<std::size_t>(payload.size(), proto::kMaxControlPayload)));
}

void Connection::hold_input(bool hold) {
    if (mode_ == Mode::websocket) set_read_paused(hold);
}

void Connection::pause_for_budget(bool paused) {
    if (budget_paused_ == paused || (paused && !can_send())) return;   // a closing one reads its peer's close
    budget_paused_ = paused;
    update_interest();
}

void Connection::shed(std::uint16_t code) {
    close(code, "memory budget");   // RFC 6455 §7.4.1: 1009 message too big, 1008 policy
    pause_for_budget(false);
}

// ---- the route's adapter, pub/sub and timers --------------------------------------------------

void Connection::start_adapter(const RouteTarget* route) {
    end_adapter();
    handler_ = route->make_adapter(adapter_);
}

void Connection::end_adapter() noexcept {
    if (handler_ == nullptr) return;
    Context::attach(nullptr);
    HandlerAdapter* const h = std::exchange(handler_, nullptr);
    if (static_cast<void*>(h) == static_cast<void*>(adapter_)) {
        h->~HandlerAdapter();
    } else {
        delete h;   // a coroutine route's: too large for the storage in place
    }
}

void Connection::log_handler_error(std::string_view what) {
    worker_.state.log("handler error #" + std::to_string(id_) + ": " + std::string(what));
}

void Connection::subscribe(std::string_view topic) {
    if (closed_notified_ || mode_ == Mode::dead) return;
    if (Subscription* s = extras().subscribe(topic)) on_subscribed(*s);   // a resuming client's replay
}

void Connection::unsubscribe(std::string_view topic) {
    if (extras_) extras_->unsubscribe(topic);
}

bool Connection::subscribed(std::string_view topic) const { return extras_ && extras_->subscribed(topic); }

TimerId Connection::add_timer(std::chrono::milliseconds period, bool repeat, std::function<void()> fn) {
    if (mode_ == Mode::dead) return 0;
    return extras().add_timer(period, repeat, std::move(fn));
}

void Connection::cancel_timer(TimerId id) {
    if (extras_) extras_->cancel_timer(id);
}

// ---- output ----------------------------------------------------------------------------------

void Connection::queue_bytes(std::span<const std::uint8_t> bytes) {
    if (mode_ != Mode::dead) wrote(output().queue(bytes));
}

void Connection::write_frame(std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload) {
    if (mode_ != Mode::websocket) {
        queue_bytes(head);
        queue_bytes(payload);
        return;
    }
    wrote(output().write_frame(fd_, head, payload));
}

// What a write changed, acted on: the socket's end, a flush due, the bound crossed.
void Connection::wrote(WriteStatus s) {
    if (s.failed) {
        destroy();
        return;
    }
    if (s.queued && !in_dirty) worker_.mark_dirty(this);
    if (s.interest) update_interest();
    if (s.crossed) on_bound_crossed();
}

void Connection::flush() {
    if (mode_ == Mode::dead) return;
    if (active_ == nullptr && mode_ != Mode::teardown) return;   // nothing queued: an idle WebSocket
    const WriteStatus s = output().flush(fd_, worker_.reactor);
    if (s.failed) {
        destroy();
        return;
    }
    if (mode_ == Mode::teardown && active_->output.empty()) {
        // RFC 6455 §7.1.1: a client leaves the TCP close to the server (it waits for its FIN).
        if (!shut_write_ && !client_) {
            net::shutdown_write(fd_);
            shut_write_ = true;
        }
        if (peer_eof_) {
            destroy(ws_ever_ ? proto::kCloseNormal : 0, {});   // both directions are done
            return;
        }
    }
    update_interest();
    if (s.crossed) on_bound_crossed();
    settle_idle();   // all written: an idle WebSocket gives its busy state back
}

void Connection::on_bound_crossed() {
    const bool ws_or_http = mode_ == Mode::websocket || mode_ == Mode::http;
    if (output().over_bound()) {
        // A WebSocket or an HTTP stream whose reader stops reading: closed after backpressure_timeout.
        if (ws_or_http) worker_.reactor.arm(extras().backpressure_timer, worker_.settings.backpressure_timeout);
        return;
    }
    if (extras_) worker_.reactor.cancel(extras_->backpressure_timer);
    if (handler_ != nullptr) call_handler([this] { handler_->on_drain(*this); });
}

void Connection::update_interest() {
    if (mode_ == Mode::dead) return;
    net::EventMask want = 0;
    if (!read_paused_ && !budget_paused_) want |= net::kReadable;
    if (active_ != nullptr && active_->output.want_write()) want |= net::kWritable;
    if (want != interest_ && worker_.reactor.modify(fd_, want, this)) interest_ = want;
}

void Connection::set_read_paused(bool paused) {
    if (read_paused_ == paused) return;
    read_paused_ = paused;
    update_interest();
}

}  // namespace sluice::detail
