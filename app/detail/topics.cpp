// app/detail/topics.cpp
#include "app/detail/topics.hpp"

#include <utility>

namespace sluice::detail {

TopicRegistry::~TopicRegistry() {
    for (auto& [name, topic] : topics_) {
        for (Subscription* s = topic.head; s != nullptr;) delete std::exchange(s, s->next);
    }
}

Subscription* TopicRegistry::subscribe(std::string_view topic, void* subscriber) {
    auto it = topics_.find(topic);
    if (it == topics_.end()) {
        it = topics_.emplace(std::string(topic), Topic{}).first;
        if (on_change) on_change(it->first, true);
    }
    auto* s = new Subscription;
    s->subscriber = subscriber;
    s->topic = it->first;
    s->owner_topic = &*it;
    Topic& t = it->second;
    s->prev = t.tail;
    if (t.tail != nullptr) t.tail->next = s; else t.head = s;
    t.tail = s;
    ++t.count;
    return s;
}

void TopicRegistry::unsubscribe(Subscription* s) noexcept {
    if (s == nullptr) return;
    auto* entry = static_cast<std::pair<const std::string, Topic>*>(s->owner_topic);
    Topic& t = entry->second;
    if (s->prev != nullptr) s->prev->next = s->next; else t.head = s->next;
    if (s->next != nullptr) s->next->prev = s->prev; else t.tail = s->prev;
    --t.count;
    delete s;
    if (t.count == 0) {
        if (on_change) on_change(entry->first, false);
        topics_.erase(topics_.find(entry->first));   // average O(1)
    }
}

std::size_t TopicRegistry::subscriber_count(std::string_view topic) const noexcept {
    const auto it = topics_.find(topic);
    return it == topics_.end() ? 0 : it->second.count;
}

}  // namespace sluice::detail
