// app/redis_broker.hpp — topics across processes through Redis pub/sub (app/broker.hpp).
//
//   auto redis = std::make_shared<sluice::RedisBroker>(sluice::RedisSettings{.host = "127.0.0.1"});
//   server.broker(redis);
//   server.run();
//
// One publishing and one subscribing connection per process (not per topic, not per thread),
// spoken with proto/'s RESP parser and encoder on the broker's own thread and net::Reactor:
//
//   server threads ── publish(): PUBLISH encoded on the caller's thread ─┐  (one lock, one
//                  ── subscribe()/unsubscribe(): topic changes ────────────┤   wake-up per batch)
//                                                                          ▼
//   broker thread (own Reactor) ─ publisher  ─▶ Redis    PUBLISH <prefix><topic> <envelope+bytes>
//                               ─ subscriber ◀─ Redis    ["message", <prefix><topic>, ...]
//                                    └─▶ Deliver (Server: every server thread, local delivery only)
//
// Why its own thread rather than one of the server's reactors: Redis being slow, down or
// reconnecting then costs the server threads nothing (a publish is one encode and a locked
// append, whatever Redis does), the broker has one owner whatever threads(n) is, and it
// starts and stops independently of the connections' shutdown. The cost is one thread and
// one hand-off per message each way.
//
// Faults (README "Across processes"): Redis unreachable or lost -> reconnect with backoff
// (retry_min doubling to retry_max), every live topic subscribed again, state reported (a log
// line, on_state(), stats()). Local delivery never depends on Redis. Publishes made while
// Redis is down or slow wait in a buffer of at most max_buffered_bytes, sent in order after
// the reconnect; a publish that does not fit is dropped (the NEWEST is dropped, the buffered
// ones are kept) and counted in stats().dropped. Messages other nodes publish while this one
// is disconnected are not seen (Redis pub/sub keeps nothing).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/broker.hpp"

namespace sluice {

struct RedisSettings {
    std::string host = "127.0.0.1";                    // an IP literal (a name resolves blocking)
    std::uint16_t port = 6379;
    std::string prefix = "sluice:";                    // Redis channel = prefix + topic: apps share a Redis
    std::string username{};                            // AUTH [username] password (Redis 6 ACL user)
    std::string password{};                            // empty: no AUTH
    std::string node_id{};                             // 16 hex digits; empty = random per process
    std::vector<std::string> topics{};                 // empty: every topic spans nodes; else only these
    std::size_t max_buffered_bytes = 8u << 20;         // publishes waiting while Redis is down/slow
    std::chrono::milliseconds connect_timeout{2'000};  // a connect that hangs (a dropped SYN)
    std::chrono::milliseconds retry_min{100};          // first reconnect delay, doubled each failure
    std::chrono::milliseconds retry_max{5'000};        // ... up to this
    std::chrono::milliseconds health_interval{1'000};  // silent this long: PING
    std::chrono::milliseconds reply_timeout{5'000};    // PING unanswered this long: reconnect
};

// Parses "host:port" or "[v6]:port" (the demo's --redis flag); false if it is neither.
bool parse_redis_address(std::string_view text, RedisSettings& settings);

class RedisBroker final : public Broker {  // Owns its thread, reactor and two connections.
 public:
    explicit RedisBroker(RedisSettings settings = {});
    ~RedisBroker() override;   // stop()
    RedisBroker(const RedisBroker&) = delete;
    RedisBroker& operator=(const RedisBroker&) = delete;

    // Called on the broker thread when both connections become ready (true) or one is lost
    // (false, with why). Set before start().
    void on_state(std::function<void(bool connected, std::string_view why)> fn);

    // Leader election among the nodes sharing this Redis: `SET key node NX PX ttl`, renewed
    // every ttl/3 while this node holds it (a script checks the value is still ours). Lost when
    // a renewal fails or no renewal succeeded for ttl (Redis unreachable: another node may take
    // it once the key expires). `on_change(leading)` runs on the broker thread. Before start().
    void elect(std::string key, std::chrono::milliseconds ttl, std::function<void(bool leading)> on_change);

    const std::string& node_id() const noexcept;
    const RedisSettings& settings() const noexcept { return settings_; }

    std::string validate() const override;
    bool start(Deliver deliver, Log log) override;
    void stop() override;
    void subscribe(std::string_view topic) override;
    void unsubscribe(std::string_view topic) override;
    void publish(std::string_view topic, bool text, std::span<const std::uint8_t> payload) override;
    BrokerStats stats() const override;

 private:
    bool spans(std::string_view topic) const noexcept;   // settings_.topics allows it
    struct Core;   // app/redis_broker.cpp: the broker thread's state
    RedisSettings settings_;
    std::unique_ptr<Core> core_;
};

}  // namespace sluice
