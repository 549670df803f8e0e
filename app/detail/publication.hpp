// app/detail/publication.hpp — one publish on one thread: the message, its id, and each
// transport's bytes for it, each made on first need and shared by every subscriber of the
// thread that wants that form (by reference for the streams, core::SharedBytes):
//
//   form              who takes it                           made by
//   ws_frame          a WebSocket                            Worker::publish_local (given)
//   ws_envelope       a WebSocket that asked for ids         ws_envelope() in a text frame
//   sse               an SSE stream (chunked / HTTP/1.0)     sse_message_bytes(), as_chunk()
//   poll_body         a held long-poll                       the one-message JSON body
//
// Lives on the stack of publish_local; views and handles die with it (queued handles keep
// their blocks alive).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/block_pool.hpp"

namespace sluice::detail {

class Publication {  // Owns the forms it made; views the topic, payload and epoch.
 public:
    Publication(core::BlockPool& pool, std::string_view topic, bool text, std::span<const std::uint8_t> payload,
                std::uint64_t seq, std::string_view epoch) noexcept
        : pool_(pool), topic_(topic), payload_(payload), epoch_(epoch), seq_(seq), text_(text) {}

    std::string_view topic() const noexcept { return topic_; }
    std::uint64_t seq() const noexcept { return seq_; }   // 0: the topic has no history
    bool text() const noexcept { return text_; }
    std::string_view text_view() const noexcept {
        return {reinterpret_cast<const char*>(payload_.data()), payload_.size()};
    }

    const core::SharedBytes& ws_envelope();
    const core::SharedBytes& sse(bool chunked);
    const std::string& poll_body();

 private:
    core::SharedBytes share(std::string_view bytes);

    core::BlockPool& pool_;
    std::string_view topic_;
    std::span<const std::uint8_t> payload_;
    std::string_view epoch_;
    std::uint64_t seq_;
    bool text_;
    core::SharedBytes envelope_, sse_chunked_, sse_plain_;
    std::string poll_body_;
};

}  // namespace sluice::detail
