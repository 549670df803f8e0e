// proto/ws_receiver.hpp — the receiving half of an RFC 6455 connection, without hooks.
//
// WsReceiver turns received bytes into events, one per call: a whole message, a ping, a
// pong, the peer's close, or "the connection failed" with the rule that was broken. It
// enforces every §5 and §7 rule on what it receives (proto/ws_error.hpp lists them) and
// tracks the close handshake. It sends nothing: WsSession (proto/ws_session.hpp) wraps it,
// answers pings and closes, and calls the owner's hooks. Fuzzers and tools may drive it
// directly.
//
//   next(input) ──► header (2..14 bytes, kept here if split) ──► payload ──► event
//                     │ §5.1 §5.2 §5.4 §5.5 §10.4 checked             │ unmasked in place (§5.3)
//                     │ byte by byte, as soon as each byte is here     │ text: UTF-8 checked as fed (§8.1)
//                     ▼                                                ▼
//                   fail event (close code, WsError)           message | ping | pong | close
//
// Where payload bytes live (the memory contract):
//  - Input is unmasked in place, so `next` takes a mutable span.
//  - A message (or control frame) whose bytes all arrive in one input is delivered as a
//    view into that input: no copy, no allocation. A fragmented message whose fragments
//    all arrive in one input is first compacted in place (payloads moved back over the
//    frame headers between them), then delivered the same way.
//  - A message that spans inputs is copied into the assembly buffer: taken when the first
//    partial message needs it, and given back once the message has been delivered (at the
//    next call) or the connection ends. At most one exists. It comes from the owner's
//    WsBufferSource when one is given (app/ lends blocks from a per-worker cache, so the
//    steady state allocates nothing), else from std::malloc/realloc/free. If it cannot be
//    had the connection fails with 1011. It grows only as payload bytes arrive (never on a
//    header's claimed length alone, §10.4), by doubling from kWsMinAssembly, so a message
//    of N fragments costs O(log N) reallocations and O(size) copying, not one realloc per
//    fragment. In the message's final frame, once at least half of the message is in hand,
//    it is sized to the message's end at once (one growth, not two or three). Its capacity is at most
//    max(kWsMinAssembly, 2 x the bytes held), never exceeds max_message_size, and in the
//    message's final frame never exceeds the message's end: a source must hand back a
//    block within the [min, max] asked for, so the bound holds for lent blocks too.
//  - A split control frame's payload (at most 125 bytes) goes into a 125-byte block
//    allocated when the split is seen and freed at the next call after the frame's event
//    (rare: an idle receiver holds no control array; 1011 if the block is refused).
//  - Between calls nothing points into a caller's input, by default: an in-place message
//    still incomplete when an event is returned is copied into the assembly buffer first.
//    A caller that always calls again on the rest of the same buffer until need_more (as
//    WsSession does) passes WsInput::held_until_need_more, and then a fragmented message
//    with control frames between its fragments stays in place too; the copy is made only
//    when the input runs out mid-message.
// Views in a returned event are valid until the next call to next().
// The common case — at a frame boundary, a final text/binary frame wholly in the input —
// takes one short path (whole_message) with the same checks; everything else goes through
// the resumable header/payload state machine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>

#include "core/utf8.hpp"
#include "proto/ws_error.hpp"
#include "proto/ws_frame.hpp"

