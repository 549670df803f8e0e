// app/detail/broker_delivery.hpp — hands what the broker received to the server, in batches.
// Internal to app/.
//
//   broker thread: deliver(topic, text, payload) ─▶ queue (one lock) ─▶ one post per batch
//   worker 0:      drain(): one Worker::Scope around publish(...) for every queued message
//                  (Server::publish_frame, from_broker = true: delivered here, posted to the
//                  other threads, never published again)
//
// Why not one post per message: each posted message opened its own Worker::Scope, so the
// worker wrote to every subscriber once per message (1,000 writev per message at 1,000
// subscribers). Batched, a burst read from Redis costs one writev per subscriber, as a burst
// read from a local publisher does. Bounded: beyond kMaxQueuedBytes (a worker that cannot keep
// up), messages are dropped and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::detail {

class ServerState;

class BrokerDelivery {  // Owns the queue; does not own the state or the workers. THREAD-SAFE.
 public:
    using Publish = std::function<void(std::string_view topic, bool text, std::span<const std::uint8_t> payload)>;
    static constexpr std::size_t kMaxQueuedBytes = 64u << 20;

    // `publish` runs on worker 0's thread, inside its Worker::Scope.
    BrokerDelivery(ServerState& state, Publish publish) : state_(state), publish_(std::move(publish)) {}

    void deliver(std::string_view topic, bool text, std::span<const std::uint8_t> payload);   // any thread
    std::uint64_t dropped() const;

 private:
    struct Entry {
        std::size_t at;          // in bytes_: the topic, then the payload
        std::uint32_t topic_size;
        std::uint32_t payload_size;
        bool text;
    };
    void drain();   // worker 0's thread

    ServerState& state_;
    Publish publish_;
    mutable std::mutex mutex_;
    std::string bytes_;             // guarded by mutex_
    std::vector<Entry> entries_;    // guarded by mutex_
    bool posted_ = false;           // guarded by mutex_
    std::uint64_t dropped_ = 0;     // guarded by mutex_
};

}  // namespace sluice::detail
