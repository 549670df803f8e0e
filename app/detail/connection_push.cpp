// app/detail/connection_push.cpp — a connection as a push transport's end: an SSE stream, a
// long-poll held until a message, a WebSocket that asked for ids; how a topic's message
// reaches each (deliver) and how a client coming back gets what it missed (on_subscribed).
//
//   SSE        open_push: Accept, resume id, 200 text/event-stream (chunked on 1.1,
//              close-delimited on 1.0), then the handler; the stream stays open (either
//              handler style) until the client leaves, end_stream() or shutdown. The
//              deadline timer is its heartbeat (sse_heartbeat). Input is read and dropped
//              (an EOF ends the stream at once).
//   long-poll  GET: the handler subscribes; a resume id with missed messages (or a reset)
//              answers at once, else the request is held (deadline: poll_timeout, then an
//              empty answer) until a message. POST: the handler's, 204 if it did not answer.
//   WebSocket  ?since= on the upgrade: topic messages in envelopes carrying their ids.
//
// Backpressure is the WebSocket's: the same output queue and bound; a message for a
// stream over max_backpressure is dropped, and one over it for backpressure_timeout closes.
#include <string>

#include "app/detail/connection.hpp"
#include "app/detail/extras.hpp"
#include "app/detail/publication.hpp"
#include "app/detail/push_formats.hpp"
#include "app/detail/push_request.hpp"
#include "app/detail/worker.hpp"
#include "net/socket.hpp"

