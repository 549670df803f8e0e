// fuzz/ws_deflate_fuzz.cpp — permessage-deflate per message (proto/ws_deflate.hpp, RFC 7692
// §7.2), the path app/ runs for every compressed message: a server's and a client's
// WsDeflate under one agreement, messages both ways, and a peer's arbitrary bytes.
//
// Input: [agreement] [modes] then the split header (fuzz_input.hpp): each chunk is one
// message. agreement: bit 0 server_no_context_takeover, bit 1 client_no_context_takeover,
// bits 2-4 server_max_window_bits - 8, bits 5-7 client_max_window_bits - 8. modes: two bits
// per message (cycling): 0 server to client into an exact-size buffer, 1 client to server
// into a buffer that grows, 2 the message's own bytes inflated as a peer's payload (a
// separate WsDeflate: a failure there ends that connection; the limit is 4 KiB for the
// first, third... message, else below 64 bytes), 3 a compression into too
// little room first (output_too_small; the stream stays usable), then as 0. Asserted:
//   - every message comes back byte for byte, with or without context takeover;
//   - a peer's bytes give ok (within the limit), too_big (exactly the limit produced),
//     corrupt (with the inflate error) or truncated, and ws_error_of maps each to its close
//     code's WsError (1009, 1007, 1007); nothing is written past the buffer (exact size);
//   - the first message, inflated alone by a new WsDeflate into one byte less than it
//     needs, is too_big (§7.2.2 and RFC 6455 §10.4: the limit holds while inflating);
//   - check_rsv1 (§6.1): RSV1 only when negotiated, and only on a first data frame;
//   - after release() (both sides resetting per message) messages still round trip.
#include "proto/ws_deflate.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;
using proto::WsDeflate;
using proto::WsDeflateStatus;

// An exact-size heap block: ASan sees any write past it.
struct Block {
    explicit Block(std::size_t n) : bytes(new std::uint8_t[n == 0 ? 1 : n]), size(n) {}
    std::span<std::uint8_t> span() { return {bytes.get(), size}; }
    std::unique_ptr<std::uint8_t[]> bytes;
    std::size_t size;
};

std::vector<std::uint8_t> compress(WsDeflate& from, std::span<const std::uint8_t> message) {
    Block out(from.compress_bound(message.size()));
    const proto::WsDeflateResult r = from.compress(message, out.span());
    SLUICE_FUZZ_CHECK(r.status == WsDeflateStatus::ok && r.size <= out.size);
    return {out.bytes.get(), out.bytes.get() + r.size};
}

// The owner's growing buffer: twice as large each time, never past `limit`.
struct Growing {
    std::vector<std::unique_ptr<Block>> blocks;
    std::size_t limit = 0;
    static std::span<std::uint8_t> grow(void* self, std::size_t produced) noexcept {
        auto& g = *static_cast<Growing*>(self);
        const Block& last = *g.blocks.back();
        const std::size_t next = std::min(g.limit, std::max<std::size_t>(1, last.size * 2));
        if (next <= last.size) return {last.bytes.get(), last.size};  // no more allowed
        auto bigger = std::make_unique<Block>(next);
        std::copy(last.bytes.get(), last.bytes.get() + produced, bigger->bytes.get());
        g.blocks.push_back(std::move(bigger));
        return g.blocks.back()->span();
    }
};

void round_trip(WsDeflate& from, WsDeflate& to, std::span<const std::uint8_t> message, bool growing) {
    const std::vector<std::uint8_t> payload = compress(from, message);
    proto::WsDeflateResult r;
    const std::uint8_t* got = nullptr;
    Block exact(message.size());
    Growing g;
    if (growing) {
        g.limit = message.size();
        g.blocks.push_back(std::make_unique<Block>(message.size() / 2));
        r = to.decompress(payload, g.blocks.back()->span(), proto::WsOutputGrowth{&g, &Growing::grow});
        got = g.blocks.back()->bytes.get();
    } else {
        r = to.decompress(payload, exact.span());
        got = exact.bytes.get();
    }
    SLUICE_FUZZ_CHECK(r.status == WsDeflateStatus::ok && r.size == message.size());
    SLUICE_FUZZ_CHECK(std::equal(message.begin(), message.end(), got));
}

void peer_bytes(WsDeflate& victim, std::span<const std::uint8_t> payload, std::size_t limit) {
    Block out(limit);
    const proto::WsDeflateResult r = victim.decompress(payload, out.span());
    SLUICE_FUZZ_CHECK(r.size <= limit);
    const proto::WsError e = proto::ws_error_of(r.status);
    switch (r.status) {
        case WsDeflateStatus::ok: SLUICE_FUZZ_CHECK(e == proto::WsError::none); break;
        case WsDeflateStatus::too_big:
            SLUICE_FUZZ_CHECK(r.size == limit && e == proto::WsError::message_too_large);
            break;
        case WsDeflateStatus::corrupt:
            SLUICE_FUZZ_CHECK(r.inflate_error != core::InflateError::none);
            SLUICE_FUZZ_CHECK(e == proto::WsError::invalid_compressed_data);
            break;
        case WsDeflateStatus::truncated: SLUICE_FUZZ_CHECK(e == proto::WsError::invalid_compressed_data); break;
        default: SLUICE_FUZZ_CHECK(false && "no other status from decompress (memory is not refused here)");
    }
}

