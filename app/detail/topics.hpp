// app/detail/topics.hpp — one thread's pub/sub registry: topic name -> its subscribers.
//
// Each server thread has its own registry (shared nothing); a publish reaches the other
// threads through their reactors' post() queues and each thread walks its own registry.
//
//   topics_: "chat" ─▶ Topic { head ⇄ Subscription ⇄ Subscription ⇄ ... }
//                                   ▲ subscriber A      ▲ subscriber B
//
// A Subscription is a node in its topic's intrusive doubly-linked list, and the subscriber
// keeps the pointer, so unsubscribing (and dropping every subscription when a connection
// closes) is O(1) per topic: unlink, and erase the topic when it becomes empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice::detail {

class TopicRegistry;

struct Subscription {  // Owned by the registry; the subscriber keeps a pointer until unsubscribe().
    void* subscriber = nullptr;    // what the registry's user put there (a connection)
    std::string_view topic;        // views the registry's key, valid while subscribed
    std::uint64_t seen = 0;        // a topic with history: the last sequence delivered (or replayed)
 private:
    friend class TopicRegistry;
    Subscription* prev = nullptr;
    Subscription* next = nullptr;
    void* owner_topic = nullptr;
};

class TopicRegistry {  // Owns its topics and every Subscription node; one thread only.
 public:
    TopicRegistry() = default;
    ~TopicRegistry();
    TopicRegistry(const TopicRegistry&) = delete;
    TopicRegistry& operator=(const TopicRegistry&) = delete;

    // Adds `subscriber` to `topic` (creating the topic). Does not check for a duplicate:
    // the caller (the connection) keeps its subscriptions and asks first.
    Subscription* subscribe(std::string_view topic, void* subscriber);
    // O(1): unlinks the node, frees it, and erases the topic if it became empty.
    void unsubscribe(Subscription* s) noexcept;

    // Calls fn(subscriber) for each subscriber of `topic`, in subscription order.
    // fn must not subscribe or unsubscribe (the server defers closes, so it never does).
    template <class F>
    void for_each(std::string_view topic, F&& fn) const {
        const auto it = topics_.find(topic);
        if (it == topics_.end()) return;
        for (const Subscription* s = it->second.head; s != nullptr; s = s->next) fn(s->subscriber);
    }
    // The same, with each subscription node (its `seen` may be updated).
    template <class F>
    void for_each_subscription(std::string_view topic, F&& fn) const {
        const auto it = topics_.find(topic);
        if (it == topics_.end()) return;
        for (Subscription* s = it->second.head; s != nullptr; s = s->next) fn(*s);
    }
    std::size_t subscriber_count(std::string_view topic) const noexcept;
    std::size_t topic_count() const noexcept { return topics_.size(); }

    // Told when a topic is created (its first subscriber here) and erased (its last left):
    // the server counts topics across threads for a broker (broker_topics.hpp). May be empty.
    std::function<void(std::string_view topic, bool created)> on_change;

 private:
    struct Topic {
        Subscription* head = nullptr;
        Subscription* tail = nullptr;
        std::size_t count = 0;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, Topic, Hash, std::equal_to<>> topics_;
};

}  // namespace sluice::detail
