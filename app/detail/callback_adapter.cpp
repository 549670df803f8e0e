// app/detail/callback_adapter.cpp
#include "app/detail/callback_adapter.hpp"

#include "app/detail/connection.hpp"

namespace sluice::detail {

void CallbackAdapter::on_open(Connection& c) {
    if (callbacks_->on_open) callbacks_->on_open(c.context());
}

void CallbackAdapter::on_message(Connection& c, bool text, std::span<const std::uint8_t> bytes) {
    if (callbacks_->on_message) callbacks_->on_message(c.context(), Message(text, bytes));   // a view into the read
}

void CallbackAdapter::on_drain(Connection& c) {
    if (callbacks_->on_drain && c.is_ws()) callbacks_->on_drain(c.context());
}

void CallbackAdapter::on_close(Connection& c, std::uint16_t code, std::string_view reason) {
    if (callbacks_->on_close) callbacks_->on_close(c.context(), code, reason);
}

void CallbackAdapter::on_control(Connection& c, bool ping, std::span<const std::uint8_t> payload) {
    const auto& fn = ping ? callbacks_->on_ping : callbacks_->on_pong;
    if (fn) fn(c.context(), payload);
}

void CallbackAdapter::on_dropped(Connection& c, std::string_view topic) {
    if (callbacks_->on_dropped) callbacks_->on_dropped(c.context(), topic);
}

}  // namespace sluice::detail
