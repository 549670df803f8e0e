// app/detail/coroutine_adapter.hpp — the coroutine style (Server::route(path, Handler)): one
// Task per WebSocket conversation, or per plain HTTP request to the route.
//
// It owns everything the coroutine waits on: the Task's frame, the one suspended awaiter,
// the inbox of received messages and the receive_for() timer. Context's awaitables talk to
// it directly (the Context points to it from the Task's start until the adapter ends):
//
//   Connection ─on_message─▶ CoroutineAdapter: copy into the inbox ─▶ resume the waiter
//   co_await ctx.receive() ─▶ ReceiveAwaitable ─▶ receive_ready / wait_receive / take_message
//
// Memory: the inbox (and its timer) is allocated on the first message or receive_for() and
// recycles one small node, so steady traffic allocates nothing per message.
#pragma once

#include <chrono>
#include <coroutine>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "app/detail/handler_adapter.hpp"
#include "app/handler.hpp"
#include "app/message.hpp"
#include "app/task.hpp"
#include "net/timer.hpp"

namespace sluice::detail {

class CoroutineAdapter final : public HandlerAdapter {  // Owns the Task's frame and the inbox; not the handler.
 public:
    explicit CoroutineAdapter(const Handler& handler) noexcept : handler_(&handler) {}
    ~CoroutineAdapter() override;

    void on_request(Connection& c) override;
    void settle_request(Connection& c) override;
    void on_open(Connection& c) override;
    void on_message(Connection& c, bool text, std::span<const std::uint8_t> bytes) override;
    void on_drain(Connection& c) override { wake(c, Wait::send); }
    void on_closing(Connection& c) override { wake(c, Wait::send); }
    void on_close(Connection& c, std::uint16_t code, std::string_view reason) override;

    // ---- the awaitables (app/context.hpp) ----
    bool receive_ready(const Connection& c) const noexcept;
    void wait_receive(Connection& c, std::coroutine_handle<> h, std::optional<std::chrono::milliseconds> timeout);
    std::optional<Message> take_message(Connection& c);
    void wait_send(std::coroutine_handle<> h) noexcept {
        waiter_ = h;
        wait_ = Wait::send;
    }

 private:
    enum class Wait : std::uint8_t { none, receive, send };
    struct Inbound {
        bool text = true;
        std::string bytes;
    };
    static constexpr std::size_t kSpareInboundBytes = 1024;
    struct Inbox {   // Owns the queued messages, one spare node and the receive_for() timer.
        net::Timer receive_timer;
        std::list<Inbound> items;   // a list: an empty one allocates nothing (std::deque would)
        std::list<Inbound> spare;   // 0 or 1 node recycled into items (storage <= kSpareInboundBytes)
        std::size_t bytes = 0;
        Inbound current{true, {}};
    };
    Inbox& inbox(Connection& c);
    void wake(Connection& c, Wait what);   // resumes the waiter if it waits for `what` (none: any)
    void after_resume(Connection& c);      // the end-of-handler rule

    const Handler* handler_;
    Task task_;
    std::coroutine_handle<> waiter_;
    std::unique_ptr<Inbox> inbox_;
    Wait wait_ = Wait::none;
};

using CoroutineRoute = RouteOf<CoroutineAdapter, Handler>;

}  // namespace sluice::detail
