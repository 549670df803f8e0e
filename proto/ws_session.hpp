// proto/ws_session.hpp — the sans-I/O WebSocket connection: bytes in, events and bytes out.
//
//          feed(bytes) ──► WsReceiver ──► on_message / on_ping / on_pong / on_close / on_fail
//                                │ ping: pong with the same payload   (§5.5.2, §5.5.3)
//                                │ peer close: echo code and reason   (§5.5.1, §7.1.5)
//                                │ broken rule: close with its code   (§7.1.7, §7.4.1)
//                                ▼
//   send_message / send_ping / send_pong / send_close ──► frames ──► send(bytes)
//
// The owner (app/'s connection, a test, a fuzzer) implements WsHooks: the session reads
// nothing and writes nothing itself, keeps no clock, and never blocks. Hooks are called
// synchronously from feed() and send_*(); a hook may call send_*() but must not call
// feed() (no re-entry) nor destroy the session (defer that until feed() returns). What the
// owner does with the events:
//
//   state()    meaning                                   the owner then
//   open       messages flow both ways
//   closing    we sent close, the peer has not answered  waits (with a timeout, §7.1.1)
//   closed     close sent and received                   closes TCP (server: at once)
//   failed     a rule was broken, our close is queued    shuts down sending, drains, closes
//
// Outgoing frames: header and payload go out as separate send() calls, so a payload is
// never copied just to frame it; frames whose header + payload fit in kInlineFrame bytes
// go out in one call. If the hooks have `send_frame(header, payload)` (WsGatherSink), an
// unmasked frame larger than kInlineFrame goes out in that one call instead, so the owner
// can write both with one writev. The client role must mask (§5.1) and so copies the
// payload through a 1 KiB stack scratch buffer. Nothing here allocates except WsReceiver's
// assembly buffer, which comes from the owner's WsBufferSource when one is given.
//
// Client masking keys (§5.3: "unpredictable"; it matters against proxy cache poisoning by
// browser scripts): if the hooks have `std::array<std::uint8_t, 4> next_mask()`, it is
// called for every frame. Without it, a xorshift generator seeded from the session's
// address is used: enough for tests and load generation, not for untrusted scripts.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "core/utf8.hpp"
#include "proto/ws_close.hpp"
#include "proto/ws_error.hpp"
#include "proto/ws_frame.hpp"
#include "proto/ws_receiver.hpp"

namespace sluice::proto {

// The hooks the owner implements (a C++20 concept, checked at compile time).
template <class H>
concept WsHooks = requires(H& h, std::span<const std::uint8_t> bytes, std::uint16_t code,
                           std::string_view reason, Opcode op) {
    h.on_message(op, bytes);   // a whole text/binary message (text already UTF-8 validated);
                               // `bytes` is valid only during the call
    h.on_ping(bytes);          // after the session queued the pong (unless a close was sent)
    h.on_pong(bytes);          // solicited or not; never answered
    h.on_close(code, reason);  // the peer's close (1005 if it had no code); the session has replied
    h.on_fail(code);           // we failed the connection: close frame already queued via send()
                               // (unless one had been sent before)
    h.send(bytes);             // outgoing bytes; copy or write them before returning
};

// Optional: a source of masking keys for the client role (see the file comment).
template <class H>
concept WsMaskSource = requires(H& h) {
    { h.next_mask() } -> std::convertible_to<std::array<std::uint8_t, 4>>;
};

// Optional: one call for a frame's header and its (unmasked) payload, both valid only
// during the call; the owner writes or copies them, in this order, before returning.
template <class H>
concept WsGatherSink = requires(H& h, std::span<const std::uint8_t> bytes) { h.send_frame(bytes, bytes); };

// Optional, for permessage-deflate (RFC 7692; WsLimits::permessage_deflate): a message whose
// first frame had RSV1 set, its payload still compressed and not UTF-8 checked. The owner
// inflates it (proto/ws_deflate.hpp) and checks text, and returns the rule the message broke
// (WsError::none if none): the session then fails the connection with its code, as for a
// rule its receiver found (RFC 7692 §7.2.2 / RFC 6455 §7.4.1: 1007 corrupt DEFLATE data or
// invalid UTF-8, 1009 over max_message_size once inflated). A session whose limits allow
// RSV1 but whose hooks lack this fails such a message with 1002, as if nothing was negotiated.
template <class H>
concept WsCompressedSink = requires(H& h, std::span<const std::uint8_t> bytes, Opcode op) {
    { h.on_compressed_message(op, bytes) } -> std::same_as<WsError>;
};

// Frames at most this size (header + payload) are sent with one send() call.
inline constexpr std::size_t kInlineFrame = 256;

template <WsHooks Hooks>
class WsSession {  // Owns its parse state and at most one message assembly buffer (bounded by
                   // max_message_size). Does not own the hooks.
 public:
    WsSession(Role role, const WsLimits& limits, Hooks& hooks, const WsBufferSource* source = nullptr) noexcept
        : receiver_(role, limits, WsInput::held_until_need_more, source),
          hooks_(hooks),
          mask_state_(reinterpret_cast<std::uintptr_t>(this) ^ 0x9E3779B97F4A7C15ull) {}