namespace sluice::proto {

// §10.4: an implementation with limits on frame or message size MUST protect itself
// against exceeding them. Both are settings; 16 MiB by default.
struct WsLimits {
    std::uint64_t max_frame_size = 16 << 20;    // a frame's payload above this -> 1009
    std::uint64_t max_message_size = 16 << 20;  // a message's total payload above this -> 1009
    // Outgoing: split messages above this; 0 = never. 32 bits (a frame of 4 GiB is plenty)
    // so that the flag below fits beside it: WsLimits sits inline in every receiver (24 B).
    std::uint32_t auto_fragment_size = 0;
    // Not a limit but the one negotiated setting the receiver needs: permessage-deflate
    // (RFC 7692) was agreed, so RSV1 marks a compressed message (§6.1). Then a message with
    // RSV1 on its first frame is delivered with `compressed` set and NOT UTF-8 checked (its
    // bytes are DEFLATE data; the owner inflates, then checks, proto/ws_deflate.hpp), and
    // RSV1 on a control or continuation frame fails with 1002. max_message_size bounds the
    // compressed payload here; the owner bounds the inflated size.
    bool permessage_deflate = false;
};
static_assert(sizeof(WsLimits) <= 24, "inline in every receiver: keep it at three words");

// The first size of the assembly buffer (then it doubles; see the memory contract above).
inline constexpr std::size_t kWsMinAssembly = 4096;

// Where assembly buffers come from, if not std::malloc (see the memory contract above).
// Plain function pointers: proto/ decides when a buffer is needed, the owner decides where
// memory comes from (a cache, a pool, an arena). Both functions or neither.
struct WsBufferSource {  // Does not own `context`.
    void* context = nullptr;
    // A block of at least `min` and at most `max` bytes (its size in `capacity`), or null.
    std::uint8_t* (*acquire)(void* context, std::size_t min, std::size_t max, std::size_t& capacity) noexcept =
        nullptr;
    // Gives back a block acquire() returned, with the capacity it reported.
    void (*release)(void* context, std::uint8_t* data, std::size_t capacity) noexcept = nullptr;
};

// The close handshake (§7) as both ends see it.
enum class WsState : std::uint8_t {
    open,     // no close frame sent or received
    closing,  // a close frame was sent (or received and not yet answered)
    closed,   // close frames both sent and received: the handshake is done, close TCP (§7.1.1)
    failed,   // we failed the connection (§7.1.7): the owner closes TCP after sending our close
};

enum class WsEventKind : std::uint8_t {
    need_more,  // every input byte was used; feed more
    message,    // a whole text/binary message (text already UTF-8 validated)
    ping,       // §5.5.2; the owner answers with a pong carrying the same payload
    pong,       // §5.5.3; solicited or not
    close,      // §5.5.1; the peer's close frame, valid (code 1005 when it had none)
    fail,       // a rule was broken: send a close frame with `code` (unless one was sent)
    stopped,    // nothing more is read: a close was received or the connection failed
};

struct WsEvent {  // Does not own anything: views into the input or the receiver.
    WsEventKind kind = WsEventKind::need_more;
    std::size_t consumed = 0;           // input bytes used by this call (call again with the rest)
    Opcode opcode = Opcode::binary;     // message: text or binary
    std::span<std::uint8_t> payload{};  // message, ping, pong: the payload; close: the whole body
    std::uint16_t code = 0;             // close: the peer's code; fail: the code to send
    std::string_view reason{};          // close: the peer's reason (valid UTF-8)
    WsError error = WsError::none;      // fail: the rule that was broken
    bool compressed = false;            // message: RSV1 was set (RFC 7692); payload is DEFLATE data
};

// How the caller treats its input between calls to next() (see the memory contract above).
enum class WsInput : std::uint8_t {
    returned_after_each_event,  // the buffer may be reused or freed after any event
    held_until_need_more,       // after an event, next() is called on input.subspan(consumed)
                                // of the same, untouched buffer, until need_more or stopped
};

class WsReceiver {  // Owns its parse state and at most one assembly buffer (bounded by max_message_size).
 public:
    // `source` (may be null: std::malloc) is not owned and must outlive the receiver.
    WsReceiver(Role role, const WsLimits& limits, WsInput input = WsInput::returned_after_each_event,
               const WsBufferSource* source = nullptr) noexcept;
    WsReceiver(WsReceiver&&) noexcept = default;
    WsReceiver& operator=(WsReceiver&&) noexcept = default;

    // Reads frames from `input` until one event is ready or the input is used up; returns
    // it with `consumed`. Call again with input.subspan(consumed) until need_more (every
    // byte used) or stopped. Any split of the bytes gives the same events in the same order.
    // After a close or a failure, returns stopped with consumed 0.
    WsEvent next(std::span<std::uint8_t> input) noexcept;

    // Data frames received from now on are dropped, unread; control frames still come out.
    // The session calls this when its close frame went out (§5.5.1: no data is delivered
    // after it; §7.1.2 lets the peer still send some). A message being assembled is
    // discarded. Whether a close was sent is the session's to know (WsSession::close_sent).
    void drop_data_frames() noexcept;
    // The owner found the message just delivered broken (RFC 7692: its inflated bytes): the
    // receiver fails as if it had found it itself (error() = e, nothing more is read).
    void fail_message(WsError e) noexcept { (void)fail(e, 0); }
    bool dropping_data() const noexcept { return drop_data_; }

    // What the input showed: the peer's close frame was read (nothing more is read after
    // it), or a rule was broken (error() says which). Together, the receiving half's state:
    // open, closing (the peer's close was read) or failed. The handshake as both ends see
    // it is WsSession::state().
    WsState state() const noexcept;
    bool close_received() const noexcept { return close_received_; }
    bool failed() const noexcept { return error_ != WsError::none; }
    WsError error() const noexcept { return error_; }  // why we failed, or none
    Role role() const noexcept { return role_; }
    const WsLimits& limits() const noexcept { return limits_; }
    // Is a data message started (first fragment seen) and not yet finished?
    bool message_in_progress() const noexcept { return msg_active_; }
    // Has a frame begun (a header byte or more read) and not yet ended, or a message? The
    // owner's "a message is arriving" deadline runs exactly while this holds.
    bool receiving() const noexcept { return msg_active_ || phase_ != Phase::header || header_len_ != 0; }
    // Bytes of assembly buffer held right now (0 unless a message spans inputs).
    std::size_t assembly_capacity() const noexcept { return heap_.capacity(); }
    // How many times the assembly buffer was allocated or grown, over this receiver's life.
    std::size_t assembly_growths() const noexcept { return heap_.growths(); }

