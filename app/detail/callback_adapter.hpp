// app/detail/callback_adapter.hpp — the callback style, Server::route(path, WsCallbacks): a
// WebSocket whose messages reach on_message as views into the read (zero-copy). A plain
// HTTP request never reaches it (the router answers 426), so it serves only the WebSocket calls.
#pragma once

#include "app/detail/handler_adapter.hpp"
#include "app/handler.hpp"

namespace sluice::detail {

class CallbackAdapter final : public HandlerAdapter {  // Does not own the callbacks (its route does).
 public:
    explicit CallbackAdapter(const WsCallbacks& callbacks) noexcept : callbacks_(&callbacks) {}
    void on_open(Connection& c) override;
    void on_message(Connection& c, bool text, std::span<const std::uint8_t> bytes) override;
    void on_drain(Connection& c) override;
    void on_close(Connection& c, std::uint16_t code, std::string_view reason) override;
    void on_control(Connection& c, bool ping, std::span<const std::uint8_t> payload) override;
    void on_dropped(Connection& c, std::string_view topic) override;

 private:
    const WsCallbacks* callbacks_;
};

using CallbackRoute = RouteOf<CallbackAdapter, WsCallbacks>;

}  // namespace sluice::detail
