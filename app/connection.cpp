// app/connection.cpp — see app/connection.hpp for the state machine.
#include "app/connection.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <exception>

#include "app/worker.hpp"
#include "net/socket.hpp"
#include "proto/http_writer.hpp"
#include "proto/ws_close.hpp"
#include "proto/ws_handshake.hpp"

namespace sluice::detail {

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

proto::HttpLimits limits_of(const Settings& s) noexcept {
    proto::HttpLimits l;
    l.max_request_line = s.max_request_line;
    l.max_header_section = s.http_buffer_size;
    l.max_headers = 100;
    l.max_body = s.max_body_size;
    return l;
}

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
      http_(std::make_unique<HttpExchange>(limits_of(worker.settings), worker.reactor.now())),
      output_(&worker.pool),
      ctx_(*this) {
    deadline_timer_.set_callback([this] {
        Worker::Scope scope(worker_);
        on_deadline();
    });
}

Connection::Extras& Connection::extras() {
    if (extras_) return *extras_;
    extras_ = std::make_unique<Extras>();
    extras_->backpressure_timer.set_callback([this] {
        Worker::Scope scope(worker_);
        if (!over_bound_ || (mode_ != Mode::websocket && mode_ != Mode::http)) return;
        const bool ws = mode_ == Mode::websocket;
        worker_.state.log("backpressure #" + std::to_string(id_) + " " + std::string(peer()) + ": over max_backpressure for " +
                          std::to_string(worker_.settings.backpressure_timeout.count()) + " ms, " +
                          (ws ? "closing with 1008" : "closing the HTTP stream"));
        if (ws) {
            close(proto::kClosePolicyViolation, "peer does not read");
        } else {
            destroy();   // an HTTP stream has no close frame: its reader cannot take more bytes anyway
        }
    });
    extras_->receive_timer.set_callback([this] {
        Worker::Scope scope(worker_);
        resume_task();
    });
    return *extras_;
}

Connection::~Connection() {
    receive_waiter_ = {};
    send_waiter_ = {};
    task_.reset();   // the handler's frame first: its locals may still use ctx_
    if (extras_) extras_->timers.clear();
    session_.reset();
    if (fd_ >= 0) {
        worker_.reactor.remove(fd_);
        net::close_fd(fd_);
    }
}

void Connection::start() {
    const Settings& s = worker_.settings;
    request_.set_peer(net::peer_address(fd_));
    net::set_nodelay(fd_, s.nodelay);
    if (s.linger) net::set_linger(fd_, true, 0);
    last_read_ = worker_.reactor.now();
    http_->accepted_at = last_read_;
    interest_ = net::kReadable;
    if (!worker_.reactor.add(fd_, interest_, this)) {
        destroy();
        return;
    }
    arm_deadline(Deadline::handshake, s.handshake_timeout);
    worker_.state.log("open #" + std::to_string(id_) + " " + std::string(peer()));
}

// ---- events ------------------------------------------------------------------------------

void Connection::on_events(net::EventMask events) noexcept {
    Worker::Scope scope(worker_);
    if (mode_ == Mode::dead) return;
    if ((events & net::kError) != 0 && (events & net::kReadable) == 0) {
        destroy();
        return;
    }
    if ((events & net::kWritable) != 0) flush();
    if (mode_ == Mode::dead) return;
    if ((events & (net::kReadable | net::kHangup | net::kError)) != 0 && !read_paused_) on_readable();
}

void Connection::on_readable() {
    switch (mode_) {
        case Mode::http: read_http(); break;
        case Mode::websocket: read_ws(); break;
        case Mode::teardown: drain_input(); break;
        case Mode::dead: break;
    }
}

void Connection::read_http() {
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    std::string& tail = http_->tail;
    const std::size_t kept = std::min(tail.size(), buffer.size());
    if (kept > 0) std::memcpy(buffer.data(), tail.data(), kept);
    tail.clear();
    std::size_t got = 0;
    if (kept < buffer.size()) {
        const net::IoResult r = net::read_some(fd_, buffer.subspan(kept));
        if (r.status == net::IoStatus::ok) {
            got = r.bytes;
            last_read_ = worker_.reactor.now();
        } else if (r.status == net::IoStatus::closed && r.error == 0) {
            // The peer's FIN: it sends no more, but may still read what we owe it
            // (a client that half-closes after its last request).
            keep_tail({reinterpret_cast<const std::uint8_t*>(buffer.data()), kept});
            peer_eof_ = true;
            close_after_ = true;
            read_paused_ = true;
            update_interest();
            if (phase_ != Phase::busy) begin_teardown();
            return;
        } else if (r.status != net::IoStatus::would_block) {
            destroy();   // a reset or an error: nothing more can be delivered
            return;
        }
    }
    std::span<std::uint8_t> input = buffer.first(kept + got);
    std::size_t pos = 0;
    process_http(input, pos);
    if (mode_ == Mode::http) keep_tail(input.subspan(pos));
}

void Connection::keep_tail(std::span<const std::uint8_t> rest) {
    std::string& tail = http_->tail;
    tail.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
    if (tail.empty()) tail.shrink_to_fit();   // an idle connection owns no input buffer
}

void Connection::process_http(std::span<std::uint8_t> input, std::size_t& pos) {
    const Settings& s = worker_.settings;
    while (mode_ == Mode::http && phase_ != Phase::busy && pos < input.size()) {
        if (phase_ == Phase::head) {
            if (!head_started_) {
                // RFC 9110 §15.5.9 (408): the head must be complete within header_timeout of
                // its first byte; a trickle does not extend it. The first request is also
                // bound by handshake_timeout counted from the accept.
                head_started_ = true;
                net::Clock::duration limit = s.header_timeout;
                if (first_request_) {
                    const auto left = http_->accepted_at + s.handshake_timeout - worker_.reactor.now();
                    if (left < limit) limit = left;
                }
                arm_deadline(Deadline::header, limit);
            }
            proto::HttpRequest req;
            const proto::HeadResult r = http_->parser.parse_head(input.subspan(pos), worker_.header_storage, req);
            if (r.status == proto::ParseStatus::need_more) return;
            if (r.status == proto::ParseStatus::error) {
                send_error(proto::http_status(r.error));
                return;
            }
            pos += r.consumed;
            first_request_ = false;
            if (proto::is_upgrade_request(req)) {
                upgrade(req, input.subspan(pos));
                pos = input.size();
                return;
            }
            head_complete(req);
            if (phase_ == Phase::body && req.expect_continue && pos == input.size()) {
                // RFC 9110 §10.1.1: tell the client to send the body it is holding back.
                queue_bytes(bytes_of("HTTP/1.1 100 Continue\r\n\r\n"));
            }
            continue;
        }
        // Phase::body: decoded in place, then appended to the request body.
        const proto::BodyResult r = http_->decoder.decode(input.subspan(pos));
        http_->body.append(reinterpret_cast<const char*>(input.data() + pos), r.produced);
        pos += r.consumed;
        if (r.status == proto::ParseStatus::error) {
            send_error(proto::http_status(r.error));
            return;
        }
        if (r.status == proto::ParseStatus::need_more) return;
        dispatch();
    }
}

void Connection::head_complete(const proto::HttpRequest& req) {
    request_.assign(req);
    http_->body.clear();
    http_->responded = http_->streaming = http_->stream_ended = false;
    http_->extra_headers.clear();
    const bool has_body = req.body_follows();
    RouteMatch m = worker_.state.router.match(request_.method(), request_.path(), false);
    if (m.status != RouteStatus::found) {
        if (has_body) close_after_ = true;   // the unread body cannot be skipped safely
        phase_ = Phase::busy;
        if (m.status == RouteStatus::not_found) {
            send_error(404);
        } else if (m.status == RouteStatus::method_not_allowed) {
            send_error(405, "Allow: " + m.allow + "\r\n");
        } else {
            send_error(426, "Upgrade: websocket\r\nConnection: Upgrade\r\n");
        }
        return;
    }
    target_ = worker_.state.targets[m.target].get();
    request_.add_params(std::span<const RouteParam>(m.params.items.data(), m.params.count));
    if (has_body) {
        http_->decoder.start(req, limits_of(worker_.settings));
        phase_ = Phase::body;
        // A body that stalls is a slowloris like a trickled head: the whole body must arrive
        // within body_timeout of the head's end (408 and close), however it trickles.
        arm_deadline(Deadline::body, worker_.settings.body_timeout);
        return;
    }
    dispatch();
}

void Connection::dispatch() {
    phase_ = Phase::busy;
    // The handler must answer (or start a stream) within response_timeout (503 and close).
    arm_deadline(Deadline::response, worker_.settings.response_timeout);
    try {
        if (target_->kind == RouteTarget::Kind::http) {
            target_->http(ctx_);
        } else {
            task_ = target_->task(ctx_);
        }
    } catch (const std::exception& e) {
        worker_.state.log("handler error #" + std::to_string(id_) + ": " + e.what());
        if (!responded()) respond(500, "internal error\n", "text/plain; charset=utf-8");
    }
    check_exchange();
}

bool Connection::exchange_complete() const noexcept {
    return http_ && http_->responded && (!http_->streaming || http_->stream_ended);
}

void Connection::progress() {
    if (mode_ != Mode::http) return;
    check_exchange();
    if (mode_ == Mode::http && phase_ != Phase::busy && !http_->tail.empty()) {
        std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
        std::string& tail = http_->tail;
        const std::size_t n = std::min(tail.size(), buffer.size());
        std::memcpy(buffer.data(), tail.data(), n);
        tail.clear();
        std::size_t pos = 0;
        process_http(buffer.first(n), pos);
        if (mode_ == Mode::http) keep_tail(buffer.subspan(pos, n - pos));
    }
}

void Connection::check_exchange() {
    if (phase_ == Phase::busy && target_ != nullptr) {
        if (!http_->responded) {
            if (target_->kind == RouteTarget::Kind::http) {
                respond(500, "the handler did not respond\n", "text/plain; charset=utf-8");
            } else if (task_.done()) {
                if (task_.failed()) {
                    respond(500, "internal error\n", "text/plain; charset=utf-8");
                } else {
                    // A coroutine route that does not answer plain HTTP: it wants a WebSocket.
                    add_header("Upgrade", "websocket");
                    respond(426, "this route speaks WebSocket\n", "text/plain; charset=utf-8");
                }
            }
        }
        if (http_->streaming && !http_->stream_ended && target_->kind == RouteTarget::Kind::task && task_.done()) end_stream();
        if (!exchange_complete()) {
            if (!read_paused_) {
                read_paused_ = true;   // pipelined requests wait; do not buffer more of them
                update_interest();
            }
            return;
        }
        finish_exchange();
    }
}

void Connection::finish_exchange() {
    receive_waiter_ = {};
    send_waiter_ = {};
    task_.reset();
    phase_ = Phase::head;
    head_started_ = false;
    http_->parser.reset();
    http_->body.clear();
    http_->body.shrink_to_fit();
    target_ = nullptr;
    if (close_after_ || !request_.keep_alive() || worker_.shutting_down) {
        begin_teardown();
        return;
    }
    arm_deadline(Deadline::idle, worker_.settings.idle_timeout);
    if (read_paused_) {
        read_paused_ = false;
        update_interest();
    }
    if (!http_->tail.empty()) worker_.mark_progress(this);
}

void Connection::send_error(int status, std::string_view extra_headers, std::string_view body) {
    const bool closes = proto::error_closes_connection(status) || close_after_ || !request_.keep_alive() ||
                        worker_.shutting_down || phase_ != Phase::busy;
    std::string extra(extra_headers);
    if (closes && !proto::error_closes_connection(status)) extra += "Connection: close\r\n";
    std::array<char, 2048> out;
    const std::size_t n = proto::write_error_response(status, out, extra, body);
    queue_bytes(bytes_of(std::string_view(out.data(), n)));
    http_->responded = true;
    if (closes) {
        close_after_ = true;
        begin_teardown();
    } else {
        finish_exchange();
    }
}

// ---- HTTP responses ------------------------------------------------------------------------

void Connection::add_header(std::string_view name, std::string_view value) {
    if (!http_ || http_->responded) return;
    http_->extra_headers.append(name).append(": ").append(value).append("\r\n");
}

void Connection::respond(int status, std::string_view body, std::string_view content_type) {
    if (mode_ != Mode::http || phase_ != Phase::busy || http_->responded) return;
    http_->responded = true;
    if (deadline_ == Deadline::response) arm_deadline(Deadline::none, {});
    worker_.dates.update(static_cast<std::int64_t>(std::time(nullptr)));
    const bool close = close_after_ || !request_.keep_alive() || worker_.shutting_down;
    const bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
    std::string head(256 + http_->extra_headers.size() + content_type.size(), '\0');
    proto::ResponseWriter w(std::span<char>(head.data(), head.size()));
    w.set_head_request(request_.head());
    w.status_line(status);
    w.date(worker_.dates);
    if (!content_type.empty() && !no_body) w.header("Content-Type", content_type);
    w.fields(http_->extra_headers);
    if (!no_body) w.content_length(body.size());
    if (close) w.header("Connection", "close");
    else if (request_.http10()) w.header("Connection", "keep-alive");
    w.end_head();
    if (!w.ok()) {
        http_->responded = false;
        http_->extra_headers.clear();
        respond(500, "invalid response header\n", "text/plain; charset=utf-8");
        return;
    }
    queue_bytes(bytes_of(w.view()));
    if (!request_.head() && !no_body) queue_bytes(bytes_of(body));
    if (close) close_after_ = true;
    worker_.mark_progress(this);
}

void Connection::begin_stream(int status, std::string_view content_type) {
    if (mode_ != Mode::http || phase_ != Phase::busy || http_->responded) return;
    http_->responded = http_->streaming = true;
    // A stream has no end the server can predict; a reader that stops reading is bounded
    // by backpressure_timeout instead (check_backpressure).
    if (deadline_ == Deadline::response) arm_deadline(Deadline::none, {});
    worker_.dates.update(static_cast<std::int64_t>(std::time(nullptr)));
    // RFC 9112 §7.1: chunked needs HTTP/1.1; an HTTP/1.0 client gets a close-delimited body.
    const bool chunked = http_->stream_chunked = !request_.http10();
    const bool close = close_after_ || !request_.keep_alive() || worker_.shutting_down || !chunked;
    std::string head(256 + http_->extra_headers.size() + content_type.size(), '\0');
    proto::ResponseWriter w(std::span<char>(head.data(), head.size()));
    w.status_line(status);
    w.date(worker_.dates);
    if (!content_type.empty()) w.header("Content-Type", content_type);
    w.fields(http_->extra_headers);
    if (chunked) w.chunked();
    if (close) w.header("Connection", "close");
    w.end_head();
    queue_bytes(bytes_of(w.view()));
    if (close) close_after_ = true;
}

SendResult Connection::write_chunk(std::span<const std::uint8_t> data) {
    if (mode_ != Mode::http || !http_->streaming || http_->stream_ended) return SendResult::closed;
    if (over_backpressure()) return SendResult::dropped;
    if (data.empty() || request_.head()) return SendResult::sent;
    const bool backlog = want_write_;
    if (http_->stream_chunked) {
        char size_line[24];
        int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
        queue_bytes(bytes_of(std::string_view(size_line, static_cast<std::size_t>(n))));
        queue_bytes(data);
        queue_bytes(bytes_of("\r\n"));
    } else {
        queue_bytes(data);
    }
    return backlog ? SendResult::queued : SendResult::sent;
}

void Connection::end_stream() {
    if (mode_ != Mode::http || !http_->streaming || http_->stream_ended) return;
    http_->stream_ended = true;
    if (http_->stream_chunked && !request_.head()) queue_bytes(bytes_of("0\r\n\r\n"));   // RFC 9112 §7.1 last-chunk
    worker_.mark_progress(this);
}

// ---- the WebSocket -------------------------------------------------------------------------

void Connection::upgrade(const proto::HttpRequest& req, std::span<std::uint8_t> rest) {
    request_.assign(req);
    http_->responded = false;
    phase_ = Phase::busy;
    RouteMatch m = worker_.state.router.match(request_.method(), request_.path(), true);
    if (m.status != RouteStatus::found) {
        close_after_ = true;   // bytes after the head may be frames: never parse them as HTTP
        send_error(404);
        return;
    }
    target_ = worker_.state.targets[m.target].get();
    request_.add_params(std::span<const RouteParam>(m.params.items.data(), m.params.count));
    proto::HandshakePolicy policy;
    policy.allowed_origins = worker_.state.origin_views;
    policy.subprotocols = target_->subprotocol_views;
    const proto::HandshakeDecision d = proto::evaluate_upgrade(req, policy);
    std::array<char, 1024> out;
    const std::size_t n = proto::write_handshake_response(d, out);
    queue_bytes(bytes_of(std::string_view(out.data(), n)));
    if (d.status != 101) {
        close_after_ = true;
        http_->responded = true;
        begin_teardown();
        return;
    }
    subprotocol_ = d.subprotocol;
    mode_ = Mode::websocket;
    http_.reset();   // nothing of the HTTP exchange is needed any more (the caller returns at once)
    proto::WsLimits limits;
    limits.max_frame_size = worker_.settings.max_message_size;
    limits.max_message_size = worker_.settings.max_message_size;
    session_.emplace(proto::Role::server, limits, hooks_, worker_.assembly.source());
    last_read_ = worker_.reactor.now();
    arm_deadline(Deadline::idle, worker_.settings.idle_timeout);
    worker_.state.log("upgrade #" + std::to_string(id_) + " " + std::string(peer()) + " " + std::string(request_.path()));
    try {
        if (target_->kind == RouteTarget::Kind::task) {
            task_ = target_->task(ctx_);
            if (task_.done()) resume_task();   // let the end-of-handler rule run
        } else if (target_->callbacks.on_open) {
            target_->callbacks.on_open(ctx_);
        }
    } catch (const std::exception& e) {
        worker_.state.log("handler error #" + std::to_string(id_) + ": " + e.what());
        close(proto::kCloseInternalError, "internal error");
    }
    if (mode_ == Mode::websocket && !rest.empty()) session_->feed(rest);
}

void Connection::read_ws() {
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    const net::IoResult r = net::read_some(fd_, buffer);
    if (r.status == net::IoStatus::would_block) return;
    if (r.status != net::IoStatus::ok) {
        destroy(proto::kCloseAbnormal, {});   // RFC 6455 §7.1.5: no close frame -> 1006
        return;
    }
    last_read_ = worker_.reactor.now();
    idle_pinged_ = false;   // any byte (a pong included) proves the peer alive
    session_->feed(buffer.first(r.bytes));
}

void Connection::on_ws_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
    const bool text = op == proto::Opcode::text;
    if (target_->kind == RouteTarget::Kind::callbacks) {
        if (!target_->callbacks.on_message) return;
        try {
            target_->callbacks.on_message(ctx_, Message(text, bytes));   // zero-copy: a view into the read
        } catch (const std::exception& e) {
            worker_.state.log("handler error #" + std::to_string(id_) + ": " + e.what());
            close(proto::kCloseInternalError, "internal error");
        }
        return;
    }
    if (!task_.valid() || task_.done()) return;   // the handler has returned: nobody will read it
    // A coroutine may hold a Message across other awaits: it gets its own copy, in the
    // spare node (and its string's storage) when there is one: no allocation per message.
    Extras& x = extras();
    if (x.spare.empty()) {
        x.inbox.emplace_back();
    } else {
        x.inbox.splice(x.inbox.end(), x.spare, x.spare.begin());
    }
    x.inbox.back().text = text;
    x.inbox.back().bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    x.inbox_bytes += bytes.size();
    if (receive_waiter_) {
        resume_task();
    }
    if (x.inbox_bytes > worker_.settings.max_backpressure && !read_paused_ && mode_ == Mode::websocket) {
        read_paused_ = true;   // the handler is not keeping up: stop reading (TCP flow control)
        update_interest();
    }
}

