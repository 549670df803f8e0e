// Benchmarks of core/deflate and core/inflate, with zlib beside them when the machine has
// it (zlib1g-dev: the Makefile links -lz into perf/micro only then; the product never
// links zlib). Three inputs, as permessage-deflate sees them:
//   json 200B    a chat message, a stream of 64 different ones with context takeover
//   market 100B  a market-data tick, likewise
//   text 64KiB   mixed prose/JSON/log text, one message from a fresh state each time
// Names carry the ratio (compressed / original, the 00 00 ff ff trailer stripped as
// RFC 7692 §7.2.1 sends it). GB/s counts uncompressed bytes for both directions.
//   build/release/perf/micro/micro deflate/ inflate/
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/deflate.hpp"
#include "core/inflate.hpp"
#include "perf/micro/bench.hpp"

#if __has_include(<zlib.h>)  // the Makefile links -lz exactly when this header exists
#include <zlib.h>
#define SLUICE_HAVE_ZLIB 1
#endif

namespace {

using Bytes = std::vector<std::uint8_t>;
using sluice::bench::do_not_optimize;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes json_message(unsigned i) {
    return bytes_of("{\"type\":\"message\",\"room\":\"general\",\"id\":" + std::to_string(184467 + i * 7) +
                    ",\"user\":{\"name\":\"" + (i % 3 == 0 ? "ada" : (i % 3 == 1 ? "grace" : "linus")) +
                    "\",\"avatar\":\"/img/u" + std::to_string(i % 5) + ".png\"},\"text\":\"Are we still on for the "
                    "review at " + std::to_string(1 + i % 12) + "? I pushed the deflate branch.\",\"ts\":17180000" +
                    std::to_string(10 + i) + "}");
}

Bytes market_message(unsigned i) {
    return bytes_of("{\"s\":\"BTCUSDT\",\"b\":\"67012." + std::to_string(10 + i % 90) + "\",\"B\":\"1." +
                    std::to_string(100 + i * 37 % 900) + "\",\"a\":\"67013." + std::to_string(10 + i * 13 % 90) +
                    "\",\"A\":\"0." + std::to_string(100 + i * 53 % 900) + "\",\"u\":4001" +
                    std::to_string(810000 + i) + "}");
}

Bytes mixed_text(std::size_t n) {
    static const char* const kWords[] = {"the", "window", "message", "server", "client", "deflate", "compress",
                                         "frame", "socket", "buffer", "length", "distance", "literal", "Huffman",
                                         "block", "stream", "error", "close", "header", "extension", "context"};
    std::mt19937 rng(1);
    std::string out;
    while (out.size() < n) {
        switch (rng() % 3) {
            case 0:
                for (int i = 0; i < 12; ++i) out += std::string(kWords[rng() % 21]) + " ";
                out += ".\n";
                break;
            case 1:
                out += "{\"id\":" + std::to_string(rng() % 100000) + ",\"name\":\"" + kWords[rng() % 21] +
                       "\",\"score\":" + std::to_string(rng() % 1000) + ",\"tags\":[\"a\",\"b\"]}\n";
                break;
            default:
                out += "2024-06-10T12:" + std::to_string(10 + rng() % 50) + " INFO connection " +
                       std::to_string(rng() % 5000) + " opened from 10.0.0." + std::to_string(rng() % 255) + "\n";
        }
    }
    out.resize(n);
    return bytes_of(out);
}

// One workload: messages compressed in sequence with context takeover, or one message
// compressed from a fresh state each time.
struct Workload {
    const char* name;
    std::vector<Bytes> messages;
    bool takeover;
    std::size_t total() const {
        std::size_t n = 0;
        for (const auto& m : messages) n += m.size();
        return n;
    }
};

std::vector<Workload> workloads() {
    Workload json{"json 200B", {}, true};
    Workload market{"market 100B", {}, true};
    for (unsigned i = 0; i < 64; ++i) {
        json.messages.push_back(json_message(i));
        market.messages.push_back(market_message(i));
    }
    return {json, market, Workload{"text 64KiB", {mixed_text(65536)}, false}};
}

// A compressor behind one shape: compress(message) -> bytes (trailer stripped).
struct Ours {
    sluice::core::Deflater d;
    Bytes out;
    Ours(sluice::core::DeflateLevel level) : d(level, 15) {}
    std::size_t compress(const Bytes& in, bool fresh) {
        if (fresh) d.reset();
        out.resize(d.max_output(in.size()));
        return d.deflate(in, out, sluice::core::DeflateFlush::sync).produced - 4;
    }
};

#ifdef SLUICE_HAVE_ZLIB
struct Zlib {
    z_stream z{};
    Bytes out;
    explicit Zlib(int level) { deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY); }
    ~Zlib() { deflateEnd(&z); }
    std::size_t compress(const Bytes& in, bool fresh) {
        if (fresh) deflateReset(&z);
        out.resize(deflateBound(&z, in.size()) + 16);
        z.next_in = const_cast<Bytef*>(in.data());
        z.avail_in = static_cast<uInt>(in.size());
        z.next_out = out.data();
        z.avail_out = static_cast<uInt>(out.size());
        deflate(&z, Z_SYNC_FLUSH);
        return out.size() - z.avail_out - 4;
    }
};
#endif

