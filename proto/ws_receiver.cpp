#include "proto/ws_receiver.hpp"

#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/byte_order.hpp"
#include "proto/ws_close.hpp"

namespace sluice::proto {

namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kRsv1 = 0x40;
constexpr std::uint8_t kMaskBit = 0x80;

// Bytes of extended length announced by the 7-bit length (§5.2).
constexpr std::size_t extended_size(std::uint8_t b1) noexcept {
    const std::uint8_t len7 = b1 & 0x7F;
    return len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
}

constexpr std::size_t header_size(std::uint8_t b1) noexcept {
    return 2 + extended_size(b1) + ((b1 & kMaskBit) != 0 ? 4 : 0);
}

constexpr std::uint64_t read_length(const std::uint8_t* h) noexcept {
    const std::uint8_t len7 = h[1] & 0x7F;
    if (len7 == 126) return core::load_be16(h + 2);
    if (len7 == 127) return core::load_be64(h + 2);
    return len7;
}

// Payloads up to this size are unmasked by unmask_words_ascii (one inline pass, no dispatch):
// a short payload starts at mask offset 0, and an all-ASCII text needs no further §8.1 check.
constexpr std::size_t kShortPayload = 128;

}  // namespace

WsReceiver::WsReceiver(Role role, const WsLimits& limits, WsInput input, const WsBufferSource* source) noexcept
    : role_(role), input_(input), limits_(limits), heap_(source) {}

// §7.1.7: after failing, "MUST NOT continue to attempt to process data"; after the peer's
// close nothing more is read either.
WsEvent WsReceiver::next(std::span<std::uint8_t> in) noexcept {
    if (release_pending_) {
        release_pending_ = false;
        heap_.release();
    }
    if (control_ != nullptr && !(phase_ == Phase::payload && is_control(opcode_))) control_.reset();
    if (error_ != WsError::none || close_received_) return WsEvent{.kind = WsEventKind::stopped};
    if (WsEvent ev; whole_message(in, ev)) return ev;
    std::size_t pos = 0;
    for (;;) {
        if (phase_ == Phase::header) {
            if (pos == in.size()) return finish(WsEvent{.kind = WsEventKind::need_more, .consumed = pos});
            if (const WsError e = read_header(in, pos); e != WsError::none) return fail(e, pos);
            if (phase_ == Phase::header) continue;
        }
        const std::uint64_t remaining = length_ - got_;
        const std::size_t avail = in.size() - pos;
        const std::size_t n = remaining < avail ? static_cast<std::size_t>(remaining) : avail;
        if (n == 0 && remaining != 0) return finish(WsEvent{.kind = WsEventKind::need_more, .consumed = pos});
        WsEvent ev;
        const Step step = take_payload(in.subspan(pos, n), ev);
        pos += n;
        if (step == Step::event) {
            ev.consumed = pos;
            return ev.kind == WsEventKind::fail ? ev : finish(ev);
        }
    }
}

// The common case in one step: at a frame boundary with no message open, a final,
// unfragmented text/binary frame that lies wholly in `in`. The same checks as the general
// path; anything else (or any broken rule) returns false and takes the general path.
// §6.2: a server MUST remove the masking of client frames: here for a whole frame in one input.
bool WsReceiver::whole_message(std::span<std::uint8_t> in, WsEvent& ev) noexcept {
    if (phase_ != Phase::header || header_len_ != 0 || msg_active_ || drop_data_ || in.size() < 2)
        return false;
    const std::uint8_t* h = in.data();
    // RFC 7692 §6.1: with permessage-deflate, RSV1 marks a compressed message.
    const bool compressed = limits_.permessage_deflate && (h[0] & kRsv1) != 0;
    const auto b0 = static_cast<std::uint8_t>(compressed ? h[0] & ~kRsv1 : h[0]);
    if (b0 != (kFin | 0x1) && b0 != (kFin | 0x2)) return false;  // FIN, no other RSV, text or binary
    const std::size_t need = header_size(h[1]);
    if (in.size() < need || check_second_byte(h[0], h[1]) != WsError::none ||
        check_length(h) != WsError::none)
        return false;
    const std::uint64_t length = read_length(h);
    if (in.size() - need < length) return false;
    const auto payload = in.subspan(need, static_cast<std::size_t>(length));
    const Opcode op = static_cast<Opcode>(h[0] & 0x0F);
    bool checked = op != Opcode::text || compressed;  // no §8.1 check here (binary, compressed, or known ASCII)
    if ((h[1] & kMaskBit) != 0) {
        if (payload.size() <= kShortPayload) {
            checked = unmask_words_ascii(payload.data(), payload.size(), h + need - 4) || checked;
        } else {
            std::array<std::uint8_t, 4> key;
            std::memcpy(key.data(), h + need - 4, 4);
            unmask(payload, key, 0);
        }
    }
    if (!checked && !core::is_valid_utf8(std::span<const std::uint8_t>(payload))) {
        ev = fail(WsError::invalid_utf8, need + payload.size());
        return true;
    }
    ev.kind = WsEventKind::message;
    ev.opcode = op;
    ev.payload = payload;
    ev.consumed = need + payload.size();
    ev.compressed = compressed;
    return true;
}

