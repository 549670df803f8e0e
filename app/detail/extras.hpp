// app/detail/extras.hpp — the parts of a connection few connections use: the handler's
// timers (ctx.every / ctx.after), its topic subscriptions, the backpressure timer and a
// permessage-deflate context (takeover mode).
// Allocated on first use, so an idle connection carries one null pointer for all of them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "app/detail/topics.hpp"
#include "net/timer.hpp"
#include "proto/ws_deflate.hpp"

namespace sluice::detail {

class Connection;
class ClientDialer;

class Extras {  // Owns the user timers and the subscriptions' handles (the nodes are the registry's).
 public:
    explicit Extras(Connection& c) noexcept : conn_(c) {}
    ~Extras();
    Extras(const Extras&) = delete;
    Extras& operator=(const Extras&) = delete;

    net::Timer backpressure_timer;   // armed while the output queue is over max_backpressure
    // permessage-deflate with context takeover: the connection's own codec, from its first
    // compressed message on (app/detail/ws_compression.hpp; its size: app/README.md).
    std::unique_ptr<proto::WsDeflate> deflate;
    ClientDialer* dialer = nullptr;  // an outgoing connection's dialer (client_dialer.hpp; the worker owns it)

    TimerId add_timer(std::chrono::milliseconds period, bool repeat, std::function<void()> fn);
    void cancel_timer(TimerId id) {
        if (timers_) timers_->erase(id);
    }
    void clear_timers() { timers_.reset(); }

    Subscription* subscribe(std::string_view topic);   // the new node, or nullptr if already subscribed
    void unsubscribe(std::string_view topic);
    bool subscribed(std::string_view topic) const;
    void drop_subscriptions() noexcept;
    std::uint64_t missed_publishes = 0;   // publishes this subscriber missed (Context::missed_publishes)
    Subscription* first_subscription() const noexcept { return first_; }   // the oldest, or nullptr

 private:
    struct UserTimer {
        net::Timer timer;
        std::function<void()> fn;
        std::chrono::milliseconds period{0};
        bool repeat = false;
    };
    void fire(TimerId id);

    Connection& conn_;
    // On first use: a connection that only subscribes (a held poll, an SSE stream, a WebSocket
    // subscriber) carries one pointer for it.
    std::unique_ptr<std::map<TimerId, std::unique_ptr<UserTimer>>> timers_;
    TimerId next_timer_id_ = 1;
    // The first subscription inline, the others in a vector: most connections subscribe to
    // one topic, and then no vector block is allocated.
    Subscription* first_ = nullptr;
    std::vector<Subscription*> more_;
};

}  // namespace sluice::detail
