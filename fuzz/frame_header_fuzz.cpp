// fuzz/frame_header_fuzz.cpp — proto::decode_frame_header (RFC 6455 §5.2) and the §5.3
// unmask it feeds, directly: the structural decoder tools and tests use, without
// WsReceiver's rules in front of it.
//
// Input: [split header, see fuzz/fuzz_input.hpp] [frame bytes]. Asserted:
//   - decode returns 0 exactly when fewer bytes than the header announces are there
//     (2 + 0/2/8 length bytes + 0/4 key bytes), and then for every shorter prefix too;
//     on a longer input it decodes the same fields as on the header alone;
//   - the fields are the bits of the diagram (FIN, RSV, opcode, MASK, length, key);
//   - encode_frame_header writes the same header back when the input used the minimal
//     length form, RSV 0 and a length below 2^63, and a shorter one otherwise
//     (frame_header_size agrees with what it writes);
//   - the bytes after the header, unmasked with the decoded key in the input-chosen
//     chunks (each chunk with its running offset), equal a one-byte-at-a-time XOR, for
//     unmask() and each of its variants; unmasking twice gives the bytes back.
#include "proto/ws_frame.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "proto/ws_unmask.hpp"

namespace {

using namespace sluice;

// The header size announced by the first two bytes, computed here from the diagram.
std::size_t announced_size(std::uint8_t b1) {
    const std::uint8_t len7 = b1 & 0x7F;
    const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return 2 + extended + ((b1 & 0x80) != 0 ? 4 : 0);
}

std::uint64_t big_endian(const std::uint8_t* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

bool same(const proto::FrameHeader& a, const proto::FrameHeader& b) {
    return a.fin == b.fin && a.rsv == b.rsv && a.opcode == b.opcode && a.masked == b.masked &&
           a.payload_length == b.payload_length && a.mask == b.mask;
}

void check_fields(std::span<const std::uint8_t> in, const proto::FrameHeader& h) {
    SLUICE_FUZZ_CHECK(h.fin == ((in[0] & 0x80) != 0));
    SLUICE_FUZZ_CHECK(h.rsv == ((in[0] >> 4) & 0x7));
    SLUICE_FUZZ_CHECK(static_cast<std::uint8_t>(h.opcode) == (in[0] & 0x0F));
    SLUICE_FUZZ_CHECK(h.masked == ((in[1] & 0x80) != 0));
    const std::uint8_t len7 = in[1] & 0x7F;
    const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    SLUICE_FUZZ_CHECK(h.payload_length == (ext == 0 ? len7 : big_endian(in.data() + 2, ext)));
    std::array<std::uint8_t, 4> key{};
    if (h.masked) std::memcpy(key.data(), in.data() + 2 + ext, 4);
    SLUICE_FUZZ_CHECK(h.mask == key);
}

// Re-encodes the header; equal bytes when the input's form was the one the encoder picks.
void check_encode(std::span<const std::uint8_t> in, std::size_t size, const proto::FrameHeader& h) {
    if (h.rsv != 0 || (h.payload_length >> 63) != 0) return;  // outside the encoder's contract
    std::array<std::uint8_t, proto::kMaxFrameHeader> out{};
    const std::size_t n = proto::encode_frame_header(out.data(), h.opcode, h.fin, h.payload_length,
                                                     h.masked ? &h.mask : nullptr);
    SLUICE_FUZZ_CHECK(n == proto::frame_header_size(h.payload_length, h.masked));
    SLUICE_FUZZ_CHECK(n <= size);
    const std::uint8_t len7 = in[1] & 0x7F;
    const bool minimal = len7 < 126 || (len7 == 126 && h.payload_length >= 126) ||
                         (len7 == 127 && h.payload_length > 0xFFFF);
    if (minimal) {
        SLUICE_FUZZ_CHECK(n == size && std::memcmp(out.data(), in.data(), n) == 0);
    } else {
        SLUICE_FUZZ_CHECK(n < size);
    }
    proto::FrameHeader back;
    SLUICE_FUZZ_CHECK(proto::decode_frame_header(std::span<const std::uint8_t>(out.data(), n), back) == n);
    SLUICE_FUZZ_CHECK(same(back, h));
}

using UnmaskFn = void (*)(std::span<std::uint8_t>, std::array<std::uint8_t, 4>, std::uint64_t) noexcept;

// Unmasks the payload in the input-chosen chunks, each an exact-size copy (ASan sees any
// read or write past a chunk), and compares with the formula of §5.3.
void check_unmask(const fuzz::SplitInput& split, std::size_t skip, const std::array<std::uint8_t, 4>& key) {
    const std::span<const std::uint8_t> payload = split.payload().subspan(skip);
    std::vector<std::uint8_t> expected(payload.begin(), payload.end());
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<std::uint8_t>(expected[i] ^ key[i % 4]);
    constexpr UnmaskFn kVariants[] = {proto::unmask, proto::unmask_bytewise, proto::unmask_scalar,
                                      proto::unmask_sse2, proto::unmask_avx2};
    for (const UnmaskFn fn : kVariants) {
        std::vector<std::uint8_t> got;
        std::size_t offset = 0;
        for (std::size_t index = 0; offset < payload.size(); ++index) {
            // Chunk lengths come from the split header, as for the incremental parsers.
            const std::size_t n = split.chunk_length(index, skip + offset);
            std::unique_ptr<std::uint8_t[]> chunk(new std::uint8_t[n]);
            std::memcpy(chunk.get(), payload.data() + offset, n);
            fn(std::span<std::uint8_t>(chunk.get(), n), key, offset);
            got.insert(got.end(), chunk.get(), chunk.get() + n);
            offset += n;
        }
        SLUICE_FUZZ_CHECK(got == expected);
        fn(got, key, 0);  // XOR twice: the original bytes
        SLUICE_FUZZ_CHECK(std::equal(got.begin(), got.end(), payload.begin(), payload.end()));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fuzz::SplitInput split(data, size);
    const std::span<const std::uint8_t> in = split.payload();
    // Exact-size copies: decode must read nothing past the span it is given.
    std::vector<std::uint8_t> whole(in.begin(), in.end());
    proto::FrameHeader header;
    const std::size_t n = proto::decode_frame_header(std::span<const std::uint8_t>(whole), header);
    const std::size_t need = in.size() < 2 ? 2 : announced_size(in[1]);
    if (in.size() < need) {
        SLUICE_FUZZ_CHECK(n == 0);
        return 0;
    }
    SLUICE_FUZZ_CHECK(n == need);
    check_fields(in, header);
    for (std::size_t cut = 0; cut <= n; ++cut) {
        std::unique_ptr<std::uint8_t[]> prefix(new std::uint8_t[cut + 1]);
        std::memcpy(prefix.get(), in.data(), cut);
        proto::FrameHeader h;
        const std::size_t got = proto::decode_frame_header(std::span<const std::uint8_t>(prefix.get(), cut), h);
        SLUICE_FUZZ_CHECK(cut < n ? got == 0 : (got == n && same(h, header)));
    }
    check_encode(in, n, header);
    check_unmask(split, n, header.mask);
    return 0;
}