// The header, either straight from the input (it is all there) or gathered byte by byte
// into header_ across calls. Each rule is checked as soon as the byte that shows it is
// here, in the same order on both paths, so any split fails with the same error.
// §6.2: incoming data MUST be parsed as frames per §5.2.
WsError WsReceiver::read_header(std::span<std::uint8_t> in, std::size_t& pos) noexcept {
    const std::size_t avail = in.size() - pos;
    if (header_len_ == 0 && avail >= 2) {
        const std::uint8_t* h = in.data() + pos;
        const std::size_t need = header_size(h[1]);
        if (avail >= need) {
            WsError e = check_first_byte(h[0]);
            if (e == WsError::none) e = check_second_byte(h[0], h[1]);
            if (e == WsError::none) e = check_length(h);
            if (e != WsError::none) {
                pos += 2 + extended_size(h[1]);
                return e;
            }
            take_header(h);
            pos += need;
            return WsError::none;
        }
    }
    while (pos < in.size()) {
        const std::uint8_t b = in[pos++];
        header_[header_len_++] = b;
        if (header_len_ == 1) {
            if (const WsError e = check_first_byte(b); e != WsError::none) return e;
            continue;
        }
        if (header_len_ == 2) {
            if (const WsError e = check_second_byte(header_[0], b); e != WsError::none) return e;
            header_need_ = static_cast<std::uint8_t>(header_size(b));
        }
        if (header_len_ == 2 + extended_size(header_[1])) {
            if (const WsError e = check_length(header_.data()); e != WsError::none) return e;
        }
        if (header_len_ == header_need_) {
            take_header(header_.data());
            header_len_ = 0;
            return WsError::none;
        }
    }
    return WsError::none;
}

WsError WsReceiver::check_first_byte(std::uint8_t b0) const noexcept {
    const std::uint8_t op = b0 & 0x0F;
    // §5.2: "MUST be 0 unless an extension is negotiated that defines meanings": only
    // permessage-deflate's RSV1 can be (RFC 7692 §6).
    if ((b0 & (limits_.permessage_deflate ? 0x30 : 0x70)) != 0) return WsError::reserved_bits;
    // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail_".
    if (!is_known_opcode(op)) return WsError::reserved_opcode;
    const bool fin = (b0 & kFin) != 0;
    // §5.5: "Control frames MUST NOT be fragmented."
    if (is_control(static_cast<Opcode>(op)) && !fin) return WsError::control_frame_fragmented;
    // §5.4: fragments are a text/binary frame with FIN clear, continuations, and a final
    // continuation with FIN set; nothing else may start or interrupt that sequence.
    if (op == 0x0 && !msg_active_) return WsError::unexpected_continuation;
    if ((op == 0x1 || op == 0x2) && msg_active_) return WsError::data_frame_inside_message;
    // RFC 7692 §6.1: RSV1 only on the first frame of a data message (the same rule as
    // proto/ws_deflate.hpp's check_rsv1).
    if ((b0 & kRsv1) != 0 && (op == 0x0 || is_control(static_cast<Opcode>(op))))
        return WsError::compressed_bit_misplaced;
    return WsError::none;
}

