// proto/ws_error.hpp — every way a peer can break RFC 6455, one name per rule.
//
// Each enumerator is one MUST of the RFC that a received frame can violate. The comment
// beside it cites the section; `close_code()` (ws_error.cpp) is the one place that maps a
// rule to the status code sent in our close frame (RFC 6455 §7.4.1):
//   1002 protocol error, 1007 invalid payload data, 1009 message too big,
//   1011 internal error (we could not get memory for a message within the limits).
// The receiver checks the rules in the order listed, so the same bytes fail with the same
// error however they are split.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::proto {

enum class WsError : std::uint8_t {
    none = 0,  // no error
    // §5.2 base framing, byte 0
    reserved_bits,              // §5.2: RSV1-3 MUST be 0 unless an extension was negotiated -> 1002
    reserved_opcode,            // §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved -> 1002
    control_frame_fragmented,   // §5.5: control frames MUST NOT be fragmented (FIN = 0) -> 1002
    unexpected_continuation,    // §5.4: a continuation frame with no message in progress -> 1002
    data_frame_inside_message,  // §5.4: a text/binary frame before the open message's FIN -> 1002
    // §5.1 / §5.2 byte 1
    unmasked_client_frame,   // §5.1: a server MUST fail on an unmasked client frame -> 1002
    masked_server_frame,     // §5.1: a client MUST fail on a masked server frame -> 1002
    control_frame_too_long,  // §5.5: control frame payloads are at most 125 bytes -> 1002
    close_payload_one_byte,  // §5.5.1: a close body is empty or starts with a 2-byte code -> 1002
    // §5.2 extended payload length
    length_top_bit_set,  // §5.2: the most significant bit of a 64-bit length MUST be 0 -> 1002
    length_not_minimal,  // §5.2: "the minimal number of bytes MUST be used" -> 1002
    // §10.4 limits (settings in WsLimits), checked as soon as the header shows the length
    frame_too_large,    // §10.4: frame payload above max_frame_size -> 1009
    message_too_large,  // §10.4: message so far + this frame above max_message_size -> 1009
    // §8.1 / §5.5.1 payload contents
    invalid_utf8,               // §8.1: a text message that is not UTF-8 -> 1007 (at the first bad byte)
    invalid_close_code,         // §7.4: a close code that is not valid on the wire -> 1002
    invalid_close_reason_utf8,  // §8.1: a reason (UTF-8 per §5.5.1) that is not UTF-8 MUST fail -> 1007
    // RFC 7692 permessage-deflate, when negotiated
    compressed_bit_misplaced,  // RFC 7692 §6.1: RSV1 on a control or continuation frame -> 1002
    invalid_compressed_data,   // RFC 7692 §7.2.2: the payload does not inflate (RFC 1951) -> 1007
    // Resource failure: not a peer error, but the connection still ends with a close frame.
    out_of_memory,  // §7.4.1: 1011, the assembly buffer could not be allocated
};

// The status code to put in the close frame when the connection fails with `e` (§7.4.1).
// Returns 1000 for WsError::none.
std::uint16_t close_code(WsError e) noexcept;

// The enumerator's name, e.g. "reserved_opcode"; used as the close reason we send and in
// logs. Always at most 123 bytes (the close reason limit, §5.5).
std::string_view ws_error_name(WsError e) noexcept;

}  // namespace sluice::proto
