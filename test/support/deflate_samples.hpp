// test/support/deflate_samples.hpp — what the DEFLATE tests share: sample inputs (text,
// JSON, binary, random), a bit writer for hand-made streams, and canonical codes.
// Written from RFC 1951 §3.1.1 (bit order) and §3.2.2 (canonical Huffman codes).
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

using Bytes = std::vector<std::uint8_t>;

// §3.2.7: the order of the code length code lengths.
inline constexpr std::array<std::uint8_t, 19> kCodeLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                                  11, 4,  12, 3, 13, 2, 14, 1, 15};

// §3.1.1: data elements are packed LSB first; Huffman codes are sent MSB first.
class BitWriter {
 public:
    void put(std::uint32_t value, unsigned bits) {
        for (unsigned i = 0; i < bits; ++i) push((value >> i) & 1);
    }
    void put_code(std::uint32_t code, unsigned length) {
        for (unsigned i = length; i-- > 0;) push((code >> i) & 1);
    }
    Bytes finish() const { return bytes_; }

 private:
    void push(std::uint32_t bit) {
        if (count_ % 8 == 0) bytes_.push_back(0);
        bytes_.back() = static_cast<std::uint8_t>(bytes_.back() | (bit << (count_ % 8)));
        ++count_;
    }
    Bytes bytes_;
    std::size_t count_ = 0;
};

// §3.2.2: the canonical code of each symbol from the code lengths.
inline std::vector<std::uint32_t> canonical_codes(const Bytes& lengths) {
    std::array<std::uint32_t, 16> count{};
    for (const std::uint8_t l : lengths) ++count[l];
    count[0] = 0;
    std::array<std::uint32_t, 16> next{};
    std::uint32_t code = 0;
    for (unsigned bits = 1; bits < 16; ++bits) {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    std::vector<std::uint32_t> codes(lengths.size());
    for (std::size_t s = 0; s < lengths.size(); ++s) {
        if (lengths[s] != 0) codes[s] = next[lengths[s]]++;
    }
    return codes;
}

inline Bytes random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    return out;
}

inline Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

// A chat message of about 200 bytes, as a JSON object.
inline Bytes json_message(unsigned i = 0) {
    return bytes_of("{\"type\":\"message\",\"room\":\"general\",\"id\":" + std::to_string(184467 + i) +
                    ",\"user\":{\"name\":\"ada\",\"avatar\":\"/img/ada.png\"},\"text\":\"Are we still on for the "
                    "review at three? I pushed the deflate branch.\",\"ts\":1718000000" +
                    std::to_string(i % 10) + "}");
}

// A market-data tick of about 100 bytes.
inline Bytes market_message(unsigned i = 0) {
    return bytes_of("{\"s\":\"BTCUSDT\",\"b\":\"67012." + std::to_string(10 + i % 90) +
                    "\",\"B\":\"1.204\",\"a\":\"67012.5" + std::to_string(i % 10) +
                    "\",\"A\":\"0.350\",\"u\":40018" + std::to_string(1000 + i) + "}");
}

// `n` bytes of mixed text: prose, JSON and log lines, with numbers that vary.
inline Bytes mixed_text(std::size_t n, unsigned seed = 1) {
    static const char* const kWords[] = {
        "the", "window", "message", "server", "client", "deflate", "compress", "frame", "socket",
        "buffer", "length", "distance", "literal", "Huffman", "block", "stream", "error", "close",
        "ping", "pong", "header", "extension", "context", "takeover", "sliding", "value"};
    std::mt19937 rng(seed);
    std::string out;
    while (out.size() < n) {
        switch (rng() % 3) {
            case 0:
                for (int i = 0; i < 12; ++i) {
                    out += kWords[rng() % (sizeof kWords / sizeof *kWords)];
                    out += ' ';
                }
                out += ".\n";
                break;
            case 1:
                out += "{\"id\":" + std::to_string(rng() % 100000) + ",\"name\":\"" +
                       kWords[rng() % (sizeof kWords / sizeof *kWords)] + "\",\"score\":" +
                       std::to_string(rng() % 1000) + ",\"tags\":[\"a\",\"b\"]}\n";
                break;
            default:
                out += "2024-06-10T12:" + std::to_string(10 + rng() % 50) + ":" + std::to_string(10 + rng() % 50) +
                       " INFO connection " + std::to_string(rng() % 5000) + " opened from 10.0.0." +
                       std::to_string(rng() % 255) + "\n";
        }
    }
    out.resize(n);
    return bytes_of(out);
}

// Small structured binary: records with repeated fields and some noise.
inline Bytes binary_records(std::size_t n) {
    std::mt19937 rng(42);
    Bytes out;
    while (out.size() < n) {
        const std::uint32_t id = static_cast<std::uint32_t>(out.size() / 16);
        const std::uint8_t rec[16] = {0xCA, 0xFE, 0x00, 0x01, static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(id >> 8),
                                      0, 0, static_cast<std::uint8_t>(rng() % 4), 0, 0, 0, 0x10, 0x20, 0x30,
                                      static_cast<std::uint8_t>(rng())};
        out.insert(out.end(), rec, rec + 16);
    }
    out.resize(n);
    return out;
}

inline std::vector<std::pair<std::string, Bytes>> sample_inputs() {
    return {
        {"empty", {}},
        {"one byte", {'x'}},
        {"json 200B", json_message()},
        {"market 100B", market_message()},
        {"text 64KiB", mixed_text(65536)},
        {"binary 20KiB", binary_records(20000)},
        {"random 10KiB", random_bytes(10000, 3)},
        {"zeros 100KiB", Bytes(100000, 0)},
    };
}

}  // namespace sluice::test