    // Consumes input (mutable: unmasked in place). It always consumes everything it is given
    // unless the session is closed/failed: a partial frame header (< 14 bytes) is kept in the
    // session; partial payload is moved into the assembly buffer; a message wholly inside
    // `input` is delivered zero-copy (a view into `input`). Returns the bytes consumed; bytes
    // after the peer's close frame, or after the byte that failed the connection, are not.
    std::size_t feed(std::span<std::uint8_t> input) noexcept {
        std::size_t used = 0;
        for (;;) {
            const WsEvent ev = receiver_.next(input.subspan(used));
            used += ev.consumed;
            switch (ev.kind) {
                case WsEventKind::need_more:
                case WsEventKind::stopped: return used;
                case WsEventKind::message:
                    if (!ev.compressed) {
                        hooks_.on_message(ev.opcode, ev.payload);
                    } else if constexpr (WsCompressedSink<Hooks>) {
                        if (const WsError e = hooks_.on_compressed_message(ev.opcode, ev.payload); e != WsError::none) {
                            receiver_.fail_message(e);  // nothing after this message is read
                            if (!close_sent_) {
                                send_close_frame(close_code(e), ws_error_name(e));
                                mark_close_sent();
                            }
                            hooks_.on_fail(close_code(e));
                            return used;
                        }
                    } else {
                        if (!close_sent_) {
                            send_close_frame(close_code(WsError::reserved_bits), ws_error_name(WsError::reserved_bits));
                            mark_close_sent();
                        }
                        hooks_.on_fail(close_code(WsError::reserved_bits));
                        return used;
                    }
                    break;
                case WsEventKind::ping:
                    // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame
                    // in response, unless it already received a Close frame" (§5.5.3: with
                    // identical application data). A ping is never read after the peer's
                    // close (the receiver stops there), so every ping is answered, also after
                    // our own close went out: §5.5.1 forbids only data frames after it.
                    send_frame(Opcode::pong, true, ev.payload);
                    hooks_.on_ping(ev.payload);
                    break;
                case WsEventKind::pong: hooks_.on_pong(ev.payload); break;  // §5.5.3: no reply
                case WsEventKind::close:
                    // §5.5.1: a Close received when none was sent MUST be answered with a
                    // Close ("the endpoint typically echos the status code it received").
                    // We echo the code AND the reason (at most 123 bytes, already UTF-8
                    // checked), as the conformance suites expect; an empty close body
                    // (1005, no reason) is answered with 1000.
                    if (!close_sent_) {
                        send_close_frame(ev.code == kCloseNoStatus ? kCloseNormal : ev.code, ev.reason);
                        mark_close_sent();
                    }
                    hooks_.on_close(ev.code, ev.reason);
                    return used;
                case WsEventKind::fail:
                    // §7.1.7: _Fail the WebSocket Connection_: send a close frame with the code
                    // (if none was sent), then the owner closes TCP.
                    if (!close_sent_) {
                        send_close_frame(ev.code, ws_error_name(ev.error));
                        mark_close_sent();
                    }
                    hooks_.on_fail(ev.code);
                    return used;
            }
        }
    }

