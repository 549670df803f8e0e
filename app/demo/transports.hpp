// app/demo/transports.hpp — the demo's topics over the other two transports, beside their
// WebSocket routes (/chat, /data, /trading):
//
//   GET  /sse/<topic>           Server-Sent Events (Last-Event-ID or ?lastEventId= resumes)
//   GET  /poll/<topic>?since=   long-poll (&wait=0: answer at once)
//   POST /publish/<topic>       one message, 204: for chat {"from":"<name>","text":"<text>"}
//   POST /poll/<topic>            (the same); data and trading are the server's own: 403
//
// topic: chat (the chat room's JSON events; a history of the last 100), data (a sample every
// data interval), trading (the one market feed's ticks). data and trading are produced while
// someone listens: every SSE stream and poll asks the topic's ticker, which publishes at most
// one message per interval whoever asks (TopicTicker).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {
class Server;
}

namespace sluice::demo {

class MarketFeed;

class TopicTicker {  // One per server topic; owns the schedule. Thread-safe.
 public:
    using Clock = std::chrono::steady_clock;
    // `make` produces the next message (called under the lock, at most once per interval).
    TopicTicker(std::chrono::milliseconds interval, std::function<std::optional<std::string>(Clock::time_point)> make)
        : interval_(interval), make_(std::move(make)) {}
    std::optional<std::string> maybe(Clock::time_point now);
    std::chrono::milliseconds interval() const noexcept { return interval_; }

 private:
    const std::chrono::milliseconds interval_;
    std::function<std::optional<std::string>(Clock::time_point)> make_;
    std::mutex mutex_;
};

// {"from":..,"text":..} -> the chat room's message event, or "" if the body is not one
// (from: 1..64 bytes, text: 1..4096 bytes).
std::string chat_post(std::string_view body);

void install_transports(Server& server, std::shared_ptr<MarketFeed> feed, std::chrono::milliseconds data_interval);

}  // namespace sluice::demo
