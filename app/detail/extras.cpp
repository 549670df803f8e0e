// app/detail/extras.cpp
#include "app/detail/extras.hpp"

#include <algorithm>
#include <utility>

#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"

namespace sluice::detail {

Extras::~Extras() {
    timers_.reset();
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
    if (!timers_) timers_ = std::make_unique<std::map<TimerId, std::unique_ptr<UserTimer>>>();
    timers_->emplace(id, std::move(t));
    return id;
}

void Extras::fire(TimerId id) {
    if (!timers_) return;
    auto it = timers_->find(id);
    if (it == timers_->end()) return;
    std::function<void()> call;
    if (it->second->repeat) {
        conn_.worker().reactor.arm(it->second->timer, it->second->period);
        call = it->second->fn;   // a copy: the callback may cancel its own timer
    } else {
        call = std::move(it->second->fn);
        timers_->erase(it);
    }
    if (call) conn_.call_handler(call);
}

Subscription* Extras::subscribe(std::string_view topic) {
    if (subscribed(topic)) return nullptr;
    Subscription* s = conn_.worker().topics.subscribe(topic, &conn_);
    if (first_ == nullptr) {
        first_ = s;
    } else {
        more_.push_back(s);
    }
    conn_.worker().metrics.subscribed.add();
    return s;
}

void Extras::unsubscribe(std::string_view topic) {
    if (first_ != nullptr && first_->topic == topic) {
        conn_.worker().topics.unsubscribe(first_);
        conn_.worker().metrics.unsubscribed.add();
        first_ = nullptr;
        if (!more_.empty()) {
            first_ = more_.front();
            more_.erase(more_.begin());
        }
        return;
    }
    for (auto it = more_.begin(); it != more_.end(); ++it) {
        if ((*it)->topic == topic) {
            conn_.worker().topics.unsubscribe(*it);
            more_.erase(it);
            conn_.worker().metrics.unsubscribed.add();
            return;
        }
    }
}

bool Extras::subscribed(std::string_view topic) const {
    return (first_ != nullptr && first_->topic == topic) ||
           std::any_of(more_.begin(), more_.end(), [topic](const Subscription* s) { return s->topic == topic; });
}

void Extras::drop_subscriptions() noexcept {
    conn_.worker().metrics.unsubscribed.add((first_ != nullptr ? 1 : 0) + more_.size());
    if (first_ != nullptr) conn_.worker().topics.unsubscribe(std::exchange(first_, nullptr));
    for (Subscription* s : more_) conn_.worker().topics.unsubscribe(s);
    more_.clear();
}

}  // namespace sluice::detail
