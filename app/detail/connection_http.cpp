// app/detail/connection_http.cpp — a connection in its HTTP mode: bytes to the exchange,
// each step acted on (deadlines, routing, the handler's turn), the answers forwarded to the
// exchange and the output. The state is the exchange's (app/detail/http_exchange.hpp); what
// is here is the glue to the rest of the connection (app/detail/connection.hpp).
#include <algorithm>
#include <cstring>
#include <ctime>

#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"
#include "net/socket.hpp"

namespace sluice::detail {

// ---- reading ------------------------------------------------------------------------------------

void Connection::read_http() {
    if (sse_) {
        read_sse();
        return;
    }
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    std::string& tail = http_->tail();
    const std::size_t kept = std::min(tail.size(), buffer.size());
    if (kept > 0) std::memcpy(buffer.data(), tail.data(), kept);
    tail.clear();
    std::size_t got = 0;
    if (kept < buffer.size()) {
        const net::IoResult r = net::read_some(fd_, buffer.subspan(kept));
        if (r.status == net::IoStatus::ok) {
            got = r.bytes;
        } else if (r.status == net::IoStatus::closed && r.error == 0) {
            // The peer's FIN: it sends no more, but may still read what we owe it
            // (a client that half-closes after its last request).
            http_->keep_tail(buffer.first(kept));
            peer_eof_ = true;
            http_->close_after();
            set_read_paused(true);
            if (http_->phase() != HttpExchange::Phase::busy) begin_teardown();
            return;
        } else if (r.status != net::IoStatus::would_block) {
            destroy();   // a reset or an error: nothing more can be delivered
            return;
        }
    }
    on_http_input(buffer.first(kept + got));
}

// Feeds `input` to the exchange and acts on each step; keeps the unparsed rest.
void Connection::on_http_input(std::span<std::uint8_t> input) {
    std::size_t pos = 0;
    bool continue_100 = false;
    while (mode_ == Mode::http && http_->phase() != HttpExchange::Phase::busy && pos < input.size()) {
        proto::HttpRequest req;
        const HttpExchange::Step step = http_->parse(input, pos, worker_.header_storage, req);
        using Kind = HttpExchange::Step::Kind;
        if (step.kind == Kind::need_more) break;
        switch (step.kind) {
            case Kind::head_begun:
                http_->tally = RequestTally{.begun = worker_.access.enabled() ? AccessLog::now() : net::TimePoint{}};
                arm_deadline(Deadline::header, http_->head_deadline(worker_.settings, worker_.reactor.now()));
                break;
            case Kind::error: send_error(step.status); break;
            case Kind::upgrade: upgrade(req, input.subspan(pos)); return;
            case Kind::head:
                route_request(req, continue_100);
                // RFC 9110 §10.1.1: tell the client to send the body it is holding back.
                if (continue_100 && pos == input.size()) wrote(http_->continue_100(output()));
                break;
            case Kind::body_done: dispatch(); break;
            case Kind::need_more: break;
        }
    }
    if (mode_ == Mode::http) http_->keep_tail(input.subspan(pos));
}

void Connection::route_request(const proto::HttpRequest& req, bool& continue_100) {
    if (!worker_.state.trusted_proxies.empty()) take_forwarded(req);
    request_.assign(req, peer_to_keep());
    http_->tally.routed = true;
    RouteMatch m = worker_.state.router.match(request_.method(), request_.path(), false);
    const RouteTarget* route = m.status == RouteStatus::found ? worker_.state.targets[m.target].get() : nullptr;
    const bool body = http_->begin_request(req, route, HttpExchange::limits(worker_.settings));
    if (route == nullptr) {
        if (m.status == RouteStatus::not_found) {
            send_error(404);
        } else if (m.status == RouteStatus::method_not_allowed) {
            send_error(405, "Allow: " + m.allow + "\r\n");
        } else {
            send_error(426, "Upgrade: websocket\r\nConnection: Upgrade\r\n");
        }
        return;
    }
    request_.add_params(std::span<const RouteParam>(m.params.items.data(), m.params.count));
    if (body) {
        // A body that stalls is a slowloris like a trickled head: the whole body must arrive
        // within body_timeout of the head's end (408 and close), however it trickles.
        arm_deadline(Deadline::body, worker_.settings.body_timeout);
        continue_100 = req.expect_continue;
        return;
    }
    dispatch();
}

void Connection::dispatch() {
    // The handler must answer (or start a stream) within response_timeout (503 and close).
    arm_deadline(Deadline::response, worker_.settings.response_timeout);
    start_adapter(http_->route());
    if (!open_push()) {   // a push route's request refused (400, 406) or answered (HEAD)
        check_exchange();
        return;
    }
    if (!call_handler([this] { handler_->on_request(*this); })) respond(500, "internal error\n", kTextPlain);
    check_exchange();
}

void Connection::progress() {
    if (mode_ != Mode::http) return;
    if (http_->gate) {
        settle_upgrade_hook();   // an upgrade hook that was waiting may have returned
        return;
    }
    check_exchange();
    if (mode_ != Mode::http || http_->phase() == HttpExchange::Phase::busy || http_->tail().empty()) return;
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();   // pipelined requests
    std::string& tail = http_->tail();
    const std::size_t n = std::min(tail.size(), buffer.size());
    std::memcpy(buffer.data(), tail.data(), n);
    tail.clear();
    on_http_input(buffer.first(n));
}

void Connection::check_exchange() {
    if (http_->phase() != HttpExchange::Phase::busy || handler_ == nullptr) return;
    handler_->settle_request(*this);
    if (mode_ != Mode::http) return;
    if (!http_->complete()) {
        set_read_paused(!sse_);   // pipelined requests wait; do not buffer more of them (an SSE stream reads its client's EOF)
        return;
    }
    finish_exchange();
}

void Connection::finish_exchange() {
    end_push();
    log_request();
    end_adapter();
    http_->next_request();
    if (http_->closes(request_, worker_.shutting_down)) {
        begin_teardown();
        return;
    }
    arm_deadline(Deadline::idle, worker_.settings.idle_timeout);
    set_read_paused(false);
    if (!http_->tail().empty()) worker_.mark_progress(this);
}

void Connection::send_error(int status, std::string_view extra_headers, std::string_view body) {
    worker_.metrics.http_response(status);
    http_->tally.answered(status, body.empty() ? proto::http_reason_phrase(status).size() + 1 : body.size());
    wrote(http_->send_error(output(), answer(), status, extra_headers, body));
    if (http_->closing()) {
        log_request();
        begin_teardown();
    } else {
        finish_exchange();
    }
}

void Connection::log_request() {
    if (!http_ || http_->tally.status == 0 || !worker_.access.pick()) return;
    worker_.state.log(AccessLog::http_line(id_, peer(), request_.method(), request_.target(), http_->tally,
                                           AccessLog::now()));
    http_->tally.status = 0;   // once
}

HttpExchange::Answer Connection::answer() {
    worker_.dates.update(static_cast<std::int64_t>(std::time(nullptr)));
    return {request_, worker_.dates, worker_.shutting_down};
}

void Connection::add_header(std::string_view name, std::string_view value) {
    if (http_) http_->add_header(name, value);
}

void Connection::respond(int status, std::string_view body, std::string_view content_type) {
    if (mode_ != Mode::http || !http_->answering()) return;
    if (deadline_ == Deadline::response) arm_deadline(Deadline::none, {});
    worker_.metrics.http_response(status);
    http_->tally.answered(status, body.size());
    wrote(http_->respond(output(), answer(), status, body, content_type));
    worker_.mark_progress(this);
}

void Connection::begin_stream(int status, std::string_view content_type) {
    if (mode_ != Mode::http || !http_->answering()) return;
    // A stream has no end the server can predict; a reader that stops reading is bounded
    // by backpressure_timeout instead (on_bound_crossed).
    if (deadline_ == Deadline::response) arm_deadline(Deadline::none, {});
    worker_.metrics.http_response(status);
    http_->tally.answered(status, 0);
    wrote(http_->begin_stream(output(), answer(), status, content_type));
}

SendResult Connection::write_chunk(std::span<const std::uint8_t> data) {
    if (mode_ != Mode::http || !http_->streaming()) return SendResult::closed;
    if (over_backpressure()) {
        worker_.metrics.sends_dropped.add();
        return SendResult::dropped;
    }
    if (data.empty() || request_.head()) return SendResult::sent;   // an empty chunk would end the body
    const bool backlog = output().want_write();
    http_->tally.bytes += data.size();
    wrote(http_->write_chunk(output(), request_.head(), data));
    return backlog ? SendResult::queued : SendResult::sent;
}

void Connection::end_stream() {
    if (mode_ != Mode::http || !http_->streaming()) return;
    wrote(http_->end_stream(output(), request_.head()));
    worker_.mark_progress(this);
}

}  // namespace sluice::detail