    // Sends a text or binary message (split into auto_fragment_size frames when set, §5.4).
    // False, and nothing sent, if the opcode is not text/binary or a close was sent or
    // received (§5.5.1: no data frame after a close) or the connection failed. The caller
    // guarantees a text payload is UTF-8 (§8.1); it is not re-validated here.
    // §6.1 steps 2-4: the first frame carries the data opcode, the last one FIN.
    bool send_message(Opcode text_or_binary, std::span<const std::uint8_t> payload) noexcept {
        return send_data(text_or_binary, payload, false);
    }
    // The same for a payload compressed by proto::WsDeflate::compress (RFC 7692 §7.2.1):
    // RSV1 is set on the first frame (§6.1). Only when permessage-deflate was negotiated.
    bool send_compressed_message(Opcode text_or_binary, std::span<const std::uint8_t> deflated) noexcept {
        return send_data(text_or_binary, deflated, true);
    }
    bool send_message(Opcode text_or_binary, std::string_view payload) noexcept {
        return send_message(text_or_binary, as_bytes(payload));
    }

    // §5.5.2: a ping (heartbeat). False if the payload is over 125 bytes or we cannot send.
    bool send_ping(std::span<const std::uint8_t> payload) noexcept {
        if (payload.size() > kMaxControlPayload || !can_send()) return false;
        send_frame(Opcode::ping, true, payload);
        return true;
    }
    // §5.5.3: an unsolicited pong, "a unidirectional heartbeat".
    bool send_pong(std::span<const std::uint8_t> payload) noexcept {
        if (payload.size() > kMaxControlPayload || !can_send()) return false;
        send_frame(Opcode::pong, true, payload);
        return true;
    }

    // Starts the close handshake (§7.1.2). `code` must be valid on the wire (§7.4), or
    // kCloseNoStatus for an empty close body; `reason` UTF-8, at most 123 bytes. False if
    // those do not hold, or a close was already sent, or the connection failed.
    // §7.4.1: 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close control frame".
    bool send_close(std::uint16_t code, std::string_view reason) noexcept {
        if (close_sent_ || receiver_.failed()) return false;
        if (code != kCloseNoStatus && !is_valid_wire_close_code(code)) return false;
        if (!core::is_valid_utf8(reason)) return false;
        if (!send_close_frame(code, reason)) return false;
        mark_close_sent();
        return true;
    }

    // May a data or ping frame go out now? False once a close was sent or received (§5.5.1)
    // or the connection failed. An owner that writes pre-encoded frames (a broadcast built
    // once with encode_frame) asks this first. The one answer to "is this WebSocket still
    // open?": the owner keeps no close flags of its own.
    // §6.1 step 1: send only in the OPEN state.
    bool can_send() const noexcept { return !close_sent_ && !receiver_.close_received() && !receiver_.failed(); }

    // The close handshake (§7) as both ends see it; the session is its one owner: it knows
    // what it sent, and its receiver what was read.
    WsState state() const noexcept {
        if (receiver_.failed()) return WsState::failed;
        if (close_sent_ && receiver_.close_received()) return WsState::closed;
        if (close_sent_ || receiver_.close_received()) return WsState::closing;
        return WsState::open;
    }
    bool close_sent() const noexcept { return close_sent_; }
    bool close_received() const noexcept { return receiver_.close_received(); }
    // The close handshake finished (§7.1.1: the server now closes TCP).
    bool close_handshake_complete() const noexcept { return state() == WsState::closed; }
    // We failed the connection; error() says which rule the peer broke.
    bool failed() const noexcept { return receiver_.failed(); }
    WsError error() const noexcept { return receiver_.error(); }
    Role role() const noexcept { return receiver_.role(); }
    const WsReceiver& receiver() const noexcept { return receiver_; }
    // A frame or message of the peer's has begun and not ended (WsReceiver::receiving).
    bool receiving() const noexcept { return receiver_.receiving(); }

 private:
    static std::span<const std::uint8_t> as_bytes(std::string_view s) noexcept {
        return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
    }