WsError WsReceiver::check_second_byte(std::uint8_t b0, std::uint8_t b1) const noexcept {
    const bool masked = (b1 & kMaskBit) != 0;
    // §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
    if (role_ == Role::server && !masked) return WsError::unmasked_client_frame;
    // §5.1: "A client MUST close a connection if it detects a masked frame."
    if (role_ == Role::client && masked) return WsError::masked_server_frame;
    const std::uint8_t op = b0 & 0x0F;
    if (is_control(static_cast<Opcode>(op))) {
        const std::uint8_t len7 = b1 & 0x7F;
        // §5.5: "All control frames MUST have a payload length of 125 bytes or less."
        if (len7 > kMaxControlPayload) return WsError::control_frame_too_long;
        // §5.5.1: a close body, if any, "MUST" start with a 2-byte status code.
        if (op == 0x8 && len7 == 1) return WsError::close_payload_one_byte;
    }
    return WsError::none;
}

WsError WsReceiver::check_length(const std::uint8_t* h) const noexcept {
    const std::uint8_t len7 = h[1] & 0x7F;
    const std::uint64_t length = read_length(h);
    // §5.2: "the most significant bit MUST be 0" in a 64-bit length.
    if (len7 == 127 && (length >> 63) != 0) return WsError::length_top_bit_set;
    // §5.2: "the minimal number of bytes MUST be used to encode the length".
    if (len7 == 126 && length < 126) return WsError::length_not_minimal;
    if (len7 == 127 && length <= 0xFFFF) return WsError::length_not_minimal;
    // §10.4: limits, judged from the header alone, before any payload is read.
    if (length > limits_.max_frame_size) return WsError::frame_too_large;
    const std::uint8_t op = h[0] & 0x0F;
    if (!is_control(static_cast<Opcode>(op))) {
        const std::uint64_t before = op == 0x0 ? msg_size_ : 0;
        if (before > limits_.max_message_size || length > limits_.max_message_size - before)
            return WsError::message_too_large;
    }
    return WsError::none;
}

void WsReceiver::take_header(const std::uint8_t* h) noexcept {
    fin_ = (h[0] & kFin) != 0;
    opcode_ = static_cast<Opcode>(h[0] & 0x0F);
    masked_ = (h[1] & kMaskBit) != 0;
    length_ = read_length(h);
    if (masked_) std::memcpy(key_.data(), h + 2 + extended_size(h[1]), 4);
    got_ = 0;
    phase_ = Phase::payload;
    if (opcode_ == Opcode::text || opcode_ == Opcode::binary) {
        msg_active_ = true;
        msg_opcode_ = opcode_;
        msg_compressed_ = (h[0] & kRsv1) != 0;  // only accepted when negotiated (check_first_byte)
        msg_size_ = 0;
        store_ = drop_data_ ? Store::dropped : Store::none;
        in_place_ = nullptr;
        utf8_.reset();
    }
}

// §6.2: a server MUST remove the masking of client frames; §5.4: control frames between
// fragments are handled here without disturbing the message being assembled.
WsReceiver::Step WsReceiver::take_payload(std::span<std::uint8_t> chunk, WsEvent& ev) noexcept {
    const std::uint64_t offset = got_;
    const bool whole = offset == 0 && chunk.size() == length_;
    got_ += chunk.size();
    const bool frame_done = got_ == length_;

    if (is_control(opcode_)) {
        if (masked_) unmask(chunk, key_, offset);
        if (!whole && !chunk.empty()) {
            if (control_ == nullptr) control_.reset(static_cast<std::uint8_t*>(std::malloc(kMaxControlPayload)));
            if (control_ == nullptr) {
                ev = fail(WsError::out_of_memory, 0);
                return Step::event;
            }
            std::memcpy(control_.get() + offset, chunk.data(), chunk.size());
        }
        if (!frame_done) return Step::more;
        phase_ = Phase::header;
        return finish_control(whole ? chunk : std::span<std::uint8_t>(control_.get(), length_), ev);
    }

    if (store_ == Store::dropped) {  // §7.1.2: after our close, data is read and discarded
        if (frame_done) {
            phase_ = Phase::header;
            if (fin_) {
                msg_active_ = false;
                store_ = Store::none;
            }
        }
        return Step::more;
    }
    if (!chunk.empty()) {
        if (masked_) unmask(chunk, key_, offset);
        // §8.1 + §5.6: fail fast, at the first byte that no valid UTF-8 could follow.
        if (msg_opcode_ == Opcode::text && !msg_compressed_ && utf8_.feed(chunk) == core::Utf8Status::invalid) {
            ev = fail(WsError::invalid_utf8, 0);
            return Step::event;
        }
        if (const WsError e = append(chunk); e != WsError::none) {
            ev = fail(e, 0);
            return Step::event;
        }
    }
    if (!frame_done) return Step::more;
    phase_ = Phase::header;
    if (!fin_) return Step::more;
    // §8.1: the whole message must be complete UTF-8 (not end inside a character).
    if (msg_opcode_ == Opcode::text && !msg_compressed_ && utf8_.status() != core::Utf8Status::complete) {
        ev = fail(WsError::invalid_utf8, 0);
        return Step::event;
    }
    ev.kind = WsEventKind::message;
    ev.opcode = msg_opcode_;
    ev.compressed = msg_compressed_;
    const std::size_t size = static_cast<std::size_t>(msg_size_);
    if (store_ == Store::in_place) ev.payload = {in_place_, size};
    if (store_ == Store::heap) {
        ev.payload = {heap_.data(), size};
        release_pending_ = true;
    }
    msg_active_ = false;
    store_ = Store::none;
    msg_size_ = 0;
    in_place_ = nullptr;
    return Step::event;
}

