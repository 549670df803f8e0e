// Benchmarks of core/: SHA-1, Base64 and every UTF-8 validation path.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64.hpp"
#include "core/sha1.hpp"
#include "core/utf8.hpp"
#include "perf/micro/bench.hpp"

namespace {

using sluice::bench::do_not_optimize;

std::span<const std::uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// `size` bytes of `sample` repeated, cut back to a character boundary so the text is
// valid and complete (a few bytes short of size at most).
std::string repeat_to(std::string_view sample, std::size_t size) {
    std::string out;
    while (out.size() < size) out += sample;
    out.resize(size);
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    return out;
}

// Mixed European text: mostly ASCII, an accented letter every few words (German,
// French, Polish, Czech). CJK: Japanese, Chinese and Korean, 3 bytes per character.
constexpr std::string_view kAscii =
    "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "The quick brown fox jumps over the lazy dog; {\"id\": 42, \"text\": \"hello\"}\n";
constexpr std::string_view kMixed =
    "Größere Städte in Österreich: Wien, Graz, Linz. L'hôtel près de la gare était déjà "
    "complet; naïve façade, crème brûlée. Zażółć gęślą jaźń, Łódź i Kraków. "
    "Příliš žluťoučký kůň úpěl ďábelské ódy. ";
constexpr std::string_view kCjk =
    "日本語のテキストは三バイトの文字で書かれています。中文文本也是如此，每个汉字占三个字节。"
    "한국어 텍스트도 대부분 세 바이트입니다。";

// ---- SHA-1 ------------------------------------------------------------------------------

SLUICE_BENCH("sha1/60B handshake", 60) {
    // RFC 6455 §4.2.2: 24-byte key + 36-byte GUID.
    const std::string input = "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    for (auto _ : state) do_not_optimize(sluice::core::sha1(input));
}

SLUICE_BENCH("sha1/1MiB", 1 << 20) {
    const std::string input = repeat_to(kAscii, 1 << 20) + std::string((1 << 20) - repeat_to(kAscii, 1 << 20).size(), 'x');
    for (auto _ : state) do_not_optimize(sluice::core::sha1(input));
}

// Each block function alone, so the SHA-extension path and the scalar one are compared in
// one run (the one-shot rows above use whichever the CPU offers).
SLUICE_BENCH("sha1/1MiB blocks scalar", 1 << 20) {
    const std::string input((1 << 20), 'q');
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const auto* p = reinterpret_cast<const std::uint8_t*>(input.data());
    for (auto _ : state) {
        sluice::core::sha1_detail::compress_scalar(h, p, input.size() / 64);
        do_not_optimize(h[0]);
    }
}

SLUICE_BENCH("sha1/1MiB blocks sha-ni", 1 << 20) {
    const std::string input((1 << 20), 'q');
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const auto* p = reinterpret_cast<const std::uint8_t*>(input.data());
    const bool available = sluice::core::sha1_detail::has_sha_extensions();
    for (auto _ : state) {
        if (available) sluice::core::sha1_detail::compress_sha_ni(h, p, input.size() / 64);
        do_not_optimize(h[0]);
    }
}

// ---- Base64 ----------------------------------------------------------------------------

const sluice::bench::Registration kBase64[] = {
    {"base64/encode 16B", 16,
     [](sluice::bench::State& state) {
         const std::vector<std::uint8_t> in(16, 0xA5);  // a Sec-WebSocket-Key's nonce
         std::vector<char> out(sluice::core::base64_encoded_size(in.size()));
         for (auto _ : state) {
             do_not_optimize(sluice::core::base64_encode(in, out));
             sluice::bench::clobber_memory();
         }
     }},
    {"base64/encode 4KiB", 4096,
     [](sluice::bench::State& state) {
         std::vector<std::uint8_t> in(4096);
         for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint8_t>(i * 131);
         std::vector<char> out(sluice::core::base64_encoded_size(in.size()));
         for (auto _ : state) {
             do_not_optimize(sluice::core::base64_encode(in, out));
             sluice::bench::clobber_memory();
         }
     }},
    {"base64/decode 16B", 16,
     [](sluice::bench::State& state) {
         const std::string in = "dGhlIHNhbXBsZSBub25jZQ==";
         std::vector<std::uint8_t> out(16);
         for (auto _ : state) {
             do_not_optimize(sluice::core::base64_decode(in, out));
             sluice::bench::clobber_memory();
         }
     }},
    {"base64/decode 4KiB", 4096,
     [](sluice::bench::State& state) {
         std::vector<std::uint8_t> raw(4096);
         for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i * 131);
         std::string in(sluice::core::base64_encoded_size(raw.size()), '\0');
         sluice::core::base64_encode(raw, {in.data(), in.size()});
         std::vector<std::uint8_t> out(raw.size());
         for (auto _ : state) {
             do_not_optimize(sluice::core::base64_decode(in, out));
             sluice::bench::clobber_memory();
         }
     }},
};

// ---- UTF-8: {ascii, mixed, cjk} x {64 B, 4 KiB, 1 MiB, 64 MiB} x {scalar, sse2, avx2, feed} --
// GB/s counts the bytes validated. 64 B to 1 MiB run over one buffer that stays in cache
// (1 MiB fits this machine's 2 MiB L2); 64 MiB is twice its 32 MiB L3, so every pass reads
// from memory. The 64 MiB text is built inside the benchmark (set-up, not timed), so it is
// only allocated when selected.

using PathFn = std::size_t (*)(std::uint32_t&, const std::uint8_t*, std::size_t) noexcept;

std::vector<sluice::bench::Registration> register_utf8() {
    struct Text {
        const char* name;
        std::string_view sample;
    };
    struct Size {
        const char* name;
        std::size_t bytes;
    };
    struct Path {
        const char* name;
        PathFn fn;  // nullptr: the public Utf8Validator::feed (dispatching)
    };
    const Text texts[] = {{"ascii", kAscii}, {"mixed", kMixed}, {"cjk", kCjk}};
    const Size sizes[] = {{"64B", 64}, {"4KiB", 4096}, {"1MiB", 1 << 20}, {"64MiB", std::size_t{64} << 20}};
    const Path paths[] = {{"scalar", sluice::core::detail::validate_scalar},
                          {"sse2", sluice::core::detail::validate_sse2},
                          {"avx2", sluice::core::detail::validate_avx2},
                          {"feed", nullptr}};
    std::vector<sluice::bench::Registration> out;
    for (const Text& t : texts) {
        for (const Size& s : sizes) {
            for (const Path& p : paths) {
                // The byte count of the registration is the requested size; the text is cut
                // back to a character boundary, at most 3 bytes shorter (a 5e-8 error at 64 MiB).
                const bool large = s.bytes > (std::size_t{1} << 20);
                const std::string small = large ? std::string() : repeat_to(t.sample, s.bytes);
                std::string name = std::string("utf8/") + t.name + " " + s.name + " " + p.name;
                out.emplace_back(name, large ? s.bytes : small.size(),
                                 [small, large, sample = t.sample, size = s.bytes, fn = p.fn](sluice::bench::State& state) {
                    const std::string text = large ? repeat_to(sample, size) : small;
                    const auto bytes = bytes_of(text);
                    if (fn != nullptr) {
                        for (auto _ : state) {
                            std::uint32_t st = 0;
                            do_not_optimize(fn(st, bytes.data(), bytes.size()));
                            do_not_optimize(st);
                        }
                    } else {
                        for (auto _ : state) {
                            sluice::core::Utf8Validator v;
                            do_not_optimize(v.feed(bytes));
                        }
                    }
                });
            }
        }
    }
    return out;
}
const std::vector<sluice::bench::Registration> kUtf8 = register_utf8();

}  // namespace
