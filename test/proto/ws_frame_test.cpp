#include "proto/ws_frame.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/buffer.hpp"

namespace {

using namespace sluice::proto;
using Bytes = std::vector<std::uint8_t>;

Bytes header(Opcode op, bool fin, std::uint64_t length, const std::array<std::uint8_t, 4>* mask = nullptr) {
    std::array<std::uint8_t, kMaxFrameHeader> out{};
    const std::size_t n = encode_frame_header(out.data(), op, fin, length, mask);
    return Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

TEST_SUITE("proto") {
    TEST_CASE("RFC 6455 5.7: the example headers are encoded byte for byte") {
        // A single-frame unmasked text message "Hello".
        CHECK(header(Opcode::text, true, 5) == Bytes{0x81, 0x05});
        // A single-frame masked text message, key 37 fa 21 3d.
        const std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d};
        CHECK(header(Opcode::text, true, 5, &key) == Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d});
        // A fragmented unmasked text message: "Hel" then "lo".
        CHECK(header(Opcode::text, false, 3) == Bytes{0x01, 0x03});
        CHECK(header(Opcode::continuation, true, 2) == Bytes{0x80, 0x02});
        // Unmasked ping, masked pong.
        CHECK(header(Opcode::ping, true, 5) == Bytes{0x89, 0x05});
        CHECK(header(Opcode::pong, true, 5, &key) == Bytes{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d});
        // 256 bytes binary: 16-bit length. 64 KiB binary: 64-bit length.
        CHECK(header(Opcode::binary, true, 256) == Bytes{0x82, 0x7e, 0x01, 0x00});
        CHECK(header(Opcode::binary, true, 65536) == Bytes{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0});
    }

    TEST_CASE("RFC 6455 5.2: the minimal length encoding is used at every boundary") {
        for (std::uint64_t len : {0ull, 125ull, 126ull, 65535ull, 65536ull, (1ull << 63) - 1}) {
            const Bytes h = header(Opcode::binary, true, len);
            CHECK(h.size() == frame_header_size(len, false));
            FrameHeader out;
            CHECK(decode_frame_header(h, out) == h.size());
            CHECK(out.payload_length == len);
            CHECK(out.fin);
            CHECK(out.opcode == Opcode::binary);
            CHECK_FALSE(out.masked);
        }
        CHECK(header(Opcode::binary, true, 125).size() == 2);
        CHECK(header(Opcode::binary, true, 126).size() == 4);
        CHECK(header(Opcode::binary, true, 65535).size() == 4);
        CHECK(header(Opcode::binary, true, 65536).size() == 10);
    }

    TEST_CASE("RFC 6455 5.2: decode_frame_header needs every header byte, and reads each field") {
        const std::array<std::uint8_t, 4> key = {1, 2, 3, 4};
        Bytes h = header(Opcode::ping, true, 300, &key);
        h[0] |= 0x40;  // RSV1: decoded, not judged
        for (std::size_t n = 0; n < h.size(); ++n) {
            FrameHeader out;
            CHECK(decode_frame_header(std::span<const std::uint8_t>(h.data(), n), out) == 0);
        }
        FrameHeader out;
        REQUIRE(decode_frame_header(h, out) == 8);
        CHECK(out.rsv == 0x4);
        CHECK(out.opcode == Opcode::ping);
        CHECK(out.masked);
        CHECK(out.mask == key);
        CHECK(out.payload_length == 300);
    }

    TEST_CASE(
        "RFC 6455 5.2: frame_in_place writes the header into the prepend room without moving the payload") {
        std::array<std::uint8_t, 64> storage{};
        sluice::core::Buffer buffer(storage.data(), storage.size());
        const std::uint8_t hello[] = {'H', 'e', 'l', 'l', 'o'};
        REQUIRE(buffer.append(hello));
        const std::uint8_t* payload_at = buffer.readable().data();
        REQUIRE(frame_in_place(buffer, Opcode::text, true));
        CHECK(Bytes(buffer.readable().begin(), buffer.readable().end()) ==
              Bytes{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'});
        CHECK(buffer.readable().data() + 2 == payload_at);
    }

    TEST_CASE("RFC 6455 5.3: frame_in_place masks the payload in place for the client role (5.7 example)") {
        std::array<std::uint8_t, 64> storage{};
        sluice::core::Buffer buffer(storage.data(), storage.size());
        const std::uint8_t hello[] = {'H', 'e', 'l', 'l', 'o'};
        REQUIRE(buffer.append(hello));
        const std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d};
        REQUIRE(frame_in_place(buffer, Opcode::text, true, &key));
        CHECK(Bytes(buffer.readable().begin(), buffer.readable().end()) ==
              Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    }

    TEST_CASE("RFC 6455 5.2: frame_in_place refuses when the prepend room is too small") {
        std::array<std::uint8_t, 400> storage{};
        sluice::core::Buffer buffer(storage.data(), storage.size(), 3);  // room for 2, not 4
        Bytes payload(200, 0xAB);
        REQUIRE(buffer.append(payload));
        CHECK_FALSE(frame_in_place(buffer, Opcode::binary, true));
        CHECK(buffer.readable_size() == 200);
        CHECK(buffer.readable()[0] == 0xAB);
    }

    TEST_CASE(
        "RFC 6455 5.2: encode_frame writes header and payload, masked for a client, or nothing if short") {
        const std::uint8_t hello[] = {'H', 'e', 'l', 'l', 'o'};
        std::array<std::uint8_t, 16> out{};
        CHECK(encode_frame(out, Opcode::text, true, hello) == 7);
        CHECK(Bytes(out.begin(), out.begin() + 7) == Bytes{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'});
        const std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d};
        CHECK(encode_frame(out, Opcode::text, true, hello, &key) == 11);
        CHECK(Bytes(out.begin(), out.begin() + 11) ==
              Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
        CHECK(encode_frame(std::span<std::uint8_t>(out.data(), 6), Opcode::text, true, hello) == 0);
        CHECK(encode_frame(std::span<std::uint8_t>(out.data(), 2), Opcode::ping, true, {}) == 2);
    }

    TEST_CASE("RFC 6455 5.5: control opcodes are the ones with the high bit; six opcodes are defined") {
        CHECK(is_control(Opcode::close));
        CHECK(is_control(Opcode::ping));
        CHECK(is_control(Opcode::pong));
        CHECK_FALSE(is_control(Opcode::text));
        CHECK_FALSE(is_control(Opcode::continuation));
        int known = 0;
        for (std::uint8_t op = 0; op < 16; ++op) known += is_known_opcode(op) ? 1 : 0;
        CHECK(known == 6);
    }
}
