// app/detail/broker_topics.hpp — how many server threads have each topic, process-wide, so
// that the broker hears subscribe() for a topic's first subscriber in the process and
// unsubscribe() when the last one, on whichever thread, has left. Internal to app/.
//
//   thread 0 registry: "chat" created ─▶ opened("chat"): 0 -> 1 threads ─▶ broker.subscribe
//   thread 1 registry: "chat" created ─▶ opened("chat"): 1 -> 2
//   thread 0 registry: "chat" erased  ─▶ closed("chat"): 2 -> 1
//   thread 1 registry: "chat" erased  ─▶ closed("chat"): 1 -> 0 threads ─▶ broker.unsubscribe
//
// Called only when a thread's registry creates or erases a topic (TopicRegistry's
// on_change), never per subscriber or per message. The broker is told under the lock, so it
// hears the changes in the order they happened.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice {
class Broker;
}

namespace sluice::detail {

class BrokerTopics {  // Owns the counts; does not own the broker. THREAD-SAFE.
 public:
    explicit BrokerTopics(Broker& broker) : broker_(broker) {}
    void opened(std::string_view topic);   // a thread's first subscriber of `topic`
    void closed(std::string_view topic);   // a thread's last subscriber of `topic` left
    std::size_t topic_count() const;       // topics some thread has

 private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    Broker& broker_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, unsigned, Hash, std::equal_to<>> threads_;   // topic -> threads having it
};

}  // namespace sluice::detail