 private:
    class AssemblyBuffer {  // Owns one block from its source or std::malloc (or none); move-only.
     public:
        AssemblyBuffer() noexcept = default;
        explicit AssemblyBuffer(const WsBufferSource* source) noexcept : source_(source) {}
        ~AssemblyBuffer() { release(); }
        AssemblyBuffer(AssemblyBuffer&& other) noexcept;
        AssemblyBuffer& operator=(AssemblyBuffer&& other) noexcept;
        AssemblyBuffer(const AssemblyBuffer&) = delete;
        AssemblyBuffer& operator=(const AssemblyBuffer&) = delete;
        // Makes room for `needed` bytes, doubling (from kWsMinAssembly), straight to `bound`
        // once needed >= bound / 2, but never beyond max(needed, bound); keeps the contents
        // (the first `held` bytes). False if the memory is refused.
        bool reserve(std::uint64_t needed, std::uint64_t bound, std::size_t held) noexcept;
        void release() noexcept;
        std::uint8_t* data() noexcept { return data_; }
        std::size_t capacity() const noexcept { return capacity_; }
        std::size_t growths() const noexcept { return growths_; }

     private:
        const WsBufferSource* source_ = nullptr;   // a pointer: every session carries it
        std::uint8_t* data_ = nullptr;
        std::size_t capacity_ = 0;
        std::size_t growths_ = 0;  // successful allocations and reallocations, kept across release()
    };

    enum class Phase : std::uint8_t { header, payload };
    enum class Store : std::uint8_t { none, in_place, heap, dropped };
    enum class Step : std::uint8_t { more, event };

    bool whole_message(std::span<std::uint8_t> in, WsEvent& ev) noexcept;
    WsError read_header(std::span<std::uint8_t> in, std::size_t& pos) noexcept;
    WsError check_first_byte(std::uint8_t b0) const noexcept;
    WsError check_second_byte(std::uint8_t b0, std::uint8_t b1) const noexcept;
    WsError check_length(const std::uint8_t* header) const noexcept;
    void take_header(const std::uint8_t* header) noexcept;
    Step take_payload(std::span<std::uint8_t> chunk, WsEvent& ev) noexcept;
    Step finish_control(std::span<std::uint8_t> payload, WsEvent& ev) noexcept;
    WsError append(std::span<std::uint8_t> chunk) noexcept;
    WsError spill_in_place() noexcept;
    std::uint64_t assembly_bound(std::uint64_t held) const noexcept;
    void discard_message() noexcept;
    WsEvent fail(WsError e, std::size_t consumed) noexcept;
    WsEvent finish(WsEvent ev) noexcept;

    // Configuration.
    Role role_;
    WsInput input_;
    WsLimits limits_;
    // The frame being read (§5.2).
    Phase phase_ = Phase::header;
    std::uint8_t header_len_ = 0;   // header bytes kept in header_ (only while split)
    std::uint8_t header_need_ = 0;  // its full size once byte 1 is known
    bool fin_ = false;
    bool masked_ = false;
    Opcode opcode_ = Opcode::continuation;
    std::array<std::uint8_t, 4> key_{};
    std::uint64_t length_ = 0;  // payload length
    std::uint64_t got_ = 0;     // payload bytes read so far (the unmask offset)
    std::array<std::uint8_t, kMaxFrameHeader> header_{};
    struct Free {
        void operator()(std::uint8_t* p) const noexcept { std::free(p); }
    };
    // A split control payload only (see the file comment): one pointer while unused.
    std::unique_ptr<std::uint8_t[], Free> control_;
    // The message being assembled (§5.4).
    bool msg_active_ = false;
    Opcode msg_opcode_ = Opcode::binary;
    bool msg_compressed_ = false;       // RFC 7692 §6.1: RSV1 on the message's first frame
    Store store_ = Store::none;
    std::uint64_t msg_size_ = 0;
    std::uint8_t* in_place_ = nullptr;  // start of the message inside the current input
    AssemblyBuffer heap_;               // the assembly buffer (Store::heap)
    bool release_pending_ = false;      // free heap_ at the next call (a view into it is out)
    core::Utf8Validator utf8_;          // §8.1, across the fragments of a text message
    // The end of the input (§7) and what the session asked for.
    bool drop_data_ = false;        // drop_data_frames() was called
    bool close_received_ = false;
    WsError error_ = WsError::none;
};
// Inline in every WebSocket connection (app/: the idle WebSocket's size is pinned by a test).
static_assert(sizeof(WsReceiver) <= 160, "the receiver sits inline in every connection: keep it small");

}  // namespace sluice::proto
