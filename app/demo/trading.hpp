// app/demo/trading.hpp — /trading: ONE market-data generator for four symbols, fanned out
// to every subscriber through pub/sub (topic "trading"), one tick per interval (50 ms).
//
//   {"type":"subscribed","trader_id":"client_9","symbols":["AAPL","GOOGL","MSFT","AMZN"],"interval_ms":50}
//   {"type":"market_data","sequence":42,"timestamp":1795830420123,
//    "quotes":[{"symbol":"AAPL","price":187.23,"change":-0.12,"volume":4200}, ...]}
//
// One tick is one JSON message holding all four quotes, encoded once per server thread and
// queued by reference on every subscriber: every subscriber sees the same sequence numbers.
//
// Who drives the generator: there is no server-wide timer in the API, and a thread of our
// own would have to outlive nothing it calls into. So every /trading connection arms a
// connection timer (ctx.every) at the tick interval, and MarketFeed::maybe_tick() lets the
// first timer that fires when a tick is due produce it; the others find nothing due. The
// generator therefore runs exactly while someone is subscribed, its timers die with their
// connections, and the tick rate does not depend on the number of subscribers.
//
// Across nodes (a RedisBroker, `--redis`): ONE node generates for all of them, the one Redis
// elects (`SET <prefix>trading:generator <node> NX PX 3000`, renewed every second, see
// RedisBroker::elect). The connection timers then do nothing: the elected node generates from
// a thread of its own (FeedGenerator), whether or not it has a trader, and its ticks reach the
// others through Redis. The thread publishes only while leading, under a lock that losing the
// lead takes, and the broker gives up the lead when it stops, before the server is gone.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "app/demo/util.hpp"

namespace sluice {
class Server;
class StaticFiles;
class RedisBroker;
}  // namespace sluice

namespace sluice::demo {

class MarketFeed {  // One per server; owns the prices, the PRNG and the tick schedule. Thread-safe.
 public:
    static constexpr std::string_view kTopic = "trading";
    static constexpr std::array<std::string_view, 4> kSymbols = {"AAPL", "GOOGL", "MSFT", "AMZN"};
    using Clock = std::chrono::steady_clock;

    MarketFeed(std::chrono::milliseconds interval, std::uint64_t seed) noexcept;

    // The next tick's JSON if one is due at `now` (ticks are due every interval, with a
    // quarter-interval of slack for timer jitter); nullopt otherwise.
    std::optional<std::string> maybe_tick(Clock::time_point now, std::int64_t unix_ms);
    // Produces the next tick unconditionally (tests, and maybe_tick()).
    std::string tick(std::int64_t unix_ms);

    std::uint64_t sequence() const;
    std::chrono::milliseconds interval() const noexcept { return interval_; }
    std::string subscribed(std::string_view trader_id) const;
    // False once an elected node generates for the cluster: maybe_tick() then never ticks, so
    // neither the WebSocket connections' timers nor the SSE/long-poll listeners' do.
    bool ticks_per_connection() const noexcept { return per_connection_; }
    void set_ticks_per_connection(bool on) noexcept { per_connection_ = on; }

 private:
    std::string tick_locked(std::int64_t unix_ms);

    const std::chrono::milliseconds interval_;
    mutable std::mutex mutex_;
    Random random_;
    std::array<double, 4> prices_{187.0, 141.0, 412.0, 178.0};
    std::uint64_t sequence_ = 0;
    std::optional<Clock::time_point> next_due_;
    std::atomic<bool> per_connection_{true};
};

// Returns the one feed, for the other transports' routes (app/demo/transports.hpp). `redis`
// may be null (one node: the connections drive the generator).
std::shared_ptr<MarketFeed> install_trading(Server& server, std::shared_ptr<const StaticFiles> pages,
                                            std::chrono::milliseconds interval, const std::shared_ptr<RedisBroker>& redis);

}  // namespace sluice::demo
