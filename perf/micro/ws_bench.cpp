// Benchmarks of proto/ WebSocket: frame parse + unmask (WsReceiver), text frames with
// UTF-8 validation, each unmask variant, and the session's send path.
//
// One op = one client frame read by a server-role WsReceiver, whole, in place. frames/s =
// 10^9 / (ns/op); GB/s counts PAYLOAD bytes (not the 2-14 header bytes of the wire).
//  - Binary frames are re-read from the same buffer every op with one non-zero key (each op
//    flips the payload; binary needs no validation, so either state is a valid frame).
//  - Text frames use random masks: a ring of 16 frames, each masked with its own key from a
//    seeded generator. Unmasking happens in place, so each op first restores its frame from
//    the masked original (a memcpy of the frame) and then parses it:
//    ws/restore+parse+unmask+utf8/... includes that copy, and ws/restore/... measures the
//    copy alone on the same ring, so the parse costs the difference.
//  - ws/unmask/<variant>/64KiB runs over one cache-resident buffer; .../64MiB over a buffer
//    twice the size of this machine's last-level cache (32 MiB L3), i.e. from memory.
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "perf/micro/bench.hpp"
#include "proto/ws_receiver.hpp"
#include "proto/ws_session.hpp"

namespace {

using namespace sluice::proto;
using sluice::bench::do_not_optimize;

std::vector<std::uint8_t> client_frame(Opcode op, std::string_view payload, std::array<std::uint8_t, 4> key) {
    std::vector<std::uint8_t> out(kMaxFrameHeader);
    out.resize(encode_frame_header(out.data(), op, true, payload.size(), &key));
    const std::size_t at = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    unmask(std::span<std::uint8_t>(out.data() + at, payload.size()), key, 0);
    return out;
}

std::string ascii(std::size_t n) {
    std::string s;
    while (s.size() < n) s += "The quick brown fox jumps over the lazy dog. {\"id\":42} ";
    s.resize(n);
    return s;
}

// Mostly ASCII with two-byte letters (European text), cut back to whole characters.
std::string mixed(std::size_t n) {
    std::string s;
    while (s.size() < n) s += "Größere Städte: Wien, Graz. L'hôtel près de la gare était déjà complet. ";
    s.resize(n);
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
    return s;
}

void parse_frames(sluice::bench::State& state, Opcode op, const std::string& payload,
                  std::array<std::uint8_t, 4> key) {
    std::vector<std::uint8_t> frame = client_frame(op, payload, key);
    WsReceiver rx(Role::server, WsLimits{});
    for (auto _ : state) {
        const WsEvent ev = rx.next(frame);
        do_not_optimize(ev.payload.data());
        do_not_optimize(ev.kind);
    }
    if (rx.failed()) __builtin_trap();  // the bench frames are valid
}

constexpr std::array<std::uint8_t, 4> kKey = {0x37, 0xfa, 0x21, 0x3d};

// A ring of kRing client frames of one payload, each masked with its own random key (a
// fixed seed: every run measures the same bytes), stored back to back.
constexpr std::size_t kRing = 16;
struct FrameRing {
    std::vector<std::uint8_t> masked;  // the originals, never touched after set-up
    std::vector<std::uint8_t> work;    // what the receiver unmasks in place
    std::size_t frame_size = 0;
};
FrameRing make_ring(Opcode op, const std::string& payload) {
    FrameRing ring;
    std::uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i < kRing; ++i) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        const std::array<std::uint8_t, 4> key = {static_cast<std::uint8_t>(seed), static_cast<std::uint8_t>(seed >> 8),
                                                 static_cast<std::uint8_t>(seed >> 16),
                                                 static_cast<std::uint8_t>(seed >> 24)};
        const auto f = client_frame(op, payload, key);
        ring.frame_size = f.size();
        ring.masked.insert(ring.masked.end(), f.begin(), f.end());
    }
    ring.work = ring.masked;
    return ring;
}

