#include "proto/ws_error.hpp"

namespace sluice::proto {

std::uint16_t close_code(WsError e) noexcept {
    switch (e) {
        case WsError::none: return 1000;
        case WsError::reserved_bits:
        case WsError::reserved_opcode:
        case WsError::control_frame_fragmented:
        case WsError::unexpected_continuation:
        case WsError::data_frame_inside_message:
        case WsError::unmasked_client_frame:
        case WsError::masked_server_frame:
        case WsError::control_frame_too_long:
        case WsError::close_payload_one_byte:
        case WsError::length_top_bit_set:
        case WsError::length_not_minimal:
        case WsError::invalid_close_code:
        case WsError::compressed_bit_misplaced: return 1002;
        case WsError::invalid_utf8:
        case WsError::invalid_close_reason_utf8:
        case WsError::invalid_compressed_data: return 1007;
        case WsError::frame_too_large:
        case WsError::message_too_large: return 1009;
        case WsError::out_of_memory: return 1011;
    }
    return 1002;
}

std::string_view ws_error_name(WsError e) noexcept {
    switch (e) {
        case WsError::none: return "none";
        case WsError::reserved_bits: return "reserved_bits";
        case WsError::reserved_opcode: return "reserved_opcode";
        case WsError::control_frame_fragmented: return "control_frame_fragmented";
        case WsError::unexpected_continuation: return "unexpected_continuation";
        case WsError::data_frame_inside_message: return "data_frame_inside_message";
        case WsError::unmasked_client_frame: return "unmasked_client_frame";
        case WsError::masked_server_frame: return "masked_server_frame";
        case WsError::control_frame_too_long: return "control_frame_too_long";
        case WsError::close_payload_one_byte: return "close_payload_one_byte";
        case WsError::length_top_bit_set: return "length_top_bit_set";
        case WsError::length_not_minimal: return "length_not_minimal";
        case WsError::frame_too_large: return "frame_too_large";
        case WsError::message_too_large: return "message_too_large";
        case WsError::invalid_utf8: return "invalid_utf8";
        case WsError::invalid_close_code: return "invalid_close_code";
        case WsError::invalid_close_reason_utf8: return "invalid_close_reason_utf8";
        case WsError::compressed_bit_misplaced: return "compressed_bit_misplaced";
        case WsError::invalid_compressed_data: return "invalid_compressed_data";
        case WsError::out_of_memory: return "out_of_memory";
    }
    return "unknown";
}

}  // namespace sluice::proto