void Connection::on_ws_close(std::uint16_t code, std::string_view reason) {
    // RFC 6455 §7.1.5: the session has answered; the server closes TCP first (§7.1.1).
    notify_closed(code, reason);
    begin_teardown();
}

void Connection::on_ws_fail(std::uint16_t code) {
    // RFC 6455 §7.1.7: our close frame is queued; shut down sending, drain, close.
    notify_closed(code, "protocol error");
    begin_teardown();
}

bool Connection::can_send() const noexcept {
    // session_->can_send() is state() == open without computing the state (three flags).
    return mode_ == Mode::websocket && session_ && session_->can_send() && !closed_notified_;
}

bool Connection::over_backpressure() const noexcept { return output_.size() > worker_.settings.max_backpressure; }

SendResult Connection::send_message(bool text, std::span<const std::uint8_t> payload) {
    if (!can_send()) return SendResult::closed;
    if (over_backpressure()) return SendResult::dropped;
    const bool backlog = want_write_;
    session_->send_message(text ? proto::Opcode::text : proto::Opcode::binary, payload);
    return backlog ? SendResult::queued : SendResult::sent;
}

void Connection::send_shared(const core::SharedBytes& frame, std::size_t size) {
    if (!can_send() || over_backpressure()) return;
    output_.append_shared(frame, size);
    mark_dirty();
    check_backpressure();
}