// One op: restore frame i from its masked original, then (if `parse`) read it.
void ring_frames(sluice::bench::State& state, Opcode op, const std::string& payload, bool parse) {
    FrameRing ring = make_ring(op, payload);
    WsReceiver rx(Role::server, WsLimits{});
    std::size_t i = 0;
    for (auto _ : state) {
        std::uint8_t* frame = ring.work.data() + i * ring.frame_size;
        std::memcpy(frame, ring.masked.data() + i * ring.frame_size, ring.frame_size);
        if (parse) {
            const WsEvent ev = rx.next(std::span<std::uint8_t>(frame, ring.frame_size));
            do_not_optimize(ev.payload.data());
            do_not_optimize(ev.kind);
        } else {
            sluice::bench::clobber_memory();
        }
        i = i + 1 == kRing ? 0 : i + 1;
    }
    if (rx.failed()) __builtin_trap();  // the bench frames are valid
}

[[maybe_unused]] const bool registered = [] {
    using sluice::bench::Registration;
    for (std::size_t n : {16u, 1024u, 65536u}) {
        const std::string label = n == 16 ? "16B" : (n == 1024 ? "1KiB" : "64KiB");
        Registration("ws/parse+unmask/binary/" + label, n, [n](sluice::bench::State& s) {
            parse_frames(s, Opcode::binary, std::string(n, 'b'), kKey);
        });
        Registration("ws/restore+parse+unmask+utf8/text-ascii/" + label, n,
                     [n](sluice::bench::State& s) { ring_frames(s, Opcode::text, ascii(n), true); });
        const std::string text = mixed(n);
        Registration("ws/restore+parse+unmask+utf8/text-mixed/" + label, text.size(),
                     [text](sluice::bench::State& s) { ring_frames(s, Opcode::text, text, true); });
        Registration("ws/restore/" + label, n,
                     [n](sluice::bench::State& s) { ring_frames(s, Opcode::text, ascii(n), false); });
    }
    using Fn = void (*)(std::span<std::uint8_t>, std::array<std::uint8_t, 4>, std::uint64_t) noexcept;
    const std::pair<const char*, Fn> variants[] = {{"bytewise", &unmask_bytewise},
                                                   {"scalar", &unmask_scalar},
                                                   {"sse2", &unmask_sse2},
                                                   {"avx2", &unmask_avx2}};
    for (const auto& [name, fn] : variants) {
        for (const std::size_t size : {std::size_t{65536}, std::size_t{64} << 20}) {
            const char* label = size == 65536 ? "64KiB" : "64MiB";
            Registration(std::string("ws/unmask/") + name + "/" + label, size, [fn = fn, size](sluice::bench::State& s) {
                std::vector<std::uint8_t> bytes(size, 0x5a);  // set-up: not timed
                for (auto _ : s) {
                    fn(bytes, kKey, 1);
                    do_not_optimize(bytes.data());
                }
            });
        }
    }
    return true;
}();

// The server's send path: header + payload handed to the hooks (no copy for the payload).
struct CountingHooks {
    std::size_t bytes = 0;
    void on_message(Opcode, std::span<const std::uint8_t>) {}
    void on_ping(std::span<const std::uint8_t>) {}
    void on_pong(std::span<const std::uint8_t>) {}
    void on_close(std::uint16_t, std::string_view) {}
    void on_fail(std::uint16_t) {}
    void send(std::span<const std::uint8_t> b) { bytes += b.size(); }
};

}  // namespace

SLUICE_BENCH("ws/session/send_message/16B", 16) {
    CountingHooks hooks;
    WsSession<CountingHooks> session(Role::server, WsLimits{}, hooks);
    const std::string payload(16, 's');
    for (auto _ : state) do_not_optimize(session.send_message(Opcode::binary, payload));
    do_not_optimize(hooks.bytes);
}

SLUICE_BENCH("ws/session/feed/16B-x1024", 16 * 1024) {
    // 1024 client frames of 16 B in one input, delivered through the hooks.
    std::vector<std::uint8_t> input;
    for (int i = 0; i < 1024; ++i) {
        const auto f = client_frame(Opcode::binary, std::string(16, 'f'), kKey);
        input.insert(input.end(), f.begin(), f.end());
    }
    CountingHooks hooks;
    WsSession<CountingHooks> session(Role::server, WsLimits{}, hooks);
    for (auto _ : state) do_not_optimize(session.feed(input));
}
