// app/context.cpp — Context forwards to its connection; the awaitables wait in the
// coroutine adapter (app/detail/coroutine_adapter.hpp).
#include "app/context.hpp"

#include <utility>

#include "app/detail/connection.hpp"
#include "app/detail/coroutine_adapter.hpp"
#include "app/detail/worker.hpp"
#include "app/server.hpp"
#include "proto/http_fields.hpp"

namespace sluice {

detail::Connection& Context::conn() const noexcept {
    return static_cast<detail::Connection&>(const_cast<Context&>(*this));
}

void Context::attach(detail::CoroutineAdapter* co) noexcept { conn().set_coroutine_attached(co != nullptr); }

detail::CoroutineAdapter* Context::co() const noexcept {
    detail::HandlerAdapter* const h = conn().coroutine_handler();
    return h != nullptr ? static_cast<detail::CoroutineAdapter*>(h) : nullptr;
}

using detail::bytes_of;

// ---- awaitables ------------------------------------------------------------------------------

SendResult SendAwaitable::send_kind() const noexcept {
    detail::Connection* c = &ctx_->conn();
    if (kind_ == Kind::chunk) return c->write_chunk(payload_);
    if (kind_ == Kind::event) {
        proto::SseMessage m;
        m.data = std::string_view(reinterpret_cast<const char*>(payload_.data()), payload_.size());
        return c->send_event(m);
    }
    return c->send_message(kind_ == Kind::text, payload_);
}

SendAwaitable::SendAwaitable(const Context& ctx, Kind k, std::span<const std::uint8_t> p) noexcept
    : ctx_(&ctx), kind_(k), payload_(p) {
    detail::Connection* c = &ctx.conn();
    // Over the bound: wait for the drain (await_suspend), then send in await_resume.
    const bool ws = kind_ == Kind::text || kind_ == Kind::binary;
    deferred_ = ctx.co() != nullptr && (ws ? (c->can_send() && c->over_backpressure()) : c->over_backpressure());
    if (deferred_) return;
    result_ = send_kind();
}

void SendAwaitable::await_suspend(std::coroutine_handle<> h) noexcept { ctx_->co()->wait_send(h); }

SendResult SendAwaitable::await_resume() noexcept {
    if (!deferred_) return result_;
    deferred_ = false;
    result_ = send_kind();
    return result_;
}

bool ReceiveAwaitable::await_ready() noexcept {
    return ctx_->co() == nullptr || ctx_->co()->receive_ready(ctx_->conn());
}

void ReceiveAwaitable::await_suspend(std::coroutine_handle<> h) noexcept {
    ctx_->co()->wait_receive(ctx_->conn(), h,
                            has_timeout_ ? std::optional<std::chrono::milliseconds>(timeout_) : std::nullopt);
}

std::optional<Message> ReceiveAwaitable::await_resume() noexcept {
    return ctx_->co() != nullptr ? ctx_->co()->take_message(ctx_->conn()) : std::nullopt;
}

// ---- Context ---------------------------------------------------------------------------------

Context::~Context() { drop_user_data(); }

void Context::drop_user_data() noexcept {
    UserBox* box = std::exchange(user_, nullptr);
    if (box != nullptr) box->destroy(box);
}

std::string_view Context::method() const { return conn().request().method(); }
std::string_view Context::path() const { return conn().request().path(); }
std::string_view Context::query() const { return conn().request().query(); }
std::string_view Context::target() const { return conn().request().target(); }

std::optional<std::string_view> Context::header(std::string_view name) const {
    return conn().request().header(name);
}

std::string_view Context::param(std::string_view name) const { return conn().request().param(name).value_or(""); }

std::string_view Context::peer_address() const { return conn().peer(); }
std::string_view Context::scheme() const { return conn().https() ? "https" : "http"; }
bool Context::is_websocket() const { return conn().ws_ever(); }
std::string_view Context::subprotocol() const { return conn().subprotocol(); }
std::string_view Context::body() const { return conn().body(); }

void Context::respond(int status, std::string_view body, std::string_view content_type) {
    conn().respond(status, body, content_type);
}

Context& Context::set_header(std::string_view name, std::string_view value) {
    using proto::ascii_iequals;
    if (ascii_iequals(name, "Content-Length") || ascii_iequals(name, "Transfer-Encoding") ||
        ascii_iequals(name, "Connection") || ascii_iequals(name, "Date")) {
        return *this;
    }
    conn().add_header(name, value);
    return *this;
}

bool Context::responded() const { return conn().responded(); }

void Context::begin_stream(int status, std::string_view content_type) { conn().begin_stream(status, content_type); }
SendResult Context::write_chunk(std::string_view data) { return conn().write_chunk(bytes_of(data)); }
void Context::end_stream() { conn().end_stream(); }

SendResult Context::send_event(const SseEvent& e) {
    proto::SseMessage m;
    m.data = e.data;
    m.event = e.event;
    if (!e.id.empty()) m.id = e.id;
    if (e.retry_ms != 0) m.retry_ms = e.retry_ms;
    return conn().send_event(m);
}

SendAwaitable Context::send(std::string_view text) {
    const auto kind = conn().ws_ever()       ? SendAwaitable::Kind::text
                      : conn().sse_stream() ? SendAwaitable::Kind::event
                                            : SendAwaitable::Kind::chunk;
    return SendAwaitable(*this, kind, bytes_of(text));
}

SendAwaitable Context::send_binary(std::span<const std::uint8_t> bytes) {
    const auto kind = conn().ws_ever() ? SendAwaitable::Kind::binary : SendAwaitable::Kind::chunk;
    return SendAwaitable(*this, kind, bytes);
}

SendResult Context::send_now(std::string_view text) {
    if (conn().sse_stream()) return send_event({.data = text});
    return conn().ws_ever() ? conn().send_message(true, bytes_of(text)) : conn().write_chunk(bytes_of(text));
}

SendResult Context::send_binary_now(std::span<const std::uint8_t> bytes) {
    return conn().ws_ever() ? conn().send_message(false, bytes) : conn().write_chunk(bytes);
}

ReceiveAwaitable Context::receive() { return ReceiveAwaitable(*this, std::chrono::milliseconds(0), false); }

ReceiveAwaitable Context::receive_for(std::chrono::milliseconds timeout) {
    return ReceiveAwaitable(*this, timeout, true);
}

bool Context::open() const { return conn().ws_ever() ? conn().can_send() : !conn().dead(); }

void Context::close(std::uint16_t code, std::string_view reason) { conn().close(code, reason); }

void Context::ping(std::span<const std::uint8_t> payload) { conn().ping(payload); }

std::size_t Context::buffered_amount() const { return conn().buffered(); }

void Context::hold_reading(bool hold) { conn().hold_input(hold); }

void Context::subscribe(std::string_view topic) { conn().subscribe(topic); }
void Context::unsubscribe(std::string_view topic) { conn().unsubscribe(topic); }
bool Context::is_subscribed(std::string_view topic) const { return conn().subscribed(topic); }

std::uint64_t Context::missed_publishes() const { return conn().missed_publishes(); }

void Context::publish(std::string_view topic, std::string_view text) { server().publish(topic, text); }
void Context::publish_binary(std::string_view topic, std::span<const std::uint8_t> bytes) {
    server().publish_binary(topic, bytes);
}

TimerId Context::every(std::chrono::milliseconds interval, std::function<void()> fn) {
    return conn().add_timer(interval, true, std::move(fn));
}

TimerId Context::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    return conn().add_timer(delay, false, std::move(fn));
}

void Context::cancel(TimerId id) { conn().cancel_timer(id); }

Server& Context::server() { return conn().worker().state.server; }

}  // namespace sluice