void Connection::close(std::uint16_t code, std::string_view reason) {
    if (mode_ == Mode::http) {
        close_after_ = true;
        if (phase_ != Phase::busy) begin_teardown();
        return;
    }
    if (mode_ != Mode::websocket || !session_) return;
    // RFC 6455 §7.4.1: 1005, 1006, 1015 and unassigned codes never go on the wire.
    if (!proto::is_valid_wire_close_code(code)) code = proto::kCloseNormal;
    if (!session_->send_close(code, cut_reason(reason)) && !session_->send_close(code, {})) return;
    mark_dirty();
    arm_deadline(Deadline::close, worker_.settings.close_timeout);
    if (send_waiter_) resume_task();   // a coroutine waiting to send learns it is closed
}

void Connection::ping(std::span<const std::uint8_t> payload) {
    if (!can_send()) return;
    session_->send_ping(payload.first(std::min<std::size_t>(payload.size(), proto::kMaxControlPayload)));
}

// ---- coroutine glue ------------------------------------------------------------------------

bool Connection::receive_ready() const noexcept {
    return (extras_ && !extras_->inbox.empty()) || mode_ != Mode::websocket || closed_notified_;
}

void Connection::wait_receive(std::coroutine_handle<> h, std::optional<std::chrono::milliseconds> timeout) {
    receive_waiter_ = h;
    if (timeout) worker_.reactor.arm(extras().receive_timer, *timeout);
}

