#include "app/demo/transports.hpp"

#include <array>

#include "app/context.hpp"
#include "app/demo/chat.hpp"
#include "app/demo/data_stream.hpp"
#include "app/demo/trading.hpp"
#include "app/demo/util.hpp"
#include "app/json.hpp"
#include "app/server.hpp"

namespace sluice::demo {
namespace {

constexpr std::array<std::string_view, 3> kTopics = {"chat", "data", "trading"};

struct Tickers {  // The server's producers of data and trading, shared by the routes.
    std::shared_ptr<TopicTicker> data, trading;
    std::shared_ptr<TopicTicker> of(std::string_view topic) const {
        return topic == "data" ? data : topic == "trading" ? trading : nullptr;
    }
};

// A listener of data or trading keeps its topic ticking: each interval, whoever asks first
// publishes. SSE: for the stream's life; a poll: once (its connection's timers end with it).
void keep_ticking(Context& ctx, const std::shared_ptr<TopicTicker>& ticker, std::string_view topic, bool repeat) {
    if (!ticker) return;
    const std::string name(topic);
    auto fire = [&ctx, ticker, name] {
        if (auto m = ticker->maybe(TopicTicker::Clock::now())) ctx.server().publish(name, *m);
    };
    if (repeat) {
        ctx.every(ticker->interval(), fire);
    } else {
        ctx.after(ticker->interval(), fire);
    }
}

// POST /publish/<topic> and POST /poll/<topic>.
void publish(Context& ctx, std::string_view topic) {
    if (topic != "chat") {
        ctx.respond(403, "only the server publishes on " + std::string(topic) + "\n");
        return;
    }
    const std::string event = chat_post(ctx.body());
    if (event.empty()) {
        ctx.respond(400, "expected {\"from\":\"<1..64 bytes>\",\"text\":\"<1..4096 bytes>\"}\n");
        return;
    }
    ctx.publish(ChatRoom::kTopic, event);
    ctx.respond(204, "");
}

}  // namespace

std::optional<std::string> TopicTicker::maybe(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    return make_(now);
}

std::string chat_post(std::string_view body) {
    const json::ParseResult r = json::parse(body);
    if (r.error != json::ParseError::none) return {};
    const auto from = r.value.string_at("from");
    const auto text = r.value.string_at("text");
    if (!from || !text || from->empty() || from->size() > 64 || text->empty() || text->size() > ChatRoom::kMaxText) return {};
    return ChatRoom::message(*from, *text);
}

void install_transports(Server& server, std::shared_ptr<MarketFeed> feed, std::chrono::milliseconds data_interval) {
    server.topic_history(ChatRoom::kTopic, {.max_messages = 100});
    Tickers t;
    t.trading = std::make_shared<TopicTicker>(feed->interval(), [feed](TopicTicker::Clock::time_point now) {
        return feed->maybe_tick(now, unix_time_ms());
    });
    // The data topic: one stream, a sample per interval (a quarter of slack for timer jitter).
    auto stream = std::make_shared<DataStream>(static_cast<std::uint64_t>(unix_time_ms()));
    auto due = std::make_shared<std::optional<TopicTicker::Clock::time_point>>();
    t.data = std::make_shared<TopicTicker>(data_interval, [stream, due, data_interval](TopicTicker::Clock::time_point now)
                                                              -> std::optional<std::string> {
        if (*due && now + data_interval / 4 < **due) return std::nullopt;
        *due = now + data_interval;
        return stream->next(unix_time_ms());
    });
    for (const std::string_view topic : kTopics) {
        const std::string name(topic);
        server.sse("/sse/" + name, [t, name](Context& ctx) {
            ctx.subscribe(name);
            keep_ticking(ctx, t.of(name), name, true);
        });
        server.poll("/poll/" + name, [t, name](Context& ctx) {
            if (ctx.method() == "POST") {
                publish(ctx, name);
                return;
            }
            ctx.subscribe(name);
            keep_ticking(ctx, t.of(name), name, false);
        });
        server.http("POST", "/publish/" + name, [name](Context& ctx) { publish(ctx, name); });
    }
}

}  // namespace sluice::demo
