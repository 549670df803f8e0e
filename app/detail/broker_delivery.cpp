// app/detail/broker_delivery.cpp
#include "app/detail/broker_delivery.hpp"

#include "app/detail/worker.hpp"

namespace sluice::detail {

void BrokerDelivery::deliver(std::string_view topic, bool text, std::span<const std::uint8_t> payload) {
    std::lock_guard lock(mutex_);
    if (bytes_.size() + topic.size() + payload.size() > kMaxQueuedBytes) {
        ++dropped_;
        return;
    }
    entries_.push_back({bytes_.size(), static_cast<std::uint32_t>(topic.size()),
                        static_cast<std::uint32_t>(payload.size()), text});
    bytes_.append(topic).append(reinterpret_cast<const char*>(payload.data()), payload.size());
    if (posted_) return;
    std::lock_guard workers(state_.workers_mutex);
    Worker* w = state_.workers.empty() ? nullptr : state_.workers.front().get();
    if (w == nullptr) {   // worker 0 has ended: the server is stopping
        entries_.clear();
        bytes_.clear();
        return;
    }
    posted_ = true;
    w->reactor.post([this, w] {
        Worker::Scope scope(*w);
        drain();
    });
}

void BrokerDelivery::drain() {
    std::string bytes;
    std::vector<Entry> entries;
    {
        std::lock_guard lock(mutex_);
        posted_ = false;
        bytes.swap(bytes_);
        entries.swap(entries_);
    }
    for (const Entry& e : entries) {
        const std::string_view topic(bytes.data() + e.at, e.topic_size);
        const auto* payload = reinterpret_cast<const std::uint8_t*>(bytes.data() + e.at + e.topic_size);
        publish_(topic, e.text, {payload, e.payload_size});
    }
}

std::uint64_t BrokerDelivery::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

}  // namespace sluice::detail
