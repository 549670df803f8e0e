// app/detail/push_formats.hpp — the bytes each push transport puts on the wire for a topic's
// messages, built in one place for the live path (Publication, encoded once per thread) and
// the replay path (one subscriber's missed messages):
//
//   SSE event          id: <epoch>:<seq>\ndata: <payload lines>\n\n     (proto/sse_encoder.hpp;
//                      no id line on a topic without history)
//   SSE reset          id: <epoch>:<last>\nevent: reset\ndata: <epoch>:<last>\n\n
//   long-poll body     {"epoch":"<epoch>","messages":[{"id":"<epoch>:<seq>","data":"<payload>"}],"reset":false}
//   WebSocket envelope {"id":"<epoch>:<seq>","data":"<payload>"}      (a client that asked for ids: ?since=)
//   WebSocket reset    {"reset":true,"id":"<epoch>:<last>"}
//
// Payloads are JSON strings (app/json.hpp: escaped; invalid UTF-8 replaced by U+FFFD).
// Binary messages have no SSE or long-poll form: those transports skip them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/sse_encoder.hpp"

namespace sluice::detail {

// One SSE event; "" if the encoder refused it (an id or type with CR, LF or NUL).
std::string sse_event_bytes(const proto::SseMessage& m);
// A topic message as an SSE event (seq 0: no id line, the topic has no history).
std::string sse_message_bytes(std::string_view epoch, std::uint64_t seq, std::string_view data);
std::string sse_reset_bytes(std::string_view epoch, std::uint64_t last);
// Long-poll: the body's parts, so that messages can be appended one by one.
void begin_poll_body(std::string& out, std::string_view epoch);
void append_poll_message(std::string& out, std::string_view epoch, std::uint64_t seq, std::string_view data);
void end_poll_body(std::string& out, bool reset);
std::string ws_envelope(std::string_view epoch, std::uint64_t seq, std::string_view data);
std::string ws_reset_envelope(std::string_view epoch, std::uint64_t last);
// An HTTP/1.1 chunk around `bytes` (RFC 9112 §7.1): "<hex size>\r\n<bytes>\r\n".
std::string as_chunk(std::string_view bytes);

}  // namespace sluice::detail