std::optional<Message> Connection::take_message() {
    if (!extras_) return std::nullopt;
    Extras& x = *extras_;
    worker_.reactor.cancel(x.receive_timer);
    if (x.inbox.empty()) return std::nullopt;
    // The message moves into current; current's old storage goes to the spare node, kept
    // only while small (kSpareInboundBytes) so a connection never holds a large one idle.
    Inbound& front = x.inbox.front();
    x.current.text = front.text;
    x.current.bytes.swap(front.bytes);
    if (x.spare.empty() && front.bytes.capacity() <= kSpareInboundBytes) {
        x.spare.splice(x.spare.end(), x.inbox, x.inbox.begin());
    } else {
        x.inbox.pop_front();
    }
    x.inbox_bytes -= x.current.bytes.size();
    if (read_paused_ && mode_ == Mode::websocket && x.inbox_bytes <= worker_.settings.max_backpressure) {
        read_paused_ = false;
        update_interest();
    }
    return Message(x.current.text, bytes_of(x.current.bytes));
}

void Connection::resume_task() {
    std::coroutine_handle<> h = std::exchange(receive_waiter_, {});
    if (!h) h = std::exchange(send_waiter_, {});
    if (h) h.resume();
    if (!task_.valid() || !task_.done()) return;
    if (mode_ == Mode::websocket) {
        // The handler returned: the conversation is over (1011 if it threw).
        if (task_.failed()) {
            try {
                task_.rethrow_if_failed();
            } catch (const std::exception& e) {
                worker_.state.log("handler error #" + std::to_string(id_) + ": " + e.what());
            } catch (...) {
            }
            close(proto::kCloseInternalError, "internal error");
        } else {
            close(proto::kCloseNormal, {});
        }
    } else if (mode_ == Mode::http) {
        worker_.mark_progress(this);
    }
}

