// proto/ws_frame.hpp — RFC 6455 §5.2: the frame header, its encoder, and payload masking.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-------+-+-------------+-------------------------------+
//   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//   | |1|2|3|       |K|             |                               |
//   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//   |     Extended payload length continued, if payload len == 127  |
//   + - - - - - - - - - - - - - - - +-------------------------------+
//   |                               |Masking-key, if MASK set to 1  |
//   +-------------------------------+-------------------------------+
//   | Masking-key (continued)       |          Payload Data         |
//   +-------------------------------- - - - - - - - - - - - - - - - +
//
// This file is stateless: it encodes headers and (un)masks payloads. The incremental,
// validating decoder that enforces §5's rules on received bytes is WsReceiver
// (proto/ws_receiver.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/buffer.hpp"
#include "proto/ws_unmask.hpp"

namespace sluice::proto {

// §5.2 / §11.8: the opcodes defined by RFC 6455. 0x3-0x7 and 0xB-0xF are reserved.
enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Which end of the connection we are. §5.1: a client masks every frame it sends, a server
// masks none; each fails the connection when the peer gets this wrong.
enum class Role : std::uint8_t { server, client };

// 2 bytes + 8 bytes of 64-bit length + 4 bytes of masking key (§5.2). Equals
// core::kFramePrependRoom, so any payload in a core::Buffer can be framed in place.
inline constexpr std::size_t kMaxFrameHeader = 14;
static_assert(kMaxFrameHeader == core::kFramePrependRoom);

// §5.5: control frames carry at most 125 payload bytes (so their length fits in 7 bits).
inline constexpr std::size_t kMaxControlPayload = 125;

// A decoded header: the fields of the diagram above, the length already widened.
struct FrameHeader {
    bool fin = false;
    std::uint8_t rsv = 0;  // RSV1..RSV3 as bits 2..0 (RSV1 = 0b100)
    Opcode opcode = Opcode::continuation;
    bool masked = false;
    std::uint64_t payload_length = 0;
    std::array<std::uint8_t, 4> mask{};
};

// §5.5: opcodes with the high bit set are control frames (close, ping, pong, reserved).
constexpr bool is_control(Opcode op) noexcept { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

// §5.2: is this 4-bit value one of the six defined opcodes?
constexpr bool is_known_opcode(std::uint8_t op) noexcept { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

// The size of the header that encode_frame_header writes for this length: 2, 4 or 10
// bytes (§5.2: the minimal length encoding), plus 4 when masked.
constexpr std::size_t frame_header_size(std::uint64_t length, bool masked) noexcept {
    const std::size_t base = length < 126 ? 2 : (length <= 0xFFFF ? 4 : 10);
    return base + (masked ? 4 : 0);
}

// Writes the header for a frame (masked iff `mask` given: client role) into out[0..14);
// returns its size (frame_header_size). RSV bits are 0: no extensions are negotiated.
// `length` must be below 2^63 (§5.2); the caller also keeps control frames at most 125
// bytes and FIN set (§5.5) — these are the caller's rules, not checked here.
std::size_t encode_frame_header(std::uint8_t* out, Opcode opcode, bool fin, std::uint64_t length,
                                const std::array<std::uint8_t, 4>* mask = nullptr) noexcept;

// Frames a payload already sitting in a core::Buffer: writes the header into the prepend
// room (no payload copy), masking the payload in place for the client role. Returns false,
// and leaves the buffer untouched, if the prepend room is smaller than the header.
bool frame_in_place(core::Buffer& payload, Opcode opcode, bool fin,
                    const std::array<std::uint8_t, 4>* mask = nullptr) noexcept;

// Writes a whole frame, header then payload, at the front of `out` (masking the copied
// payload when `mask` is given); returns its size, or 0 if `out` is too small. For frames
// encoded once and sent many times (a broadcast into a core::SharedBytes block sized
// frame_header_size(n, false) + n).
std::size_t encode_frame(std::span<std::uint8_t> out, Opcode opcode, bool fin,
                         std::span<const std::uint8_t> payload,
                         const std::array<std::uint8_t, 4>* mask = nullptr) noexcept;

// Decodes the structure of a header from the front of `in` without judging it (no §5
// rules, no limits): returns the header size and fills `out`, or 0 if `in` holds fewer
// bytes than the header needs. For tools and tests; the session uses WsReceiver.
std::size_t decode_frame_header(std::span<const std::uint8_t> in, FrameHeader& out) noexcept;

// unmask(bytes, key, offset), §5.3, is declared in proto/ws_unmask.hpp (included above)
// beside its scalar, SSE2 and AVX2 variants.

}  // namespace sluice::proto
