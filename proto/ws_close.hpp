// proto/ws_close.hpp — RFC 6455 §7.4: close status codes, and the close frame body.
//
// A close frame's body (§5.5.1) is empty, or a 2-byte big-endian status code followed by
// a UTF-8 reason; the whole body is a control payload, so the reason is at most 123 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sluice::proto {

// §7.4.1 defined codes, plus 1012-1014 registered with IANA after the RFC.
inline constexpr std::uint16_t kCloseNormal = 1000;     // purpose fulfilled
inline constexpr std::uint16_t kCloseGoingAway = 1001;  // server shutdown, page left
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseUnsupportedData = 1003;
inline constexpr std::uint16_t kCloseNoStatus = 1005;  // never on the wire: "the close had no code"
inline constexpr std::uint16_t kCloseAbnormal = 1006;  // never on the wire: "no close frame at all"
inline constexpr std::uint16_t kCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kClosePolicyViolation = 1008;
inline constexpr std::uint16_t kCloseMessageTooBig = 1009;
inline constexpr std::uint16_t kCloseMandatoryExtension = 1010;
inline constexpr std::uint16_t kCloseInternalError = 1011;
inline constexpr std::uint16_t kCloseServiceRestart = 1012;
inline constexpr std::uint16_t kCloseTryAgainLater = 1013;
inline constexpr std::uint16_t kCloseBadGateway = 1014;

// The most reason bytes a close frame can carry: 125 (§5.5) minus the 2-byte code.
inline constexpr std::size_t kMaxCloseReason = 123;

// §7.4: may this code appear in a close frame? Valid: 1000-1003, 1007-1014 (1012-1014 are
// IANA registrations after the RFC) and 3000-4999 (libraries and applications).
// Invalid: 0-999 (unused), 1004 (reserved), 1005/1006/1015 (MUST NOT be sent: they stand
// for "no code", "no close frame" and "TLS failure"), 1016-2999 (reserved for future RFCs),
// 5000 and above (outside the defined ranges).
bool is_valid_wire_close_code(std::uint16_t code) noexcept;

// Writes a close body (code + reason) into out and returns its size; nullopt if out is too
// small or the reason is longer than kMaxCloseReason. code == kCloseNoStatus writes the
// empty body (size 0) and requires an empty reason. The code itself is not checked here.
std::optional<std::size_t> encode_close_payload(std::uint16_t code, std::string_view reason,
                                                std::span<std::uint8_t> out) noexcept;

}  // namespace sluice::proto
