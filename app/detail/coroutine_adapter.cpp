// app/detail/coroutine_adapter.cpp
#include "app/detail/coroutine_adapter.hpp"

#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"

namespace sluice::detail {

CoroutineAdapter::~CoroutineAdapter() {
    waiter_ = {};
    task_.reset();   // the handler's frame first: its locals may still use the inbox
}

// ---- plain HTTP ------------------------------------------------------------------------------

void CoroutineAdapter::on_request(Connection& c) {
    c.context().attach(this);
    task_ = (*handler_)(c.context());
}

void CoroutineAdapter::settle_request(Connection& c) {
    if (!task_.done()) return;
    if (c.responded()) {
        if (!c.sse_stream()) c.end_stream();   // a stream ends with its coroutine; an SSE stream with its client
        return;
    }
    if (!c.call_handler([this] { task_.rethrow_if_failed(); })) {
        c.respond(500, "internal error\n", kTextPlain);
        return;
    }
    if (c.settle_push()) return;   // a long-poll held, or its POST answered
    // A coroutine route that does not answer plain HTTP: it wants a WebSocket.
    c.add_header("Upgrade", "websocket");
    c.respond(426, "this route speaks WebSocket\n", kTextPlain);
}

// ---- WebSocket -------------------------------------------------------------------------------

void CoroutineAdapter::on_open(Connection& c) {
    c.context().attach(this);
    task_ = (*handler_)(c.context());
    if (task_.done()) after_resume(c);   // let the end-of-handler rule run
}

void CoroutineAdapter::on_message(Connection& c, bool text, std::span<const std::uint8_t> bytes) {
    if (task_.done()) return;   // the handler has returned: nobody will read it
    // A coroutine may hold a Message across other awaits: it gets its own copy, in the
    // spare node (and its string's storage) when there is one: no allocation per message.
    Inbox& x = inbox(c);
    if (x.spare.empty()) {
        x.items.emplace_back();
    } else {
        x.items.splice(x.items.end(), x.spare, x.spare.begin());
    }
    x.items.back().text = text;
    x.items.back().bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    x.bytes += bytes.size();
    wake(c, Wait::receive);
    // The handler is not keeping up: stop reading (TCP flow control) until it catches up.
    if (x.bytes > c.worker().settings.max_backpressure) c.hold_input(true);
}

void CoroutineAdapter::on_close(Connection& c, std::uint16_t, std::string_view) {
    wake(c, Wait::none);   // receive() -> nullopt, send() -> closed: the handler finishes
}

// ---- the awaitables --------------------------------------------------------------------------

bool CoroutineAdapter::receive_ready(const Connection& c) const noexcept {
    return (inbox_ && !inbox_->items.empty()) || !c.conversing();
}

void CoroutineAdapter::wait_receive(Connection& c, std::coroutine_handle<> h,
                                    std::optional<std::chrono::milliseconds> timeout) {
    waiter_ = h;
    wait_ = Wait::receive;
    if (timeout) c.worker().reactor.arm(inbox(c).receive_timer, *timeout);
}

std::optional<Message> CoroutineAdapter::take_message(Connection& c) {
    if (!inbox_) return std::nullopt;
    Inbox& x = *inbox_;
    c.worker().reactor.cancel(x.receive_timer);
    if (x.items.empty()) return std::nullopt;
    // The message moves into current; current's old storage goes to the spare node, kept
    // only while small (kSpareInboundBytes) so a connection never holds a large one idle.
    Inbound& front = x.items.front();
    x.current.text = front.text;
    x.current.bytes.swap(front.bytes);
    if (x.spare.empty() && front.bytes.capacity() <= kSpareInboundBytes) {
        x.spare.splice(x.spare.end(), x.items, x.items.begin());
    } else {
        x.items.pop_front();
    }
    x.bytes -= x.current.bytes.size();
    if (x.bytes <= c.worker().settings.max_backpressure) c.hold_input(false);
    const std::string& bytes = x.current.bytes;
    return Message(x.current.text, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

// ---- resuming --------------------------------------------------------------------------------

CoroutineAdapter::Inbox& CoroutineAdapter::inbox(Connection& c) {
    if (inbox_) return *inbox_;
    inbox_ = std::make_unique<Inbox>();
    inbox_->receive_timer.set_callback([this, &c] {
        Worker::Scope scope(c.worker());
        wake(c, Wait::receive);   // receive_for() timed out: take_message() finds nothing
    });
    return *inbox_;
}

void CoroutineAdapter::wake(Connection& c, Wait what) {
    if (!waiter_ || (what != Wait::none && what != wait_)) return;
    wait_ = Wait::none;
    std::exchange(waiter_, {}).resume();
    after_resume(c);
}

void CoroutineAdapter::after_resume(Connection& c) {
    if (!task_.valid() || !task_.done()) return;
    if (!c.is_ws()) {
        c.worker().mark_progress(&c);   // HTTP: settle_request() answers for it
        return;
    }
    // The handler returned: the conversation is over (1011 if it threw).
    if (c.call_handler([this] { task_.rethrow_if_failed(); })) {
        c.close(1000, {});
    } else {
        c.close(1011, "internal error");
    }
}

}  // namespace sluice::detail
