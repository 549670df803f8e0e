#include "proto/ws_error.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using sluice::proto::close_code;
using sluice::proto::ws_error_name;
using sluice::proto::WsError;

TEST_SUITE("proto") {
    TEST_CASE("RFC 6455 7.4.1: each rule maps to its close code in one place") {
        CHECK(close_code(WsError::reserved_bits) == 1002);
        CHECK(close_code(WsError::reserved_opcode) == 1002);
        CHECK(close_code(WsError::control_frame_fragmented) == 1002);
        CHECK(close_code(WsError::unexpected_continuation) == 1002);
        CHECK(close_code(WsError::data_frame_inside_message) == 1002);
        CHECK(close_code(WsError::unmasked_client_frame) == 1002);
        CHECK(close_code(WsError::masked_server_frame) == 1002);
        CHECK(close_code(WsError::control_frame_too_long) == 1002);
        CHECK(close_code(WsError::close_payload_one_byte) == 1002);
        CHECK(close_code(WsError::length_top_bit_set) == 1002);
        CHECK(close_code(WsError::length_not_minimal) == 1002);
        CHECK(close_code(WsError::invalid_close_code) == 1002);
        CHECK(close_code(WsError::invalid_utf8) == 1007);
        CHECK(close_code(WsError::invalid_close_reason_utf8) == 1007);
        CHECK(close_code(WsError::frame_too_large) == 1009);
        CHECK(close_code(WsError::message_too_large) == 1009);
        CHECK(close_code(WsError::out_of_memory) == 1011);
    }

    TEST_CASE("RFC 6455 5.5: every error has a distinct name short enough to be a close reason") {
        std::set<std::string> names;
        for (int e = 0; e <= static_cast<int>(WsError::out_of_memory); ++e) {
            const auto name = ws_error_name(static_cast<WsError>(e));
            CHECK(name.size() <= 123);
            CHECK(name != "unknown");
            names.insert(std::string(name));
        }
        CHECK(names.size() == static_cast<std::size_t>(WsError::out_of_memory) + 1);
    }
}
