// app/detail/extras.cpp
#include "app/detail/extras.hpp"

#include <algorithm>

#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"

namespace sluice::detail {

Extras::~Extras() {
    timers_.clear();
    drop_subscriptions();
}

TimerId Extras::add_timer(std::chrono::milliseconds period, bool repeat, std::function<void()> fn) {
    const TimerId id = next_timer_id_++;
    auto t = std::make_unique<UserTimer>();
    t->fn = std::move(fn);
    t->period = period;
    t->repeat = repeat;
    t->timer.set_callback([this, id] {
        Worker::Scope scope(conn_.worker());
        fire(id);
    });
    conn_.worker().reactor.arm(t->timer, period);
    timers_.emplace(id, std::move(t));
    return id;
}

void Extras::fire(TimerId id) {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    std::function<void()> call;
    if (it->second->repeat) {
        conn_.worker().reactor.arm(it->second->timer, it->second->period);
        call = it->second->fn;   // a copy: the callback may cancel its own timer
    } else {
        call = std::move(it->second->fn);
        timers_.erase(it);
    }
    if (call) conn_.call_handler(call);
}

Subscription* Extras::subscribe(std::string_view topic) {
    if (subscribed(topic)) return nullptr;
    subscriptions_.push_back(conn_.worker().topics.subscribe(topic, &conn_));
    return subscriptions_.back();
}

void Extras::unsubscribe(std::string_view topic) {
    for (auto it = subscriptions_.begin(); it != subscriptions_.end(); ++it) {
        if ((*it)->topic == topic) {
            conn_.worker().topics.unsubscribe(*it);
            subscriptions_.erase(it);
            return;
        }
    }
}

bool Extras::subscribed(std::string_view topic) const {
    return std::any_of(subscriptions_.begin(), subscriptions_.end(),
                       [topic](const Subscription* s) { return s->topic == topic; });
}

void Extras::drop_subscriptions() noexcept {
    for (Subscription* s : subscriptions_) conn_.worker().topics.unsubscribe(s);
    subscriptions_.clear();
}

}  // namespace sluice::detail