    bool send_data(Opcode text_or_binary, std::span<const std::uint8_t> payload, bool compressed) noexcept {
        if (text_or_binary != Opcode::text && text_or_binary != Opcode::binary) return false;
        if (!can_send()) return false;
        const std::size_t step = receiver_.limits().auto_fragment_size;
        if (step == 0 || payload.size() <= step) {
            send_frame(text_or_binary, true, payload, compressed);
            return true;
        }
        Opcode op = text_or_binary;
        for (std::size_t at = 0; at < payload.size(); at += step) {
            const std::size_t n = payload.size() - at < step ? payload.size() - at : step;
            send_frame(op, at + n == payload.size(), payload.subspan(at, n), compressed && at == 0);
            op = Opcode::continuation;
        }
        return true;
    }

    // Our close went out: no data frame is sent or delivered from now on (§5.5.1).
    void mark_close_sent() noexcept {
        close_sent_ = true;
        receiver_.drop_data_frames();
    }

    bool send_close_frame(std::uint16_t code, std::string_view reason) noexcept {
        std::array<std::uint8_t, kMaxControlPayload> body;
        const auto size = encode_close_payload(code, reason, body);
        if (!size) return false;
        send_frame(Opcode::close, true, std::span<const std::uint8_t>(body.data(), *size));
        return true;
    }

    // §5.3: "the client MUST pick a fresh masking key" for every frame (§10.3 alike).
    std::array<std::uint8_t, 4> next_mask() noexcept {
        if constexpr (WsMaskSource<Hooks>) {
            return hooks_.next_mask();
        } else {
            mask_state_ ^= mask_state_ << 13;
            mask_state_ ^= mask_state_ >> 7;
            mask_state_ ^= mask_state_ << 17;
            const auto v = static_cast<std::uint32_t>(mask_state_ >> 16);
            return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                    static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
        }
    }

    // One frame: §5.2 header, then the payload (masked through scratch for a client, §5.3).
    // §5.1: a client MUST mask every frame it sends, a server MUST NOT mask any.
    void send_frame(Opcode op, bool fin, std::span<const std::uint8_t> payload, bool rsv1 = false) noexcept {
        const bool client = receiver_.role() == Role::client;
        std::array<std::uint8_t, 4> key{};
        if (client) key = next_mask();
        std::array<std::uint8_t, kInlineFrame> out;
        const std::size_t head =
            encode_frame_header(out.data(), op, fin, payload.size(), client ? &key : nullptr);
        if (rsv1) out[0] = static_cast<std::uint8_t>(out[0] | 0x40);  // RFC 7692 §6.1
        if (head + payload.size() <= out.size()) {
            if (!payload.empty()) std::memcpy(out.data() + head, payload.data(), payload.size());
            if (client) unmask(std::span<std::uint8_t>(out.data() + head, payload.size()), key, 0);
            hooks_.send(std::span<const std::uint8_t>(out.data(), head + payload.size()));
            return;
        }
        if (!client) {
            if constexpr (WsGatherSink<Hooks>) {
                hooks_.send_frame(std::span<const std::uint8_t>(out.data(), head), payload);
            } else {
                hooks_.send(std::span<const std::uint8_t>(out.data(), head));
                hooks_.send(payload);
            }
            return;
        }
        hooks_.send(std::span<const std::uint8_t>(out.data(), head));
        std::array<std::uint8_t, 1024> scratch;
        for (std::size_t at = 0; at < payload.size(); at += scratch.size()) {
            const std::size_t n = payload.size() - at < scratch.size() ? payload.size() - at : scratch.size();
            std::memcpy(scratch.data(), payload.data() + at, n);
            unmask(std::span<std::uint8_t>(scratch.data(), n), key, at);
            hooks_.send(std::span<const std::uint8_t>(scratch.data(), n));
        }
    }

    // [[no_unique_address]]: close_sent_ takes a byte of the receiver's tail padding, so the
    // session is no larger for owning it (Itanium C++ ABI: a potentially-overlapping member).
    [[no_unique_address]] WsReceiver receiver_;
    bool close_sent_ = false;  // our close frame went out (§5.5.1)
    Hooks& hooks_;
    std::uint64_t mask_state_;  // xorshift64 state when the hooks supply no next_mask()
};

}  // namespace sluice::proto
