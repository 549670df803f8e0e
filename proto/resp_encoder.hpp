// proto/resp_encoder.hpp — writes a Redis command: an array of bulk strings (RESP2).
//
//   SUBSCRIBE news  ->  "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n"
//
// This is how every client sends every command ("Sending commands to a Redis server": a
// RESP array of bulk strings). Bulk strings are length-prefixed, so each argument may be
// any bytes, CR LF and NUL included: a published payload is never escaped or refused.
//
// Use: resp_command_size() first, then encode_resp_command() into at least that many
// bytes (the caller's buffer: a connection's output block, or a std::string it resized).
// Pure functions: no state, no allocation, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::proto {

// The exact bytes encode_resp_command writes for `args` (0 for no arguments: Redis has no
// empty command, and nothing is written).
std::size_t resp_command_size(std::span<const std::string_view> args) noexcept;

// Writes `args` as one command at the start of `out`; returns the bytes written, or 0 (and
// writes nothing) when `out` is smaller than resp_command_size(args) or `args` is empty.
std::size_t encode_resp_command(std::span<const std::string_view> args, std::span<std::uint8_t> out) noexcept;

}  // namespace sluice::proto
