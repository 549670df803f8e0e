// app/detail/broker_topics.cpp
#include "app/detail/broker_topics.hpp"

#include "app/broker.hpp"

namespace sluice::detail {

void BrokerTopics::opened(std::string_view topic) {
    std::lock_guard lock(mutex_);
    auto it = threads_.find(topic);
    if (it == threads_.end()) it = threads_.emplace(std::string(topic), 0u).first;
    if (it->second++ == 0) broker_.subscribe(topic);
}

void BrokerTopics::closed(std::string_view topic) {
    std::lock_guard lock(mutex_);
    const auto it = threads_.find(topic);
    if (it == threads_.end()) return;
    if (--it->second == 0) {
        threads_.erase(it);
        broker_.unsubscribe(topic);
    }
}

std::size_t BrokerTopics::topic_count() const {
    std::lock_guard lock(mutex_);
    return threads_.size();
}

}  // namespace sluice::detail
