// Benchmarks of proto/ WebSocket: frame parse + unmask (WsReceiver), text frames with
// UTF-8 validation, each unmask variant, and the session's send path.
//
// One op = one client frame read by a server-role WsReceiver, whole, in place (the frame
// is re-read from the same buffer every op). frames/s = 10^9 / (ns/op); GB/s counts
// payload bytes. Binary frames use a non-zero key, so each op flips the payload; text
// frames use the key 00 00 00 00 so the unmasked payload stays valid UTF-8 op after op
// (the XOR still runs: the cost is the same for any key).
#include <array>
#include <cstdint>
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
constexpr std::array<std::uint8_t, 4> kZeroKey = {0, 0, 0, 0};

[[maybe_unused]] const bool registered = [] {
    using sluice::bench::Registration;
    for (std::size_t n : {16u, 1024u, 65536u}) {
        const std::string label = n == 16 ? "16B" : (n == 1024 ? "1KiB" : "64KiB");
        Registration("ws/parse+unmask/binary/" + label, n, [n](sluice::bench::State& s) {
            parse_frames(s, Opcode::binary, std::string(n, 'b'), kKey);
        });
        Registration("ws/parse+unmask+utf8/text-ascii/" + label, n,
                     [n](sluice::bench::State& s) { parse_frames(s, Opcode::text, ascii(n), kZeroKey); });
        const std::string text = mixed(n);
        Registration("ws/parse+unmask+utf8/text-mixed/" + label, text.size(),
                     [text](sluice::bench::State& s) { parse_frames(s, Opcode::text, text, kZeroKey); });
    }
    using Fn = void (*)(std::span<std::uint8_t>, std::array<std::uint8_t, 4>, std::uint64_t) noexcept;
    const std::pair<const char*, Fn> variants[] = {{"bytewise", &unmask_bytewise},
                                                   {"scalar", &unmask_scalar},
                                                   {"sse2", &unmask_sse2},
                                                   {"avx2", &unmask_avx2}};
    for (const auto& [name, fn] : variants) {
        Registration(std::string("ws/unmask/") + name + "/64KiB", 65536, [fn = fn](sluice::bench::State& s) {
            std::vector<std::uint8_t> bytes(65536, 0x5a);
            for (auto _ : s) {
                fn(bytes, kKey, 1);
                do_not_optimize(bytes.data());
            }
        });
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
