// proto/sse_encoder.hpp — writes Server-Sent Events (WHATWG HTML, "Server-sent events").
//
// One event on the wire (§9.2.5 "Parsing an event stream"; every line ends in LF):
//
//   id: <id>          optional; "id" alone (an empty id) resets the client's last event ID
//   event: <type>     optional; absent = the client's default type "message"
//   retry: <ms>       optional; the client's reconnection time
//   data: <line 1>    one data field per line of the payload: CR, LF and CRLF each end a
//   data: <line 2>      line (§9.2.6 joins data fields with LF, so the client sees LF)
//   <empty line>      dispatches the event
//
// A comment (": heartbeat") is a line the client ignores; sent alone it keeps an idle
// stream (and any proxy on its way) alive without dispatching anything.
//
// Why "data: " with a space: §9.2.6 removes one space after the colon, so a payload line
// that itself starts with a space survives. An empty payload line is written "data" alone.
//
// Refused (nothing is written):
//  - an id containing CR or LF (it would end the field early) or NUL (§9.2.6: a client
//    ignores an id field containing NUL, so the id the caller meant would never arrive);
//  - an event type containing CR, LF or NUL (the same line-break rule; NUL by our choice,
//    as no client dispatches on such a name usefully).
//
// Use: sse_encoded_size() first, then encode_sse() into exactly that many bytes (e.g. a
// reference-counted block shared by every subscriber). Both are pure functions: no state,
// no allocation, no I/O. Output is written into the caller's span and owned by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sluice::proto {

// One outgoing event. Views only: the caller owns every byte it points to.
struct SseMessage {
    std::string_view data = {};                // any text; CR / LF / CRLF split it into data lines
    std::string_view event = {};               // empty = no "event" field
    std::optional<std::string_view> id = {};   // nullopt = no "id" field; "" = "id" (reset)
    std::optional<std::uint32_t> retry_ms = {};// nullopt = no "retry" field
};

enum class SseEncodeError : std::uint8_t {
    none,                // encoded
    id_has_line_break,   // §9.2.5: a field value cannot hold CR or LF (it ends the line)
    id_has_nul,          // §9.2.6: "If the field value does not contain U+0000 NULL" - else ignored
    event_has_line_break,// §9.2.5: CR or LF in the event type would end the field early
    event_has_nul,       // our rule (see above): NUL in the event type
    buffer_too_small,    // the output span is smaller than sse_encoded_size()
};

struct SseEncodeResult {
    std::size_t size;      // bytes needed (sse_encoded_size) or written (encode_sse); 0 on error
    SseEncodeError error;  // none unless refused
};

// The exact number of bytes encode_sse writes for `m`, or the reason it would refuse.
SseEncodeResult sse_encoded_size(const SseMessage& m) noexcept;

// Writes `m` as one event into out[0..size); all or nothing.
SseEncodeResult encode_sse(const SseMessage& m, std::span<std::uint8_t> out) noexcept;

// A comment: ": <line>\n" for each line of `text` (CR / LF / CRLF split it like data;
// an empty line is ":\n", never the bare "\n" that would dispatch). Never refused; the bytes needed, and then written (0 if `out` is
// smaller than sse_comment_size(text)).
std::size_t sse_comment_size(std::string_view text) noexcept;
std::size_t encode_sse_comment(std::string_view text, std::span<std::uint8_t> out) noexcept;

std::string_view sse_encode_error_name(SseEncodeError e) noexcept;

}  // namespace sluice::proto