WsReceiver::Step WsReceiver::finish_control(std::span<std::uint8_t> payload, WsEvent& ev) noexcept {
    ev.payload = payload;
    switch (opcode_) {
        case Opcode::ping: ev.kind = WsEventKind::ping; return Step::event;
        case Opcode::pong: ev.kind = WsEventKind::pong; return Step::event;
        case Opcode::close: break;
        default: return Step::more;  // unreachable: other opcodes were rejected in the header
    }
    std::uint16_t code = kCloseNoStatus;  // §7.1.5: "no status code" when the body is empty
    std::string_view reason;
    if (payload.size() >= 2) {
        code = core::load_be16(payload.data());
        // §7.4.1/§7.4.2: only defined codes and the 3000-4999 ranges may be sent.
        if (!is_valid_wire_close_code(code)) {
            ev = fail(WsError::invalid_close_code, 0);
            return Step::event;
        }
        // §5.5.1: the reason is "UTF-8-encoded data"; §8.1: an endpoint that finds a byte
        // stream it interprets as UTF-8 is not "MUST _Fail the WebSocket Connection_".
        const auto text = payload.subspan(2);
        if (!core::is_valid_utf8(std::span<const std::uint8_t>(text))) {
            ev = fail(WsError::invalid_close_reason_utf8, 0);
            return Step::event;
        }
        reason = {reinterpret_cast<const char*>(text.data()), text.size()};
    }
    close_received_ = true;
    discard_message();  // §7.1.4: the closing handshake ends the message stream
    ev.kind = WsEventKind::close;
    ev.code = code;
    ev.reason = reason;
    return Step::event;
}

// §5.4: fragmented and unfragmented messages alike.
// Adds a payload chunk to the message: in place (compacting over the headers between
// fragments) while the message is inside this input, else into the assembly buffer.
WsError WsReceiver::append(std::span<std::uint8_t> chunk) noexcept {
    switch (store_) {
        case Store::none:
            in_place_ = chunk.data();
            store_ = Store::in_place;
            break;
        case Store::in_place:
            if (in_place_ + msg_size_ != chunk.data())
                std::memmove(in_place_ + msg_size_, chunk.data(), chunk.size());
            break;
        case Store::heap:
            if (!heap_.reserve(msg_size_ + chunk.size(), assembly_bound(msg_size_ + chunk.size()),
                               static_cast<std::size_t>(msg_size_)))
                return WsError::out_of_memory;
            std::memcpy(heap_.data() + msg_size_, chunk.data(), chunk.size());
            break;
        case Store::dropped: return WsError::none;
    }
    msg_size_ += chunk.size();
    return WsError::none;
}

// The input is about to go back to its owner: move an in-place partial message out of it.
WsError WsReceiver::spill_in_place() noexcept {
    if (store_ != Store::in_place) return WsError::none;
    if (!heap_.reserve(msg_size_, assembly_bound(msg_size_), 0)) return WsError::out_of_memory;
    std::memcpy(heap_.data(), in_place_, static_cast<std::size_t>(msg_size_));
    store_ = Store::heap;
    in_place_ = nullptr;
    return WsError::none;
}

