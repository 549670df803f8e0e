#include "app/demo/resilient.hpp"

#include "app/context.hpp"
#include "app/demo/util.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

bool blank(std::string_view s) {
    for (char c : s) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    }
    return true;
}

Task resilient_session(Context& ctx, std::chrono::milliseconds interval, std::size_t max_bytes) {
    if (!ctx.is_websocket()) {
        refuse_plain_http(ctx, "/resilient is a WebSocket endpoint\n");
        co_return;
    }
    {
        json::Writer w;
        w.begin_object()
            .field("type", "connected")
            .field("client", ctx.peer_address())
            .field("heartbeat_ms", std::int64_t{interval.count()})
            .end_object();
        co_await ctx.send(w.str());
    }
    using Clock = std::chrono::steady_clock;
    std::uint64_t count = 0;
    auto next_beat = Clock::now() + interval;
    while (ctx.open()) {
        const auto now = Clock::now();
        if (now >= next_beat) {
            co_await ctx.send(heartbeat(count));
            next_beat += interval;
            if (next_beat <= now) next_beat = now + interval;  // fell behind: do not burst
            continue;
        }
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_beat - now);
        auto message = co_await ctx.receive_for(wait);
        if (!message) continue;  // the deadline (loop checks it) or the peer is gone (open() is false)
        ++count;
        co_await ctx.send(validate_message(message->text(), message->is_text(), count, max_bytes));
    }
}

}  // namespace

std::string validate_message(std::string_view message, bool is_text, std::uint64_t count, std::size_t max_bytes) {
    json::Writer w;
    w.begin_object();
    if (message.size() > max_bytes) {
        w.field("type", "error")
            .field("message", "message too long")
            .field("bytes", std::uint64_t{message.size()})
            .field("limit", std::uint64_t{max_bytes});
    } else if (blank(message)) {
        w.field("type", "error").field("message", "empty message");
    } else {
        w.field("type", "processed");
        if (is_text) w.field("original", message);
        w.field("count", count).field("bytes", std::uint64_t{message.size()});
    }
    w.end_object();
    return w.take();
}

std::string heartbeat(std::uint64_t count) {
    json::Writer w;
    w.begin_object().field("type", "heartbeat").field("count", count).end_object();
    return w.take();
}

void install_resilient(Server& server, std::chrono::milliseconds heartbeat_interval, std::size_t max_bytes) {
    server.route("/resilient", [heartbeat_interval, max_bytes](Context& ctx) {
        return resilient_session(ctx, heartbeat_interval, max_bytes);
    });
}

}  // namespace sluice::demo