void check_rsv1_rule(std::uint8_t bits) {
    const auto opcode = static_cast<proto::Opcode>(bits & 0x0F);
    const bool negotiated = (bits & 0x10) != 0;
    const proto::WsError e = proto::check_rsv1(negotiated, opcode, true);
    const bool first_data = opcode == proto::Opcode::text || opcode == proto::Opcode::binary;
    if (!negotiated) SLUICE_FUZZ_CHECK(e == proto::WsError::reserved_bits);
    else if (first_data) SLUICE_FUZZ_CHECK(e == proto::WsError::none);
    else if (proto::is_control(opcode) || opcode == proto::Opcode::continuation)
        SLUICE_FUZZ_CHECK(e == proto::WsError::compressed_bit_misplaced);
    SLUICE_FUZZ_CHECK(proto::check_rsv1(negotiated, opcode, false) == proto::WsError::none);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    proto::DeflateAgreement agreed;
    agreed.server_no_context_takeover = (data[0] & 1) != 0;
    agreed.client_no_context_takeover = (data[0] & 2) != 0;
    agreed.server_max_window_bits = static_cast<std::uint8_t>(8 + ((data[0] >> 2) & 7));
    agreed.client_max_window_bits = static_cast<std::uint8_t>(8 + ((data[0] >> 5) & 7));
    const std::uint8_t modes = data[1];
    const fuzz::SplitInput input(data + 2, size - 2);
    // The close code each failure fails the connection with (the statuses decompress cannot
    // give here included: refused memory, and a compression into too little room).
    SLUICE_FUZZ_CHECK(proto::ws_error_of(WsDeflateStatus::out_of_memory) == proto::WsError::out_of_memory);
    SLUICE_FUZZ_CHECK(proto::ws_error_of(WsDeflateStatus::output_too_small) == proto::WsError::out_of_memory);
    check_rsv1_rule(data[0]);
    check_rsv1_rule(modes);

    const auto level = (modes & 0x80) != 0 ? core::DeflateLevel::fast : core::DeflateLevel::normal;
    WsDeflate server(proto::Role::server, agreed, level);
    WsDeflate client(proto::Role::client, agreed, level);
    WsDeflate victim(proto::Role::server, agreed, level);
    SLUICE_FUZZ_CHECK(server.agreement().server_max_window_bits == agreed.server_max_window_bits);
    std::vector<std::uint8_t> first_message;
    std::vector<std::uint8_t> first_payload;
    std::size_t index = 0;
    input.for_each_chunk([&](std::span<std::uint8_t> message) {
        const unsigned mode = (modes >> (2 * (index++ % 4))) & 3u;
        if (first_payload.empty() && mode != 2) {
            // A new pair's first message refers to nothing before it.
            WsDeflate fresh(proto::Role::server, agreed, level);
            first_message.assign(message.begin(), message.end());
            first_payload = compress(fresh, message);
        }
        switch (mode) {
            case 0: round_trip(server, client, message, false); break;
            case 1: round_trip(client, server, message, true); break;
            case 2: peer_bytes(victim, message, index % 2 == 1 ? 4096 : message.size() % 64); break;
            default: {
                std::uint8_t room[3];
                SLUICE_FUZZ_CHECK(server.compress(message, room).status == WsDeflateStatus::output_too_small);
                round_trip(server, client, message, false);
            }
        }
    });
    if (!first_message.empty()) {
        WsDeflate fresh(proto::Role::client, agreed, level);
        Block out(first_message.size() - 1);
        const proto::WsDeflateResult r = fresh.decompress(first_payload, out.span());
        SLUICE_FUZZ_CHECK(r.status == WsDeflateStatus::too_big && r.size == out.size);
        SLUICE_FUZZ_CHECK(std::equal(out.bytes.get(), out.bytes.get() + out.size, first_message.begin()));
    }
    // Our compressor forgets what it sent (a message sent uncompressed after all): the peer
    // still reads what comes next.
    server.forget_sent();
    const std::uint8_t again[] = {'a', 'g', 'a', 'i', 'n'};
    round_trip(server, client, again, false);
    // RSV1 set on a frame header, nothing else changed (§6: "Per-Message Compressed").
    std::uint8_t header[2] = {0x81, 0x05};
    proto::mark_compressed(header);
    SLUICE_FUZZ_CHECK(header[0] == 0xC1 && header[1] == 0x05);
    if (agreed.server_no_context_takeover && agreed.client_no_context_takeover) {
        server.release();
        client.release();
        const std::uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
        round_trip(server, client, hello, false);
        round_trip(client, server, hello, true);
    }
    return 0;
}
