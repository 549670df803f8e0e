// proto/resp_parser.hpp — reads one Redis reply (RESP2, plus RESP3 push) from a buffer.
//
// Contract (one line): give the whole unconsumed input (a per-connection buffer that only
// grows at its end); get done + `consumed` bytes of exactly one top-level reply as a flat
// tree of values (views into the input), or need_more with nothing consumed and `at_least`
// (the input size below which another call can only say need_more again), or a precise
// error.
//
//   input:  [ reply ][ next reply ...          ]
//           |<-consumed->|
//   values: pre-order: an array's elements follow it; values[i + values[i].size] is the
//           value after values[i] and its subtree.  "*2\r\n$3\r\nfoo\r\n:7\r\n" ->
//           [ array count=2 size=3 ][ bulk "foo" ][ integer 7 ]
//
// Stateless by design: each call re-reads the reply from its first byte (so it costs
// O(reply bytes) per call, and the caller may move or grow its buffer between calls).
// `at_least` keeps that linear where it matters: a bulk string's length is known from its
// header, so a caller that waits until `at_least` bytes are buffered scans a large bulk
// once (then once more if its final LF comes in a later read), not once per read. Replies of many small elements arriving in many reads are
// re-scanned; the broker's replies are small, and this admits it.
//
// Strict (Redis protocol specification, "RESP protocol description"):
//  - every line ends in CRLF: a bare LF, or a CR followed by anything but LF, is an error;
//  - a type byte other than + - : $ * > is an error (the other RESP3 types are not read);
//  - simple strings and errors: any bytes but CR and LF, up to the CRLF;
//  - integers ':' [ '+' | '-' ] 1*DIGIT within signed 64 bits (leading zeros allowed, as
//    the spec's grammar allows them);
//  - lengths of '$' '*' '>' are "-1" (null bulk / null array; RESP2) or 1*DIGIT without
//    sign or leading zero (as Redis itself writes and reads them); -2 and below, "+1",
//    "01", "-0" are errors; push frames ('>') have no null form;
//  - a bulk string is exactly <length> bytes, any bytes, then CRLF.
// Limits (RespLimits) are checked as soon as the bytes that break them are present, so a
// buffer that holds more than a limit allows is refused rather than waited on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::proto {

enum class RespType : std::uint8_t {
    simple_string,  // '+'  text
    error,          // '-'  text (the error message, e.g. "ERR unknown command")
    integer,        // ':'  integer
    bulk_string,    // '$'  text (binary-safe)
    null_bulk,      // '$-1' (RESP2 null)
    array,          // '*'  integer = element count; the elements follow in values[]
    null_array,     // '*-1' (RESP2 null)
    push,           // '>'  RESP3 out-of-band push (pub/sub under HELLO 3); like array
};

// One node of a parsed reply. A view: `text` points into the input given to parse_resp,
// which the caller owns and must keep unchanged while it reads the values.
struct RespValue {
    std::string_view text;      // simple_string, error, bulk_string: the bytes
    std::int64_t integer = 0;   // integer: the value; array, push: the element count
    std::uint32_t size = 1;     // values in this subtree, itself included
    RespType type = RespType::null_bulk;
};
static_assert(sizeof(RespValue) <= 32, "a reply node must stay small: replies are flat arrays of them");

struct RespLimits {
    std::uint64_t max_bulk_length = 16u << 20;  // bytes of one bulk string
    std::uint32_t max_array_length = 1u << 20;  // elements of one array / push
    std::uint32_t max_depth = 8;                // arrays nested in arrays; 1 = flat arrays only; at most 32
    std::uint32_t max_line = 64u << 10;         // bytes of one line before its CRLF (+ - : and length lines)
};

enum class RespStatus : std::uint8_t { done, need_more, error };

enum class RespError : std::uint8_t {
    none,
    unknown_type,          // "RESP protocol description": the first byte names no type we read
    bare_lf,               // "...terminated by CRLF": an LF without its CR
    bad_line_end,          // "...terminated by CRLF": a CR followed by anything but LF
    bad_integer,           // "Integers": not [+|-] 1*DIGIT
    integer_out_of_range,  // "Integers": "a signed, base-10, 64-bit integer"
    bad_length,            // "Bulk strings"/"Arrays": a length that is not -1 or 1*DIGIT (no sign, no leading 0)
    negative_length,       // "Null bulk strings"/"Null arrays": only -1 is allowed below 0
    null_push,             // "Pushes": a push frame has no null form
    bad_bulk_end,          // "Bulk strings": the <length> bytes are not followed by CRLF
    line_too_long,         // RespLimits::max_line (a simple string, error or number line)
    bulk_too_long,         // RespLimits::max_bulk_length
    array_too_long,        // RespLimits::max_array_length
    too_deep,              // RespLimits::max_depth
    too_many_values,       // the caller's value storage is full
};

struct RespResult {
    RespStatus status;
    std::size_t consumed;  // done: the bytes of this reply; otherwise 0
    std::size_t values;    // done: values written (values[0] is the reply); otherwise 0
    std::size_t at_least;  // need_more: below this input size, a call can only say need_more
    RespError error;       // error: why
};

// Parses the reply at the start of `input` into `values` (pre-order, see above). Pure:
// no state, no allocation; the same input gives the same result.
RespResult parse_resp(std::span<const std::uint8_t> input, std::span<RespValue> values,
                      const RespLimits& limits = {}) noexcept;

std::string_view resp_error_name(RespError e) noexcept;

}  // namespace sluice::proto
