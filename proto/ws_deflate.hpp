// proto/ws_deflate.hpp — permessage-deflate (RFC 7692) per message, on core/deflate and
// core/inflate, plus the frame rule for RSV1. Negotiation: proto/ws_deflate_offer.hpp.
//
//   send:    message ──► compress ──► deflate + sync flush, 00 00 ff ff removed (§7.2.1)
//            ──► one frame (or the first of several) with RSV1 set (mark_compressed)
//   receive: WsReceiver (settings.permessage_deflate) ──► message event with `compressed`
//            ──► decompress: payload + 00 00 ff ff inflated (§7.2.2), at most `out.size()`
//            bytes ──► text: UTF-8 checked now, on the inflated bytes (RFC 6455 §8.1)
//
// Each direction follows the agreement (§7.1): our compressor's window and reset rule are
// the server_* parameters for a server, the client_* ones for a client; our inflater's are
// the other side's. Context takeover keeps the window between messages; "no context
// takeover" resets it before each message (the memory is kept; release() frees it).
//
// Memory (held from the first message on, until release() or destruction): the compressor
// core::Deflater::memory_bytes(our window bits) (224 KiB at 15 bits, 12.5 KiB at 8) and the
// inflater's window 2^(peer's window bits) (32 KiB at 15), plus sizeof(WsDeflate) (the
// inflater's tables inline: 10.6 KB). A server that wants less per connection lowers
// server_max_window_bits / client_max_window_bits in DeflateSettings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/deflate.hpp"
#include "core/inflate.hpp"
#include "proto/ws_deflate_offer.hpp"
#include "proto/ws_error.hpp"
#include "proto/ws_frame.hpp"

namespace sluice::proto {

enum class WsDeflateStatus : std::uint8_t {
    ok,
    output_too_small,  // compress: `out` was below compress_bound (nothing usable written)
    too_big,           // decompress: more than out.size() bytes: RFC 6455 §10.4 -> 1009
    corrupt,           // decompress: not valid DEFLATE (RFC 1951) -> 1007; see inflate_error
    truncated,         // decompress: the data stops inside a block (§7.2.2) -> 1007
    out_of_memory,     // the compressor's or inflater's memory was refused -> 1011
};

struct WsDeflateResult {
    WsDeflateStatus status = WsDeflateStatus::ok;
    std::size_t size = 0;  // bytes written at the front of `out`
    core::InflateError inflate_error = core::InflateError::none;  // when corrupt
};

// The rule RFC 7692 §6.1 adds to RFC 6455 §5.2: RSV1 ("Per-Message Compressed") is allowed
// only when the extension was negotiated, and then only on the first frame of a data
// message; on a control frame or a continuation it is a protocol error (1002).
WsError check_rsv1(bool negotiated, Opcode opcode, bool rsv1) noexcept;

// Sets RSV1 in a frame header written by encode_frame_header (its first byte).
inline void mark_compressed(std::uint8_t* header) noexcept { header[0] = static_cast<std::uint8_t>(header[0] | 0x40); }

// The WsError a failed decompression fails the connection with (§7.2.2, RFC 6455 §7.4.1).
WsError ws_error_of(WsDeflateStatus s) noexcept;

// Output room that grows while a message inflates (the owner's buffer, up to its limit):
// grow(context, produced) returns the whole buffer again, larger, its first `produced`
// bytes kept; or a span no larger than `produced` when no more is allowed (too_big).
struct WsOutputGrowth {  // Does not own `context`.
    void* context = nullptr;
    std::span<std::uint8_t> (*grow)(void* context, std::size_t produced) noexcept = nullptr;
};

class WsDeflate {  // One per connection; owns its compressor and inflater (see Memory above).
 public:
    WsDeflate(Role role, const DeflateAgreement& agreed,
              core::DeflateLevel level = core::DeflateLevel::normal) noexcept;

    // §7.2.1: `out` needs compress_bound(message.size()) bytes.
    std::size_t compress_bound(std::size_t message_size) const noexcept;
    WsDeflateResult compress(std::span<const std::uint8_t> message, std::span<std::uint8_t> out) noexcept;

    // §7.2.2: inflates a whole message's payload (every frame's, joined) into `out`, whose
    // size is the limit (max_message_size): more than that is too_big, and nothing is
    // written past it.
    WsDeflateResult decompress(std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) noexcept;
    // The same into a buffer that grows (see WsOutputGrowth): `out` first, then whatever
    // growth.grow returns; the result's size counts from the start of the last buffer.
    WsDeflateResult decompress(std::span<const std::uint8_t> payload, std::span<std::uint8_t> out,
                               const WsOutputGrowth& growth) noexcept;

    // Our compressor forgets what it sent: the next message refers to nothing before it.
    // For when the peer's window holds bytes our compressor did not produce (a frame
    // compressed elsewhere, RSV1 set, sent on this connection) or lacks some it did (a
    // message compressed, then sent uncompressed after all). The memory is kept.
    void forget_sent() noexcept { deflater_.reset(); }

    // Frees the compressor's and the inflater's memory (both reset; context is lost, so only
    // when both sides reset per message, or the connection is going away).
    void release() noexcept;

    const DeflateAgreement& agreement() const noexcept { return agreed_; }

 private:
    DeflateAgreement agreed_;
    bool reset_ours_;    // our compressor resets per message
    bool reset_theirs_;  // the peer's compressor does, so our inflater may forget too
    core::Deflater deflater_;
    core::Inflater inflater_;
};

}  // namespace sluice::proto