namespace sluice::detail {

namespace {
constexpr std::string_view kJson = "application/json";
}

// ---- opening ---------------------------------------------------------------------------------

bool Connection::open_push() {
    const RouteTarget* route = http_->route();
    if (route == nullptr || route->push == RouteTarget::Push::none) return true;
    const bool sse = route->push == RouteTarget::Push::sse;
    if (sse && !accepts_event_stream(request_)) {
        respond(406, "this route answers text/event-stream\n", kTextPlain);   // RFC 9110 §15.5.7
        return false;
    }
    if (request_.method() != "POST" && resume_from(request_, sse).bad) {
        respond(400, "the resume id is not <epoch>:<seq>\n", kTextPlain);
        return false;
    }
    if (!sse) {
        poll_ = true;
        return true;
    }
    if (request_.head()) {   // RFC 9110 §9.3.2: the head of the stream, and no stream
        respond(200, {}, "text/event-stream");
        return false;
    }
    sse_ = true;
    add_header("Cache-Control", "no-cache");
    add_header("X-Accel-Buffering", "no");   // nginx: pass each event on at once
    begin_stream(200, "text/event-stream");
    set_kind(ConnectionKind::sse);
    arm_deadline(Deadline::heartbeat, worker_.settings.sse_heartbeat);
    return true;
}

bool Connection::accept_ws_resume() {
    const ResumeFrom from = resume_from(request_, false);
    ws_ids_ = from.asked;
    return !from.bad;
}

// ---- delivering --------------------------------------------------------------------------------

SendResult Connection::deliver(Publication& p, PublishDeflate& deflated, Subscription& s,
                               const core::SharedBytes& frame, std::size_t size, std::size_t header) {
    if (p.seq() != 0) {
        if (p.seq() <= s.seen) return SendResult::queued;   // replayed already (it was in the history when we subscribed)
        s.seen = p.seq();
    }
    if (mode_ == Mode::websocket) {
        if (ws_ids_ && p.text()) {
            const core::SharedBytes& e = p.ws_envelope();
            if (!e) return SendResult::dropped;
            return send_shared(e, e.size(), p.ws_envelope_header());
        }
        if (const std::optional<SendResult> r = deflated.send_to(*this)) return *r;
        return send_shared(frame, size, header);
    }
    if (mode_ != Mode::http || !p.text()) return SendResult::closed;   // SSE and long-poll carry text only
    if (sse_) return stream_shared(p.sse(!request_.http10()));
    if (deadline_ == Deadline::hold) answer_poll(p.poll_body());
    return SendResult::queued;
}

SendResult Connection::stream_shared(const core::SharedBytes& bytes) {
    if (!bytes || !http_->streaming()) return SendResult::closed;
    if (over_backpressure()) return SendResult::dropped;
    worker_.metrics.publish_deliveries.add();
    worker_.metrics.sent(bytes.size());
    wrote(output().queue_shared(bytes, bytes.size()));
    return SendResult::queued;
}

SendResult Connection::send_event(const proto::SseMessage& m) {
    if (mode_ != Mode::http || !sse_ || !http_->streaming()) return SendResult::closed;
    if (over_backpressure()) return SendResult::dropped;
    const std::string event = sse_event_bytes(m);
    if (event.empty()) return SendResult::dropped;   // an id or type with CR, LF or NUL
    return write_chunk(bytes_of(event));
}

// ---- resuming ----------------------------------------------------------------------------------

void Connection::on_subscribed(Subscription& s) {
    TopicHistory* h = worker_.state.histories.find(s.topic);
    if (h == nullptr) return;   // no history: live from now, whatever the client asked
    const bool ids = sse_ || poll_ || (mode_ == Mode::websocket && ws_ids_);
    const std::optional<ResumeFrom> from = ids ? std::optional<ResumeFrom>(resume_from(request_, sse_)) : std::nullopt;
    const std::optional<EventId> since = from ? from->id() : std::nullopt;
    TopicHistory::Replay r;
    {
        std::lock_guard<std::mutex> lock(h->mutex);
        r = h->replay(since, TopicHistory::Clock::now());
    }
    s.seen = r.last;   // live messages up to here are in the replay (or were missed by choice)
    if (!since) return;
    const std::string_view epoch = h->epoch();
    if (poll_) {
        if (!r.reset && r.messages.empty()) return;   // up to date: held for the next one
        std::string body;
        begin_poll_body(body, epoch);
        for (const TopicHistory::Entry& e : r.messages) {
            if (e.text) append_poll_message(body, epoch, e.seq, e.payload);
        }
        end_poll_body(body, r.reset);
        answer_poll(body);
        return;
    }
    if (r.reset) {
        if (sse_) {
            write_chunk(bytes_of(sse_reset_bytes(epoch, r.last)));
        } else {
            send_message(true, bytes_of(ws_reset_envelope(epoch, r.last)));
        }
        return;
    }
    for (const TopicHistory::Entry& e : r.messages) replay_one(epoch, e.seq, e.text, e.payload);
}

// One missed message, to this connection alone. Past max_backpressure it is dropped like a live one.
void Connection::replay_one(std::string_view epoch, std::uint64_t seq, bool text, std::string_view payload) {
    if (sse_) {
        if (text) write_chunk(bytes_of(sse_message_bytes(epoch, seq, payload)));
    } else if (!text) {
        send_message(false, bytes_of(payload));
    } else {
        send_message(true, bytes_of(ws_envelope(epoch, seq, payload)));
    }
}

// ---- long-poll ---------------------------------------------------------------------------------

bool Connection::settle_push() {
    if (!poll_ || mode_ != Mode::http || !http_->answering()) return false;
    if (request_.method() == "POST") {
        respond(204, {}, {});
        return true;
    }
    if (deadline_ == Deadline::hold) return true;   // held already
    const auto wait = query_raw(request_.query(), "wait");
    if (request_.head() || (wait && *wait == "0") || worker_.shutting_down) {
        answer_poll_empty(false);
        return true;
    }
    set_kind(ConnectionKind::long_poll);
    arm_deadline(Deadline::hold, worker_.settings.poll_timeout);
    return true;
}

void Connection::answer_poll(std::string_view body) {
    if (mode_ != Mode::http || !http_->answering()) return;
    arm_deadline(Deadline::none, {});
    add_header("Cache-Control", "no-store");
    respond(200, body, kJson);
}

// No message: the epoch of the first topic subscribed (the client keeps it), and none.
void Connection::answer_poll_empty(bool reset) {
    std::string_view epoch = worker_.state.histories.process_epoch();
    if (extras_ && extras_->first_subscription() != nullptr) {
        epoch = worker_.state.histories.epoch_of(extras_->first_subscription()->topic);
    }
    std::string body;
    begin_poll_body(body, epoch);
    end_poll_body(body, reset);
    answer_poll(body);
}

// ---- SSE ---------------------------------------------------------------------------------------

void Connection::sse_heartbeat() {
    if (mode_ != Mode::http || !sse_ || !http_->streaming()) return;
    static constexpr std::string_view kBeat = ": heartbeat\n";   // a comment (§9.2.6): never dispatched
    if (!over_backpressure()) write_chunk(bytes_of(kBeat));
    arm_deadline(Deadline::heartbeat, worker_.settings.sse_heartbeat);
}

void Connection::read_sse() {
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    for (int i = 0; i < 16; ++i) {   // a stream's client has nothing to say: read and drop
        const net::IoResult r = net::read_some(fd_, buffer);
        if (r.status == net::IoStatus::would_block) return;
        if (r.status != net::IoStatus::ok) {
            destroy();   // the client left (EventSource never half-closes)
            return;
        }
    }
}

// ---- endings -----------------------------------------------------------------------------------

void Connection::end_push() noexcept {
    // A push exchange's subscriptions and timers end with it: the keep-alive connection's
    // next request (a reconnecting EventSource, the next poll) subscribes afresh and resumes.
    if ((poll_ || sse_) && extras_) {
        extras_->drop_subscriptions();
        extras_->clear_timers();
    }
    if (deadline_ == Deadline::heartbeat || deadline_ == Deadline::hold) arm_deadline(Deadline::none, {});
    if (sse_ || poll_) set_kind(ConnectionKind::http);
    sse_ = false;
    poll_ = false;
}

void Connection::push_at_shutdown() {
    if (mode_ != Mode::http) return;
    if (sse_) {
        end_stream();
    } else if (deadline_ == Deadline::hold) {
        answer_poll_empty(false);
    }
}

}  // namespace sluice::detail
