// fuzz/ws_frame_roundtrip_fuzz.cpp — the frame encoders (RFC 6455 §5.2) read back by the
// decoder: encode_frame, frame_in_place and encode_frame_header against decode_frame_header.
//
// Input: [flags][opcode][key: 4 bytes][prepend room][output slack][length: 8 bytes][payload...]
//   flags bit 0: FIN, bit 1: masked (client role). The payload is the rest of the input.
// Checked:
//   - encode_frame returns 0 exactly when the output is smaller than header + payload, and
//     otherwise a frame that decodes to the same FIN, RSV 0, opcode, MASK, key and length,
//     whose payload unmasked with the key gives the input payload back;
//   - the header uses the minimal length form (§5.2) and frame_header_size agrees;
//   - frame_in_place refuses (buffer untouched) exactly when the prepend room is smaller
//     than the header, and otherwise leaves the same bytes as encode_frame in the buffer;
//   - encode_frame_header for any length below 2^63 decodes back to that length.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/buffer.hpp"
#include "fuzz/fuzz_input.hpp"
#include "proto/ws_frame.hpp"

namespace {

using namespace sluice;

void check_header(const std::uint8_t* bytes, std::size_t size, bool fin, proto::Opcode op, std::uint64_t length,
                  const std::array<std::uint8_t, 4>* key) {
    SLUICE_FUZZ_CHECK(size == proto::frame_header_size(length, key != nullptr));
    proto::FrameHeader h;
    // Every shorter prefix is "need more"; the whole header decodes to what was encoded.
    for (std::size_t n = 0; n < size; ++n) SLUICE_FUZZ_CHECK(proto::decode_frame_header({bytes, n}, h) == 0);
    SLUICE_FUZZ_CHECK(proto::decode_frame_header({bytes, size}, h) == size);
    SLUICE_FUZZ_CHECK(h.fin == fin && h.rsv == 0 && h.opcode == op && h.masked == (key != nullptr));
    SLUICE_FUZZ_CHECK(h.payload_length == length);
    if (key != nullptr) SLUICE_FUZZ_CHECK(h.mask == *key);
    // §5.2: the minimal number of bytes for the length.
    const std::uint8_t len7 = bytes[1] & 0x7F;
    SLUICE_FUZZ_CHECK(length < 126 ? len7 == length : (length <= 0xFFFF ? len7 == 126 : len7 == 127));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 16) return 0;
    const bool fin = (data[0] & 1) != 0;
    const bool masked = (data[0] & 2) != 0;
    const auto op = static_cast<proto::Opcode>(data[1] & 0x0F);
    const std::array<std::uint8_t, 4> key{data[2], data[3], data[4], data[5]};
    const std::array<std::uint8_t, 4>* k = masked ? &key : nullptr;
    const std::size_t room = data[6] % 16;
    const std::size_t slack = data[7] % 24;
    std::uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | data[8 + i];
    const std::vector<std::uint8_t> payload(data + 16, data + size);

    // Any length below 2^63 (§5.2: the most significant bit MUST be 0).
    length &= 0x7FFFFFFFFFFFFFFFULL;
    std::array<std::uint8_t, proto::kMaxFrameHeader> header{};
    check_header(header.data(), proto::encode_frame_header(header.data(), op, fin, length, k), fin, op, length, k);

    // encode_frame into an output `slack` bytes short of, or over, what the frame needs.
    const std::size_t head = proto::frame_header_size(payload.size(), masked);
    const std::size_t need = head + payload.size();
    const std::size_t cap = (data[7] & 0x80) != 0 ? need + slack : (need > slack ? need - slack : 0);
    std::vector<std::uint8_t> out(cap);
    const std::size_t n = proto::encode_frame(out, op, fin, payload, k);
    SLUICE_FUZZ_CHECK(n == (cap >= need ? need : 0));
    if (n != 0) {
        check_header(out.data(), head, fin, op, payload.size(), k);
        for (std::size_t i = 0; i < payload.size(); ++i) {
            const std::uint8_t m = masked ? key[i % 4] : 0;
            SLUICE_FUZZ_CHECK(static_cast<std::uint8_t>(out[head + i] ^ m) == payload[i]);
        }
    }

    // frame_in_place over a buffer with `room` bytes of prepend room.
    std::vector<std::uint8_t> storage(room + payload.size() + 1);
    core::Buffer buffer(storage.data(), storage.size(), room);
    SLUICE_FUZZ_CHECK(buffer.append(payload));
    const bool framed = proto::frame_in_place(buffer, op, fin, k);
    SLUICE_FUZZ_CHECK(framed == (room >= head));
    if (!framed) {
        SLUICE_FUZZ_CHECK(buffer.readable_size() == payload.size());
        SLUICE_FUZZ_CHECK(payload.empty() || std::memcmp(buffer.readable().data(), payload.data(), payload.size()) == 0);
    } else if (n != 0) {
        SLUICE_FUZZ_CHECK(buffer.readable_size() == need &&
                          std::memcmp(buffer.readable().data(), out.data(), need) == 0);
    }
    return 0;
}