void Connection::notify_closed(std::uint16_t code, std::string_view reason) {
    if (closed_notified_) return;
    closed_notified_ = true;
    drop_subscriptions();
    if (session_ && target_ != nullptr) {
        try {
            if (target_->kind == RouteTarget::Kind::callbacks) {
                if (target_->callbacks.on_close) target_->callbacks.on_close(ctx_, code, reason);
            } else if (receive_waiter_ || send_waiter_) {
                resume_task();   // receive() -> nullopt, send() -> closed: the handler finishes
            }
        } catch (const std::exception& e) {
            worker_.state.log("handler error #" + std::to_string(id_) + ": " + e.what());
        }
    }
    log_close(code, reason);
}

void Connection::log_close(std::uint16_t code, std::string_view reason) {
    std::string line = "close #" + std::to_string(id_) + " " + std::string(peer());
    if (session_) {
        line += " ws " + std::to_string(code);
        if (!reason.empty()) line.append(" ").append(reason);
    } else {
        line += " http";
    }
    worker_.state.log(line);
}

// ---- pub/sub and timers --------------------------------------------------------------------

void Connection::subscribe(std::string_view topic) {
    if (closed_notified_ || mode_ == Mode::dead || subscribed(topic)) return;
    extras().subscriptions.push_back(worker_.topics.subscribe(topic, this));
}

