// app/detail/extras.hpp — the parts of a connection few connections use: the handler's
// timers (ctx.every / ctx.after), its topic subscriptions, and the backpressure timer.
// Allocated on first use, so an idle connection carries one null pointer for all of them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "app/detail/topics.hpp"
#include "net/timer.hpp"

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
    ClientDialer* dialer = nullptr;  // an outgoing connection's dialer (client_dialer.hpp; the worker owns it)

    TimerId add_timer(std::chrono::milliseconds period, bool repeat, std::function<void()> fn);
    void cancel_timer(TimerId id) { timers_.erase(id); }
    void clear_timers() { timers_.clear(); }

    void subscribe(std::string_view topic);
    void unsubscribe(std::string_view topic);
    bool subscribed(std::string_view topic) const;
    void drop_subscriptions() noexcept;

 private:
    struct UserTimer {
        net::Timer timer;
        std::function<void()> fn;
        std::chrono::milliseconds period{0};
        bool repeat = false;
    };
    void fire(TimerId id);

    Connection& conn_;
    std::map<TimerId, std::unique_ptr<UserTimer>> timers_;
    TimerId next_timer_id_ = 1;
    std::vector<Subscription*> subscriptions_;
};

}  // namespace sluice::detail