// The most the assembly buffer may grow to, `held` bytes of the message being in hand:
// the end of the message once its final frame is being read, else max_message_size
// (check_length keeps every message within it).
std::uint64_t WsReceiver::assembly_bound(std::uint64_t held) const noexcept {
    const bool in_final_data_frame = phase_ == Phase::payload && !is_control(opcode_) && fin_;
    return in_final_data_frame ? held + (length_ - got_) : limits_.max_message_size;
}

WsEvent WsReceiver::finish(WsEvent ev) noexcept {
    if (ev.kind != WsEventKind::need_more && input_ == WsInput::held_until_need_more) return ev;
    if (const WsError e = spill_in_place(); e != WsError::none) return fail(e, ev.consumed);
    return ev;
}

void WsReceiver::discard_message() noexcept {
    if (store_ == Store::heap) release_pending_ = true;
    in_place_ = nullptr;
    msg_size_ = 0;
    if (msg_active_) store_ = Store::dropped;
}

void WsReceiver::drop_data_frames() noexcept {
    drop_data_ = true;
    discard_message();
}

WsEvent WsReceiver::fail(WsError e, std::size_t consumed) noexcept {
    error_ = e;
    heap_.release();
    control_.reset();
    release_pending_ = false;
    store_ = Store::none;
    in_place_ = nullptr;
    return WsEvent{.kind = WsEventKind::fail, .consumed = consumed, .code = close_code(e), .error = e};
}

WsState WsReceiver::state() const noexcept {
    if (error_ != WsError::none) return WsState::failed;
    return close_received_ ? WsState::closing : WsState::open;
}

WsReceiver::AssemblyBuffer::AssemblyBuffer(AssemblyBuffer&& other) noexcept
    : source_(other.source_),
      data_(std::exchange(other.data_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      growths_(std::exchange(other.growths_, 0)) {}

WsReceiver::AssemblyBuffer& WsReceiver::AssemblyBuffer::operator=(AssemblyBuffer&& other) noexcept {
    if (this != &other) {
        release();
        source_ = other.source_;
        data_ = std::exchange(other.data_, nullptr);
        capacity_ = std::exchange(other.capacity_, 0);
        growths_ = std::exchange(other.growths_, 0);
    }
    return *this;
}

// §10.4: memory grows with the bytes received, never past the bound.
bool WsReceiver::AssemblyBuffer::reserve(std::uint64_t needed, std::uint64_t bound, std::size_t held) noexcept {
    if (needed <= capacity_) return true;
    const std::uint64_t doubled = static_cast<std::uint64_t>(capacity_) * 2;
    std::uint64_t target = doubled > kWsMinAssembly ? doubled : kWsMinAssembly;
    if (target < needed) target = needed;
    if (bound >= needed && bound / 2 <= needed) target = bound;   // the rest is at most what is held
    if (target > bound) target = bound > needed ? bound : needed;
    if (target > SIZE_MAX) return false;
    const auto size = static_cast<std::size_t>(target);
    if (source_ == nullptr) {
        void* grown = std::realloc(data_, size);
        if (grown == nullptr) return false;
        data_ = static_cast<std::uint8_t*>(grown);
        capacity_ = size;
    } else {
        // A lent block may be larger than asked, up to what the contract allows: twice the
        // bytes needed, never past the bound.
        std::uint64_t most = needed * 2 < bound ? needed * 2 : bound;
        if (most < target) most = target;
        if (most > SIZE_MAX) most = target;
        std::size_t got = 0;
        std::uint8_t* block = source_->acquire(source_->context, size, static_cast<std::size_t>(most), got);
        if (block == nullptr) return false;
        if (held > 0) std::memcpy(block, data_, held);
        if (data_ != nullptr) source_->release(source_->context, data_, capacity_);
        data_ = block;
        capacity_ = got;
    }
    ++growths_;
    return true;
}

void WsReceiver::AssemblyBuffer::release() noexcept {
    if (data_ != nullptr) {
        if (source_ != nullptr) {
            source_->release(source_->context, data_, capacity_);
        } else {
            std::free(data_);
        }
    }
    data_ = nullptr;
    capacity_ = 0;
}

}  // namespace sluice::proto