void Connection::unsubscribe(std::string_view topic) {
    if (!extras_) return;
    std::vector<Subscription*>& subs = extras_->subscriptions;
    for (auto it = subs.begin(); it != subs.end(); ++it) {
        if ((*it)->topic == topic) {
            worker_.topics.unsubscribe(*it);
            subs.erase(it);
            return;
        }
    }
}

bool Connection::subscribed(std::string_view topic) const {
    if (!extras_) return false;
    const std::vector<Subscription*>& subs = extras_->subscriptions;
    return std::any_of(subs.begin(), subs.end(),
                       [topic](const Subscription* s) { return s->topic == topic; });
}

TimerId Connection::add_timer(std::chrono::milliseconds period, bool repeat, std::function<void()> fn) {
    if (mode_ == Mode::dead) return 0;
    Extras& x = extras();
    const TimerId id = x.next_timer_id++;
    auto t = std::make_unique<UserTimer>();
    t->fn = std::move(fn);
    t->period = period;
    t->repeat = repeat;
    t->timer.set_callback([this, id] {
        Worker::Scope scope(worker_);
        auto& timers = extras_->timers;
        auto it = timers.find(id);
        if (it == timers.end()) return;
        std::function<void()> call;
        if (it->second->repeat) {
            worker_.reactor.arm(it->second->timer, it->second->period);
            call = it->second->fn;   // a copy: the callback may cancel its own timer
        } else {
            call = std::move(it->second->fn);
            timers.erase(it);
        }
        try {
            if (call) call();
        } catch (const std::exception& e) {
            worker_.state.log("timer error #" + std::to_string(id_) + ": " + e.what());
        }
    });
    worker_.reactor.arm(t->timer, period);
    x.timers.emplace(id, std::move(t));
    return id;
}

