// app/detail/ws_compression.hpp — permessage-deflate (RFC 7692) in the engine: which routes
// offer it and how (CompressionTable), what a connection agreed (WsDeflateTerms, 2 bytes in
// the connection's padding), the per-thread codecs and buffers (DeflateScratch), and a
// publish compressed once per distinct setting (PublishDeflate). The codec is proto/ws_deflate.
//
//   upgrade: choose_deflate(offer, route's Compression) ─▶ terms + Sec-WebSocket-Extensions
//   receive: RSV1 message ─▶ inflate (shared: the thread's inflater; takeover: the
//            connection's) into the thread's buffer, bound max_message_size ─▶ UTF-8 ─▶ handler
//   send:    >= threshold ─▶ deflate (shared: the thread's compressor; takeover: the connection's)
//
// Memory: an idle connection keeps only its 2 bytes of terms (in padding: Connection does not
// grow). Where the agreement keeps a context (Memory::dedicated, and the client did not ask
// for no context takeover) the connection's proto::WsDeflate is allocated at its first
// compressed message, in its Extras, and kept: see app/README.md "Compression".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/message.hpp"
#include "app/settings.hpp"
#include "core/block_pool.hpp"
#include "proto/http_fields.hpp"
#include "proto/ws_deflate.hpp"
#include "proto/ws_frame.hpp"

namespace sluice {
class Router;
}

namespace sluice::detail {

class Connection;

// What a connection agreed (RFC 7692 §7.1), packed: every connection carries it.
class WsDeflateTerms {
 public:
    bool on() const noexcept { return profile_ != 0; }
    std::uint8_t profile() const noexcept { return static_cast<std::uint8_t>(profile_ - 1); }  // when on()
    proto::DeflateAgreement agreement() const noexcept;
    bool server_takeover() const noexcept { return (bits_ & kServerReset) == 0; }  // our compressor keeps context
    bool client_takeover() const noexcept { return (bits_ & kClientReset) == 0; }  // our inflater keeps context
    std::uint8_t server_window_bits() const noexcept { return static_cast<std::uint8_t>(8 + (bits_ & 7)); }
    std::uint8_t client_window_bits() const noexcept { return static_cast<std::uint8_t>(8 + ((bits_ >> 3) & 7)); }
    void set(std::uint8_t profile, const proto::DeflateAgreement& a) noexcept;

 private:
    static constexpr std::uint8_t kServerReset = 0x40, kClientReset = 0x80;
    std::uint8_t profile_ = 0;  // 0: not negotiated; else 1 + the CompressionTable profile
    std::uint8_t bits_ = 0;     // server bits - 8 | (client bits - 8) << 3 | kServerReset | kClientReset
};
static_assert(sizeof(WsDeflateTerms) == 2);

// The Compression each WebSocket route uses: built once at start, read-only after.
class CompressionTable {  // Owns a copy of the distinct settings.
 public:
    // Profile 0 is the server-wide setting; each override adds one. "" or the problem
    // (an override whose path has no WebSocket route).
    std::string build(const Compression& server_wide, const std::vector<RouteCompression>& overrides,
                      const Router& router, std::size_t targets);
    // The route's profile, or -1 when it declines permessage-deflate.
    int profile_of(std::uint32_t target) const noexcept;
    const Compression& profile(std::uint8_t id) const noexcept { return profiles_[id]; }
    // RFC 7692 §5.1: the agreement with the first acceptable offer in `headers` for `target`,
    // written as the answer into `answer`; false (and no header) when declined.
    bool negotiate(std::uint32_t target, std::span<const proto::HttpHeader> headers, WsDeflateTerms& terms,
                   std::span<char> answer, std::string_view& answer_out) const noexcept;

 private:
    std::vector<Compression> profiles_;
    std::vector<std::int16_t> by_target_;  // profile per router target id, -1 = off
};

// Server::validate()'s part: every Compression's window_bits in 8..15, every override's
// path a WebSocket route. "" or the problem.
std::string validate_compression(const Settings& s, const Router& router, std::size_t targets);

// One Worker's codecs for the shared mode and its buffers. One thread only.
class DeflateScratch {  // Owns its codecs (made on first use) and two growing buffers.
 public:
    // A compressor that resets per message (server_no_context_takeover).
    proto::WsDeflate& compressor(Compression::Level level, std::uint8_t window_bits);
    // An inflater that resets per message (client_no_context_takeover), within 2^window_bits.
    proto::WsDeflate& inflater(std::uint8_t window_bits);
    // Room for a compressed message (kept across calls, given back by trim()).
    std::span<std::uint8_t> output(std::size_t size);
    // Inflates `payload` with `codec` into the inflate buffer, growing it up to `limit`.
    proto::WsDeflateResult inflate(proto::WsDeflate& codec, std::span<const std::uint8_t> payload, std::size_t limit);
    std::span<const std::uint8_t> inflated(std::size_t size) const noexcept { return {inflated_.data(), size}; }
    // After a message: a buffer that grew beyond kKeep is freed (a big message's memory is
    // not held by an idle thread). Separately: a handler may send (and so compress) while it
    // still reads the inflated message it was given.
    void trim_output() noexcept;
    void trim_inflated() noexcept;
    static constexpr std::size_t kKeep = 256 * 1024;

 private:
    static std::span<std::uint8_t> grow(void* self, std::size_t produced) noexcept;
    std::array<std::unique_ptr<proto::WsDeflate>, 16> compressors_;  // level * 8 + bits - 8
    std::array<std::unique_ptr<proto::WsDeflate>, 8> inflaters_;     // bits - 8
    std::vector<std::uint8_t> output_;
    std::vector<std::uint8_t> inflated_;
    std::size_t limit_ = 0;  // the inflate in progress: its bound
};

// One publish (Worker::publish_local): the message compressed once per distinct (level,
// window) among the subscribers that negotiated permessage-deflate and are at or above their
// threshold, each one frame with RSV1 (context-free: every subscriber can inflate it).
class PublishDeflate {  // Owns the compressed frames of one publish; lives for that call.
 public:
    PublishDeflate(core::BlockPool& pool, DeflateScratch& scratch, const CompressionTable& table, proto::Opcode op,
                   std::span<const std::uint8_t> payload) noexcept
        : pool_(pool), scratch_(scratch), table_(table), op_(op), payload_(payload) {}
    // Sends the compressed frame to `c` when its terms want one (what the send gave); nullopt:
    // send it the plain frame.
    std::optional<SendResult> send_to(Connection& c);

 private:
    struct Frame {
        core::SharedBytes bytes;
        std::size_t size = 0;
        std::size_t header = 0;   // the frame header's bytes at the front
        bool tried = false;  // compressed (or found not worth it) already
    };
    core::BlockPool& pool_;
    DeflateScratch& scratch_;
    const CompressionTable& table_;
    proto::Opcode op_;
    std::span<const std::uint8_t> payload_;
    std::array<Frame, 16> frames_;  // level * 8 + bits - 8
};

}  // namespace sluice::detail
