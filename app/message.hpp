// app/message.hpp — what a WebSocket handler receives, and what a send reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice {

// The outcome of one send (WebSocket message, or a chunk of a streaming HTTP response).
enum class SendResult : std::uint8_t {
    sent,     // the connection had no backlog: the bytes go to the socket in this loop
              // iteration (gathered with the other writes of the iteration)
    queued,   // the kernel is refusing bytes right now: kept in the connection's bounded
              // output queue, written when the socket drains
    dropped,  // the queue was already over max_backpressure: NOT sent (the application
              // decides: wait for on_drain, or `co_await ctx.send(...)` which waits for you)
    closed,   // the connection is closing or closed: not sent
};

constexpr std::string_view send_result_name(SendResult r) noexcept {
    switch (r) {
        case SendResult::sent: return "sent";
        case SendResult::queued: return "queued";
        case SendResult::dropped: return "dropped";
        case SendResult::closed: return "closed";
    }
    return "?";
}

// A received WebSocket message (RFC 6455 §5.6: text or binary; fragments already joined,
// text already validated as UTF-8 by proto/).
// Does not own its bytes: they are valid until the next receive() of the same connection,
// or until the on_message callback returns. Copy what you need to keep.
class Message {
 public:
    Message() noexcept = default;
    Message(bool text, std::span<const std::uint8_t> bytes) noexcept : text_(text), bytes_(bytes) {}

    bool is_text() const noexcept { return text_; }
    bool is_binary() const noexcept { return !text_; }
    std::string_view text() const noexcept {
        return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
    }
    std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }
    std::size_t size() const noexcept { return bytes_.size(); }

 private:
    bool text_ = true;
    std::span<const std::uint8_t> bytes_;
};

}  // namespace sluice