void Connection::cancel_timer(TimerId id) {
    if (extras_) extras_->timers.erase(id);
}

void Connection::drop_subscriptions() {
    if (!extras_) return;
    for (Subscription* s : extras_->subscriptions) worker_.topics.unsubscribe(s);
    extras_->subscriptions.clear();
}

// ---- output --------------------------------------------------------------------------------

void Connection::queue_bytes(std::span<const std::uint8_t> bytes) {
    if (mode_ == Mode::dead || bytes.empty()) return;
    if (!output_.append_copy(bytes)) {
        destroy();
        return;
    }
    if (!in_dirty) mark_dirty();
    if (over_backpressure() != over_bound_) check_backpressure();   // only a crossing does anything
}

// A large frame goes to the socket now, behind whatever is queued, in one writev; only
// what the kernel refuses is copied into the queue. Large means more than half a pool
// block: the size at which OutputQueue::append_copy would take a heap block of the
// frame's own size (a malloc, a copy and a free per message, which cost more than the
// syscall), while smaller frames are copied into a pooled block and coalesce with the
// other frames of this callback into the end-of-callback writev.
void Connection::write_frame(std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload) {
    if (mode_ != Mode::websocket || want_write_ || payload.size() <= worker_.pool.block_size() / 2) {
        queue_bytes(head);
        queue_bytes(payload);
        return;
    }
    struct iovec iov[64];
    const int n = output_.gather(iov, 62);
    std::size_t queued = 0;
    for (int i = 0; i < n; ++i) queued += iov[i].iov_len;
    if (queued != output_.size()) {   // more segments than iovecs: keep the order, queue it all
        queue_bytes(head);
        queue_bytes(payload);
        return;
    }
    iov[n] = {const_cast<std::uint8_t*>(head.data()), head.size()};
    iov[n + 1] = {const_cast<std::uint8_t*>(payload.data()), payload.size()};
    const net::IoResult r = net::writev_some(fd_, iov, n + 2);
    // A hard error (EPIPE, ECONNRESET) is left to flush(): everything is queued, and the
    // end-of-callback writev meets the same error and tears the connection down as before.
    std::size_t written = r.status == net::IoStatus::ok ? r.bytes : 0;
    const std::size_t from_queue = std::min(written, queued);
    output_.consume(from_queue);
    written -= from_queue;
    const std::size_t from_head = std::min(written, head.size());
    written -= from_head;
    if (!output_.append_copy(head.subspan(from_head)) || !output_.append_copy(payload.subspan(written))) {
        destroy();
        return;
    }
    if (output_.empty()) return;
    if (r.status == net::IoStatus::ok || r.status == net::IoStatus::would_block) {
        want_write_ = true;   // the kernel refused the rest: wait for kWritable
        update_interest();
    } else {
        mark_dirty();
    }
    check_backpressure();
}

void Connection::mark_dirty() { worker_.mark_dirty(this); }

void Connection::flush() {
    if (mode_ == Mode::dead) return;
    while (!output_.empty()) {
        struct iovec iov[64];
        const int n = output_.gather(iov, 64);
        std::size_t want = 0;
        for (int i = 0; i < n; ++i) want += iov[i].iov_len;
        const net::IoResult r = net::writev_some(fd_, iov, n);
        if (r.status == net::IoStatus::ok) {
            output_.consume(r.bytes);
            if (r.bytes < want) {
                want_write_ = true;
                break;
            }
            continue;
        }
        if (r.status == net::IoStatus::would_block) {
            want_write_ = true;
            break;
        }
        destroy();   // EPIPE / ECONNRESET: the peer is gone
        return;
    }
    if (output_.empty()) want_write_ = false;
    if (mode_ == Mode::teardown && output_.empty()) {
        if (!shut_write_) {
            net::shutdown_write(fd_);
            shut_write_ = true;
        }
        if (peer_eof_) {
            destroy(session_ ? proto::kCloseNormal : 0, {});   // both directions are done
            return;
        }
    }
    update_interest();
    check_backpressure();
}

void Connection::check_backpressure() {
    const bool over = over_backpressure();
    if (over == over_bound_) return;
    over_bound_ = over;
    if (over) {
        // A WebSocket or an HTTP stream whose reader stops reading: closed after backpressure_timeout.
        if (mode_ == Mode::websocket || mode_ == Mode::http) worker_.reactor.arm(extras().backpressure_timer, worker_.settings.backpressure_timeout);
        return;
    }
    if (extras_) worker_.reactor.cancel(extras_->backpressure_timer);
    if (send_waiter_) {
        resume_task();
    } else if (mode_ == Mode::websocket && target_ != nullptr && target_->kind == RouteTarget::Kind::callbacks &&
               target_->callbacks.on_drain) {
        try {
            target_->callbacks.on_drain(ctx_);
        } catch (const std::exception& e) {
            worker_.state.log("handler error #" + std::to_string(id_) + ": " + e.what());
        }
    }
}

