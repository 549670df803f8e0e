#include "proto/ws_frame.hpp"

#include <cstring>

#include "core/byte_order.hpp"

namespace sluice::proto {

// §5.2: RSV1-3 are 0 (no extension), and "the minimal number of bytes MUST be used to encode
// the length": 7 bits below 126, 16 bits up to 0xFFFF, 64 bits above.
std::size_t encode_frame_header(std::uint8_t* out, Opcode opcode, bool fin, std::uint64_t length,
                                const std::array<std::uint8_t, 4>* mask) noexcept {
    out[0] = static_cast<std::uint8_t>((fin ? 0x80u : 0u) | static_cast<std::uint8_t>(opcode));
    const std::uint8_t mask_bit = mask != nullptr ? 0x80 : 0x00;
    std::size_t size = 2;
    if (length < 126) {
        out[1] = static_cast<std::uint8_t>(mask_bit | length);
    } else if (length <= 0xFFFF) {
        out[1] = static_cast<std::uint8_t>(mask_bit | 126);
        core::store_be16(out + 2, static_cast<std::uint16_t>(length));
        size = 4;
    } else {
        out[1] = static_cast<std::uint8_t>(mask_bit | 127);
        core::store_be64(out + 2, length);
        size = 10;
    }
    if (mask != nullptr) {
        std::memcpy(out + size, mask->data(), 4);
        size += 4;
    }
    return size;
}

bool frame_in_place(core::Buffer& payload, Opcode opcode, bool fin,
                    const std::array<std::uint8_t, 4>* mask) noexcept {
    const std::uint64_t length = payload.readable_size();
    const std::size_t header = frame_header_size(length, mask != nullptr);
    if (payload.prependable_size() < header) return false;
    if (mask != nullptr) unmask(payload.readable(), *mask, 0);  // XOR: masking = unmasking
    std::uint8_t* at = payload.prepend(header);
    encode_frame_header(at, opcode, fin, length, mask);
    return true;
}

std::size_t encode_frame(std::span<std::uint8_t> out, Opcode opcode, bool fin,
                         std::span<const std::uint8_t> payload,
                         const std::array<std::uint8_t, 4>* mask) noexcept {
    const std::size_t header = frame_header_size(payload.size(), mask != nullptr);
    if (out.size() < header || out.size() - header < payload.size()) return 0;
    encode_frame_header(out.data(), opcode, fin, payload.size(), mask);
    if (!payload.empty()) std::memcpy(out.data() + header, payload.data(), payload.size());
    if (mask != nullptr) unmask(out.subspan(header, payload.size()), *mask, 0);
    return header + payload.size();
}

std::size_t decode_frame_header(std::span<const std::uint8_t> in, FrameHeader& out) noexcept {
    if (in.size() < 2) return 0;
    const std::uint8_t len7 = in[1] & 0x7F;
    const bool masked = (in[1] & 0x80) != 0;
    const std::size_t ext = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
    const std::size_t size = 2 + ext + (masked ? 4 : 0);
    if (in.size() < size) return 0;
    out.fin = (in[0] & 0x80) != 0;
    out.rsv = static_cast<std::uint8_t>((in[0] >> 4) & 0x7);
    out.opcode = static_cast<Opcode>(in[0] & 0x0F);
    out.masked = masked;
    out.payload_length =
        ext == 0 ? len7 : (ext == 2 ? core::load_be16(in.data() + 2) : core::load_be64(in.data() + 2));
    out.mask = {};
    if (masked) std::memcpy(out.mask.data(), in.data() + 2 + ext, 4);
    return size;
}

}  // namespace sluice::proto
