#include "app/demo/trading.hpp"

#include <cmath>
#include <condition_variable>
#include <thread>

#include "app/context.hpp"
#include "app/json.hpp"
#include "app/redis_broker.hpp"
#include "app/server.hpp"
#include "app/static_files.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

double cents(double v) { return std::round(v * 100.0) / 100.0; }

Task trading_session(Context& ctx, std::shared_ptr<MarketFeed> feed, std::shared_ptr<const StaticFiles> pages) {
    if (!ctx.is_websocket()) {
        pages->serve(ctx, "/ticker.html");
        co_return;
    }
    co_await ctx.send(feed->subscribed(next_client_id()));
    ctx.subscribe(MarketFeed::kTopic);
    // This connection's share of driving the one generator (see the header). The timer is
    // cancelled when the connection ends, so capturing ctx is safe.
    ctx.every(feed->interval(), [&ctx, feed] {
        if (auto tick = feed->maybe_tick(MarketFeed::Clock::now(), unix_time_ms())) {
            ctx.server().publish(MarketFeed::kTopic, *tick);
        }
    });
    while (co_await ctx.receive()) {}
}

// The elected node's generator thread (see the header): ticks every interval while leading.
class FeedGenerator {  // Owns its thread; shared by the route (lives as long as the server's routes).
 public:
    FeedGenerator(Server& server, std::shared_ptr<MarketFeed> feed) : server_(server), feed_(std::move(feed)) {}
    ~FeedGenerator() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }
    FeedGenerator(const FeedGenerator&) = delete;
    FeedGenerator& operator=(const FeedGenerator&) = delete;

    // Called on the broker thread. After set_leading(false) returns, no publish is under way.
    void set_leading(bool on) {
        {
            std::lock_guard lock(mutex_);
            leading_ = on;
            // Started on first leading, from the broker thread: it inherits that thread's blocked
            // signals, so SIGTERM still reaches the server's signalfd and not this thread.
            if (on && !thread_.joinable()) thread_ = std::thread([this] { run(); });
        }
        wake_.notify_all();
    }

 private:
    void run() {
        std::unique_lock lock(mutex_);
        auto next = MarketFeed::Clock::now();
        while (!stop_) {
            if (!leading_) {
                wake_.wait(lock, [this] { return stop_ || leading_; });
                next = MarketFeed::Clock::now();
                continue;
            }
            next += feed_->interval();
            wake_.wait_until(lock, next, [this] { return stop_ || !leading_; });
            if (stop_ || !leading_) continue;
            server_.publish(MarketFeed::kTopic, feed_->tick(unix_time_ms()));   // under the lock: see set_leading
        }
    }

    Server& server_;
    std::shared_ptr<MarketFeed> feed_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool leading_ = false;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace

MarketFeed::MarketFeed(std::chrono::milliseconds interval, std::uint64_t seed) noexcept
    : interval_(interval), random_(seed) {}

std::optional<std::string> MarketFeed::maybe_tick(Clock::time_point now, std::int64_t unix_ms) {
    if (!per_connection_) return std::nullopt;   // an elected node generates (FeedGenerator)
    std::lock_guard lock(mutex_);
    if (next_due_ && now + interval_ / 4 < *next_due_) return std::nullopt;
    // Keep a steady rate; after a stall (nobody subscribed) start afresh instead of bursting.
    if (!next_due_ || now - *next_due_ > interval_) {
        next_due_ = now + interval_;
    } else {
        *next_due_ += interval_;
    }
    return tick_locked(unix_ms);
}

std::string MarketFeed::tick(std::int64_t unix_ms) {
    std::lock_guard lock(mutex_);
    return tick_locked(unix_ms);
}

std::string MarketFeed::tick_locked(std::int64_t unix_ms) {
    json::Writer w;
    w.begin_object()
        .field("type", "market_data")
        .field("sequence", sequence_++)
        .field("timestamp", unix_ms)
        .key("quotes")
        .begin_array();
    for (std::size_t i = 0; i < kSymbols.size(); ++i) {
        // A geometric random walk: at most +-0.5 % per tick, never below one cent.
        const double before = prices_[i];
        prices_[i] = std::max(0.01, cents(before * (1.0 + (random_.uniform() - 0.5) * 0.01)));
        const auto volume = 100 + random_.next() % 9900;
        w.begin_object()
            .field("symbol", kSymbols[i])
            .field("price", prices_[i])
            .field("change", cents(prices_[i] - before))
            .field("volume", std::uint64_t{volume})
            .end_object();
    }
    w.end_array().end_object();
    return w.take();
}

std::uint64_t MarketFeed::sequence() const {
    std::lock_guard lock(mutex_);
    return sequence_;
}

std::string MarketFeed::subscribed(std::string_view trader_id) const {
    json::Writer w;
    w.begin_object().field("type", "subscribed").field("trader_id", trader_id).key("symbols").begin_array();
    for (auto s : kSymbols) w.value(s);
    w.end_array().field("interval_ms", std::int64_t{interval_.count()}).end_object();
    return w.take();
}

std::shared_ptr<MarketFeed> install_trading(Server& server, std::shared_ptr<const StaticFiles> pages,
                                            std::chrono::milliseconds interval, const std::shared_ptr<RedisBroker>& redis) {
    auto feed = std::make_shared<MarketFeed>(interval, static_cast<std::uint64_t>(unix_time_ms()));
    std::shared_ptr<FeedGenerator> generator;
    if (redis) {
        feed->set_ticks_per_connection(false);
        generator = std::make_shared<FeedGenerator>(server, feed);
        redis->elect(redis->settings().prefix + "trading:generator", std::chrono::milliseconds(3000),
                     [generator](bool leading) { generator->set_leading(leading); });
    }
    server.route("/trading", [feed, pages, generator](Context& ctx) { return trading_session(ctx, feed, pages); });
    return feed;
}

}  // namespace sluice::demo