void Connection::update_interest() {
    if (mode_ == Mode::dead) return;
    net::EventMask want = 0;
    if (!read_paused_) want |= net::kReadable;
    if (want_write_) want |= net::kWritable;
    if (want != interest_ && worker_.reactor.modify(fd_, want, this)) interest_ = want;
}

// ---- endings -------------------------------------------------------------------------------

void Connection::begin_teardown() {
    if (mode_ == Mode::teardown || mode_ == Mode::dead) return;
    mode_ = Mode::teardown;
    if (extras_) worker_.reactor.cancel(extras_->backpressure_timer);
    arm_deadline(Deadline::close, worker_.settings.close_timeout);
    read_paused_ = peer_eof_;
    if (http_) {
        http_->tail.clear();
        http_->tail.shrink_to_fit();
    }
    mark_dirty();   // the flush shuts down our side once the queue is out
}

void Connection::drain_input() {
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    for (int i = 0; i < 16; ++i) {
        const net::IoResult r = net::read_some(fd_, buffer);
        if (r.status == net::IoStatus::would_block) return;
        if (r.status != net::IoStatus::ok) {
            peer_eof_ = true;
            if (output_.empty() || r.error != 0) {
                destroy(session_ ? proto::kCloseNormal : 0, {});
            } else {
                read_paused_ = true;   // still writing what we owe; the flush closes
                update_interest();
            }
            return;
        }
    }
}

void Connection::shutdown_gracefully() {
    if (mode_ == Mode::websocket) {
        close(proto::kCloseGoingAway, "server shutting down");   // RFC 6455 §7.4.1: 1001
    } else if (mode_ == Mode::http) {
        close_after_ = true;
        if (phase_ != Phase::busy && !head_started_) begin_teardown();
    }
}

void Connection::destroy(std::uint16_t code, std::string_view reason) {
    if (mode_ == Mode::dead) return;
    notify_closed(code, reason);
    mode_ = Mode::dead;
    worker_.reactor.cancel(deadline_timer_);
    if (extras_) {
        worker_.reactor.cancel(extras_->backpressure_timer);
        worker_.reactor.cancel(extras_->receive_timer);
        extras_->timers.clear();
    }
    drop_subscriptions();
    worker_.reactor.remove(fd_);
    net::close_fd(fd_);
    fd_ = -1;
    output_.clear();
    worker_.state.connections.fetch_sub(1);
    worker_.bury(this);
}

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
    switch (deadline_) {
        case Deadline::none: break;
        case Deadline::handshake:
        case Deadline::header:
            if (mode_ != Mode::http) break;
            if (head_started_) {
                send_error(408);   // RFC 9110 §15.5.9, then close
            } else {
                begin_teardown();
            }
            break;
        case Deadline::body:
            if (mode_ != Mode::http || phase_ != Phase::body) break;
            phase_ = Phase::busy;   // the error answers this request; the rest of its body is never read
            send_error(408);        // RFC 9110 §15.5.9: the body did not arrive in time; close
            break;
        case Deadline::response:
            if (mode_ != Mode::http || phase_ != Phase::busy || http_->responded) break;
            worker_.state.log("response timeout #" + std::to_string(id_) + " " + std::string(peer()) + ": no answer in " +
                              std::to_string(s.response_timeout.count()) + " ms");
            close_after_ = true;
            respond(503, "the handler did not answer in time\n", "text/plain; charset=utf-8");
            break;
        case Deadline::idle:
            if (mode_ == Mode::http) {
                begin_teardown();
            } else if (mode_ == Mode::websocket) {
                // Re-armed lazily from last_read_, not per read. A quiet peer is pinged
                // first (RFC 6455 §5.5.2; browsers answer pings but never send them), and
                // closed only if a whole further idle_timeout passes without a byte.
                const auto quiet = worker_.reactor.now() - last_read_;
                if (quiet < s.idle_timeout) {
                    arm_deadline(Deadline::idle, s.idle_timeout - quiet);
                } else if (!idle_pinged_ && can_send()) {
                    idle_pinged_ = true;
                    session_->send_ping({});
                    last_read_ = worker_.reactor.now();   // the peer gets a whole idle_timeout to answer
                    arm_deadline(Deadline::idle, s.idle_timeout);
                } else {
                    close(proto::kCloseGoingAway, "idle timeout");
                }
            }
            break;
        case Deadline::close:
            destroy(proto::kCloseAbnormal, "close timeout");
            break;
    }
}

}  // namespace sluice::detail
