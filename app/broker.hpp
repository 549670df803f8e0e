// app/broker.hpp — joins a process's topics to other processes through a message broker.
//
//   auto redis = std::make_shared<sluice::RedisBroker>(sluice::RedisSettings{.port = 6379});
//   server.broker(redis);        // before start()/run(); the server starts and stops it
//
// The server drives a broker through this interface and nothing else, so a second one (NATS)
// goes beside RedisBroker without touching the server:
//
//   first local subscriber of "chat" on any thread ─▶ subscribe("chat")    (once per process)
//   last one leaves, on every thread               ─▶ unsubscribe("chat")
//   Server::publish / Context::publish             ─▶ local delivery, then publish(...)
//   a message from another node                    ─▶ Sink::deliver ─▶ local delivery only
//
// What arrives through Sink::deliver is delivered to the local subscribers once and is
// never handed back to publish() (no echo loop). A broker that hears its own publishes
// back (Redis does, to a subscribed node) drops them: they were delivered locally already.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace sluice {

// Counters and state a broker reports (plain values: the metrics endpoint reads them).
struct BrokerStats {
    bool connected = false;            // publishing and subscribing connections both ready
    std::uint64_t connects = 0;        // successful connections (both kinds), first ones included
    std::uint64_t disconnects = 0;     // connections lost or refused
    std::uint64_t published = 0;       // publishes written to the broker
    std::uint64_t received = 0;        // messages from other nodes delivered locally
    std::uint64_t own_echoes = 0;      // our own publishes heard back and dropped
    std::uint64_t buffered = 0;        // publishes waiting to be written (the broker down or slow)
    std::uint64_t buffered_bytes = 0;
    std::uint64_t dropped = 0;         // publishes refused: the buffer bound was reached
    std::uint64_t unconfirmed = 0;     // written, then the connection was lost before the reply
    std::uint64_t errors = 0;          // error replies and malformed input from the broker
    std::uint64_t topics = 0;          // topics this process wants from the broker right now
    std::uint64_t resubscribed = 0;    // topics subscribed again after a reconnect, in all
};

class Broker {  // An interface; the Server shares ownership of the broker it was given.
 public:
    // Where a broker hands what came from other nodes. Called on the broker's own thread.
    using Deliver = std::function<void(std::string_view topic, bool text, std::span<const std::uint8_t> payload)>;
    using Log = std::function<void(std::string_view line)>;

    virtual ~Broker() = default;

    // "" if the broker's settings are valid, else one sentence (Server::validate() asks).
    virtual std::string validate() const = 0;
    // Begins connecting (non-blocking; an unreachable broker is retried, never waited on).
    // Server::start()/run() calls it; `deliver` and `log` outlive the broker's use of them.
    virtual bool start(Deliver deliver, Log log) = 0;
    // Stops and joins the broker's work; idempotent. The server calls it after its threads end.
    virtual void stop() = 0;

    // THREAD-SAFE, each. The server calls them in the order its topics change.
    virtual void subscribe(std::string_view topic) = 0;     // the process's first subscriber
    virtual void unsubscribe(std::string_view topic) = 0;   // the process's last one left
    virtual void publish(std::string_view topic, bool text, std::span<const std::uint8_t> payload) = 0;

    virtual BrokerStats stats() const = 0;   // THREAD-SAFE
};

}  // namespace sluice
