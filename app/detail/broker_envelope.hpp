// app/detail/broker_envelope.hpp — what a node puts around a message it publishes to a broker.
//
//   "~sl" 't'|'b' <16 hex digits: the publishing node's id> '|' <the message's bytes>
//     0     3             4                                   20   21
//
// The opcode survives the trip (a binary message arrives binary, a text one text), and a node
// recognises its own publishes when the broker echoes them back (they were delivered locally
// already, so they are dropped). Plain text so that `redis-cli MONITOR` stays readable.
// A payload without this header came from outside sluice (`redis-cli PUBLISH`): it is
// delivered as text when it is valid UTF-8, else as binary, and is never anyone's echo.
// A text message that is not valid UTF-8 (RFC 6455 §8.1 forbids sending it) arrives binary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sluice::detail {

inline constexpr std::size_t kEnvelopeSize = 21;

// "0123456789abcdef": the 16 lower-case hex digits of `id`.
std::string node_id_text(std::uint64_t id);

// Writes the header for (`node`, `text`) into out[0..kEnvelopeSize). `node` is 16 characters.
void write_envelope(std::span<char, kEnvelopeSize> out, std::string_view node, bool text) noexcept;

struct Envelope {
    std::string_view node;                    // empty: not from a sluice node
    bool text = false;
    std::span<const std::uint8_t> payload;    // views the input
};

// Reads a message as it came from the broker (never fails: see the file comment).
Envelope read_envelope(std::span<const std::uint8_t> message) noexcept;

}  // namespace sluice::detail
