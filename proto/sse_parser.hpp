// proto/sse_parser.hpp — the incremental Server-Sent Events parser (the client role, and
// the oracle our encoder's tests and fuzzer check against).
//
// Contract (one line): feed any later part of the stream; get `event` (one dispatched
// event, views into the parser's storage) or `retry` (a new reconnection time) after
// `consumed` bytes, or need_more after consuming everything, or a sticky error.
//
// WHATWG HTML §9.2.5 "Parsing an event stream", §9.2.6 "Interpreting an event stream":
//  - one U+FEFF BOM at the very start of the stream is skipped (EF BB BF, §9.2.5; the
//    UTF-8 decode step); anywhere else it is an ordinary byte;
//  - CRLF, LF and CR each end a line; a CR ending one chunk and an LF starting the next
//    are ONE line break;
//  - an empty line dispatches (below); a line starting with ':' is a comment (ignored);
//  - "name:value" — one leading space of the value is removed; a line with no colon is
//    a field with that whole line as its name and an empty value;
//  - data:  value + LF appended to the data buffer;
//    event: the event type buffer := value;
//    id:    the last event ID buffer := value, unless the value contains NUL (ignored);
//    retry: if the value is all ASCII digits, reported as SseStatus::retry at once;
//           otherwise ignored (so is an empty value, and one that overflows 64 bits:
//           our choice, as §9.2.6 says "only ASCII digits" and browsers ignore both);
//    anything else is ignored;
//  - dispatch: the last event ID string := the last event ID buffer (always, step 1);
//    then, if the data buffer is empty, the data and type buffers are cleared and
//    nothing is reported; else its final LF is removed and an event reported with type
//    "message" when the type buffer is empty. The id buffer persists across events.
//  - the end of the stream is not a dispatch: an unfinished event is dropped (the caller
//    simply stops feeding).
//
// Not done here: §9.2.5 decodes the stream as UTF-8 and replaces bad bytes with U+FFFD.
// Bytes pass through unchanged instead (line structure is identical: only ASCII CR, LF
// and ':' matter); a caller that needs text checks with core::is_valid_utf8.
//
// Memory: nothing is allocated. The caller lends one storage span, split as
//
//   [ id slot ][ id slot ][ id slot ][ event type slot ][ data buffer ...........  ]
//     max_id each: the ID string, the   max_event_type    the rest of the storage
//     ID buffer, an id being received
//
// so every value is copied once, as it arrives, into its slot; comments and unknown
// fields are never stored (an endless comment costs nothing), and a field name is held
// only while it could still be a known one (5 bytes). Over a bound -> a named error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::proto {

struct SseParserLimits {
    std::uint32_t max_id = 256;          // bytes of one id value
    std::uint32_t max_event_type = 64;   // bytes of one event type
};

enum class SseError : std::uint8_t {
    none,
    event_too_large,      // §9.2.6 data buffer (data lines + one LF each) over the storage's data part
    id_too_long,          // §9.2.6 "id" value over max_id bytes
    event_type_too_long,  // §9.2.6 "event" value over max_event_type bytes
    storage_too_small,    // the storage cannot hold 3 id slots + the event type slot
};

enum class SseStatus : std::uint8_t { event, retry, need_more, error };

// A dispatched event (§9.2.6 steps 4-6). Views into the parser's storage, valid until the
// next parse() or reset().
struct SseEvent {
    std::string_view type;           // "message" when no (or an empty) event field was seen
    std::string_view data;           // data lines joined by LF
    std::string_view last_event_id;  // the last event ID string at dispatch
};

struct SseResult {
    SseStatus status;
    std::size_t consumed;     // input bytes used; all of them on need_more, 0 on error
    SseEvent event;           // status == event
    std::uint64_t retry_ms;   // status == retry: the new reconnection time
    SseError error;           // status == error
};

// Owns its small state; borrows `storage` (the caller keeps it alive and does not touch
// it while the parser lives). Never sees the input after parse() returns.
class SseParser {
 public:
    explicit SseParser(std::span<char> storage, SseParserLimits limits = {}) noexcept;

    // Parses from the start of `input` (bytes after the previous call's `consumed`) until
    // one event or retry is complete, or the input ends. Call again with the rest.
    // After an error every call returns the same error.
    SseResult parse(std::span<const std::uint8_t> input) noexcept;

    // A new stream on the same source (a reconnection): the buffers are emptied and a BOM
    // may come again (§9.2.6 "initialized to the empty string"); the last event ID string
    // is kept, it is what the client sends as Last-Event-ID (§9.2.4).
    void reset() noexcept;

    // The last event ID string (§9.2.6 dispatch step 1): updated by every empty line,
    // also by one that dispatches nothing because the data buffer is empty.
    std::string_view last_event_id() const noexcept { return slot(string_slot_); }

    // How many data bytes (LFs included) one event may hold with this storage.
    std::size_t data_capacity() const noexcept { return data_capacity_; }

    enum class Phase : std::uint8_t { line_start, name, value_start, value, comment, error };
    enum class Field : std::uint8_t { ignored, data, event, id, retry };

 private:
    bool append(std::span<const std::uint8_t> bytes) noexcept;
    void begin_value() noexcept;
    bool finish_line(SseResult& out) noexcept;
    bool dispatch(SseResult& out) noexcept;
    SseResult fail(SseError e) noexcept;
    std::string_view slot(std::uint8_t index) const noexcept {
        return {storage_ + std::size_t{index} * max_id_, id_length_[index]};
    }
    char* type_slot() const noexcept { return storage_ + 3 * std::size_t{max_id_}; }
    char* data() const noexcept { return type_slot() + max_type_; }

    char* storage_;
    std::uint32_t data_capacity_;
    std::uint32_t max_id_;
    std::uint32_t max_type_;
    std::uint32_t data_length_ = 0;
    std::uint32_t type_length_ = 0;
    std::uint32_t id_length_[3] = {0, 0, 0};
    std::uint64_t retry_ = 0;
    std::uint8_t string_slot_ = 0;     // the last event ID string
    std::uint8_t buffer_slot_ = 0;     // the last event ID buffer
    std::uint8_t incoming_slot_ = 1;   // the id value being received (neither of the above)
    std::uint8_t bom_ = 0;             // BOM bytes matched at the stream start; 3 = past it
    char name_[5] = {};
    std::uint8_t name_length_ = 0;     // 6 = longer than any known name
    Phase phase_ = Phase::line_start;
    Field field_ = Field::ignored;
    SseError error_ = SseError::none;
    bool after_cr_ = false;            // a CR ended the last line: skip one LF
    bool id_has_nul_ = false;          // §9.2.6: the id being received contains NUL
    bool retry_digits_ = false;        // the retry value so far is 1*DIGIT, within 64 bits
};
static_assert(sizeof(SseParser) <= 72, "SSE parser state must stay a small aggregate");

std::string_view sse_error_name(SseError e) noexcept;

}  // namespace sluice::proto