// The compressed stream of a workload (each message with its trailer put back).
template <class C>
std::vector<Bytes> compressed_messages(C& c, const Workload& w) {
    std::vector<Bytes> out;
    for (const auto& m : w.messages) {
        const std::size_t n = c.compress(m, !w.takeover);
        Bytes z(c.out.begin(), c.out.begin() + static_cast<std::ptrdiff_t>(n));
        z.insert(z.end(), {0x00, 0x00, 0xff, 0xff});
        out.push_back(z);
    }
    return out;
}

template <class C>
std::string ratio_of(C c, const Workload& w) {
    std::size_t z = 0;
    for (const auto& m : w.messages) z += c.compress(m, !w.takeover);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, " (ratio %.3f)", static_cast<double>(z) / static_cast<double>(w.total()));
    return buffer;
}

// Each op handles one message; bytes_per_op is the average message size.
template <class Make>
void add_deflate(std::vector<sluice::bench::Registration>& regs, const Workload& w, const std::string& who,
                 Make make) {
    const std::string name = std::string("deflate/") + w.name + " " + who + ratio_of(make(), w);
    regs.emplace_back(name, w.total() / w.messages.size(), [w, make](sluice::bench::State& state) {
        auto c = make();
        std::size_t i = 0;
        for (auto _ : state) {
            do_not_optimize(c.compress(w.messages[i], !w.takeover));
            if (++i == w.messages.size()) i = 0;
        }
    });
}

std::vector<sluice::bench::Registration> register_all() {
    std::vector<sluice::bench::Registration> regs;
    using sluice::core::DeflateLevel;
    for (const Workload& w : workloads()) {
        add_deflate(regs, w, "ours fast", [] { return Ours(DeflateLevel::fast); });
        add_deflate(regs, w, "ours normal", [] { return Ours(DeflateLevel::normal); });
#ifdef SLUICE_HAVE_ZLIB
        add_deflate(regs, w, "zlib 1", [] { return Zlib(1); });
        add_deflate(regs, w, "zlib 6", [] { return Zlib(6); });
#endif
        // Inflate the stream zlib 6 (or ours) made; at the end of the messages, start over
        // from a fresh state (with takeover the stream must be read from its start).
        Ours source(DeflateLevel::normal);
        const std::vector<Bytes> stream = compressed_messages(source, w);
        std::size_t biggest = 0;
        for (const auto& m : w.messages) biggest = m.size() > biggest ? m.size() : biggest;
        const std::size_t per_op = w.total() / w.messages.size();
        regs.emplace_back(std::string("inflate/") + w.name + " ours", per_op,
                          [stream, biggest](sluice::bench::State& state) {
                              sluice::core::Inflater inf(15);
                              Bytes out(biggest + 1);
                              std::size_t i = 0;
                              for (auto _ : state) {
                                  do_not_optimize(inf.inflate(stream[i], out).produced);
                                  if (++i == stream.size()) {
                                      i = 0;
                                      inf.reset();
                                  }
                              }
                          });
#ifdef SLUICE_HAVE_ZLIB
        regs.emplace_back(std::string("inflate/") + w.name + " zlib", per_op,
                          [stream, biggest](sluice::bench::State& state) {
                              z_stream z{};
                              inflateInit2(&z, -15);
                              Bytes out(biggest + 1);
                              std::size_t i = 0;
                              for (auto _ : state) {
                                  z.next_in = const_cast<Bytef*>(stream[i].data());
                                  z.avail_in = static_cast<uInt>(stream[i].size());
                                  z.next_out = out.data();
                                  z.avail_out = static_cast<uInt>(out.size());
                                  inflate(&z, Z_SYNC_FLUSH);
                                  do_not_optimize(z.avail_out);
                                  if (++i == stream.size()) {
                                      i = 0;
                                      inflateReset(&z);
                                  }
                              }
                              inflateEnd(&z);
                          });
#endif
    }
    return regs;
}
const std::vector<sluice::bench::Registration> kDeflate = register_all();

}  // namespace
