#include "core/deflate.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/huffman_lengths.hpp"
#include "core/inflate.hpp"
#include "test/support/deflate_samples.hpp"
#include "test/support/python_zlib.hpp"

using sluice::core::DeflateFlush;
using sluice::core::DeflateLevel;
using sluice::core::Deflater;
using sluice::core::DeflateStatus;
using sluice::core::Inflater;
using sluice::core::InflateStatus;
using sluice::test::Bytes;

namespace {

// One message: compressed with a sync flush into exactly max_output() bytes of room.
Bytes compress(Deflater& d, const Bytes& in, DeflateFlush flush = DeflateFlush::sync) {
    Bytes out(d.max_output(in.size()));
    const auto r = d.deflate(in, out, flush);
    REQUIRE(r.status == DeflateStatus::ok);
    out.resize(r.produced);
    return out;
}

Bytes inflate_all(Inflater& inf, const Bytes& in, std::size_t expected_size) {
    Bytes out(expected_size + 1);
    const auto r = inf.inflate(in, out);
    CHECK(r.status == InflateStatus::need_input);
    CHECK(r.consumed == in.size());
    CHECK(inf.at_block_boundary());
    out.resize(r.produced);
    return out;
}

bool ends_with_sync_marker(const Bytes& b) {
    return b.size() >= 4 && std::equal(b.end() - 4, b.end(), Bytes{0x00, 0x00, 0xff, 0xff}.begin());
}

const DeflateLevel kLevels[] = {DeflateLevel::fast, DeflateLevel::normal};

}  // namespace

TEST_CASE("RFC 7692 §7.2.3.1: \"Hello\" compresses to f2 48 cd c9 c9 07 00, then the sync marker") {
    for (const DeflateLevel level : kLevels) {
        Deflater d(level);
        const Bytes hello = compress(d, {'H', 'e', 'l', 'l', 'o'});
        CHECK(hello == Bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff});
        // §7.2.3.2: the second "Hello" refers back to the first (context takeover) and is
        // shorter; whatever the encoder's choice, it inflates through the shared window.
        const Bytes again = compress(d, {'H', 'e', 'l', 'l', 'o'});
        CHECK(again.size() < hello.size());
        Inflater inf;
        CHECK(inflate_all(inf, hello, 5) == Bytes{'H', 'e', 'l', 'l', 'o'});
        CHECK(inflate_all(inf, again, 5) == Bytes{'H', 'e', 'l', 'l', 'o'});
    }
}

TEST_CASE("RFC 7692 §7.2.3.6: an empty message is an empty stored block (00 after stripping)") {
    Deflater d;
    CHECK(compress(d, {}) == Bytes{0x00, 0x00, 0x00, 0xff, 0xff});
}

TEST_CASE("RFC 1951 §3.2.7: length-limited codes are complete and within the cap") {
    std::mt19937 rng(7);
    for (int round = 0; round < 300; ++round) {
        const unsigned n = round % 3 == 0 ? 19 : (round % 3 == 1 ? 30 : 286);
        const unsigned cap = n == 19 ? 7 : 15;
        std::vector<std::uint32_t> freq(n);
        const int shape = round % 4;
        for (unsigned s = 0; s < n; ++s) {
            if (rng() % 3 == 0) continue;
            // Fibonacci-like and exponential frequencies force deep trees (beyond the cap).
            freq[s] = static_cast<std::uint32_t>(
                shape == 0 ? 1 + rng() % 100 : (shape == 1 ? 1u << (s % 24) : 1 + (rng() % (1u << (rng() % 20)))));
        }
        Bytes lengths(n);
        sluice::core::huffman_lengths(freq.data(), n, cap, lengths.data());
        std::uint64_t kraft = 0;
        unsigned used = 0;
        for (unsigned s = 0; s < n; ++s) {
            CHECK(lengths[s] <= cap);
            if (freq[s] != 0) CHECK(lengths[s] != 0);
            if (lengths[s] != 0) {
                kraft += std::uint64_t{1} << (cap - lengths[s]);
                ++used;
            }
        }
        CHECK(used >= 2);
        CHECK(kraft == (std::uint64_t{1} << cap));  // §3.2.2: a complete prefix code
    }
}

TEST_CASE("RFC 1951 round trip: every sample at every window size and level") {
    const auto samples = sluice::test::sample_inputs();
    for (unsigned bits = 8; bits <= 15; ++bits) {
        for (const DeflateLevel level : kLevels) {
            for (const auto& sample : samples) {
                const Bytes& data = sample.second;
                CAPTURE(bits);
                CAPTURE(static_cast<int>(level));
                CAPTURE(sample.first);
                Deflater d(level, bits);
                const Bytes z = compress(d, data);
                CHECK(ends_with_sync_marker(z));
                CHECK(z.size() <= d.max_output(0) + Deflater(level, bits).max_output(data.size()));
                Inflater inf(bits);
                CHECK(inflate_all(inf, z, data.size()) == data);
            }
        }
    }
}

TEST_CASE("RFC 7692 §7.2.1: a stream of messages, with and without context takeover") {
    for (const DeflateLevel level : kLevels) {
        for (const unsigned bits : {8u, 11u, 15u}) {
            for (const bool takeover : {true, false}) {
                CAPTURE(bits);
                CAPTURE(takeover);
                Deflater d(level, bits);
                Inflater inf(bits);
                std::size_t total_in = 0;
                std::size_t total_out = 0;
                for (unsigned i = 0; i < 400; ++i) {
                    const Bytes msg = i % 2 == 0 ? sluice::test::json_message(i) : sluice::test::market_message(i);
                    if (!takeover) {
                        d.reset();
                        inf.reset();
                    }
                    const Bytes z = compress(d, msg);
                    total_in += msg.size();
                    total_out += z.size();
                    REQUIRE(inflate_all(inf, z, msg.size()) == msg);
                }
                // Shared windows pay: repeated messages compress far better with takeover.
                if (takeover && bits >= 11) CHECK(total_out * 4 < total_in);
                INFO((std::to_string(bits) + (takeover ? " takeover: " : " reset: ") + std::to_string(total_out) + " of " +
                          std::to_string(total_in)));
            }
        }
    }
}

TEST_CASE("RFC 1951: input in pieces (flush none, then sync) gives a valid stream") {
    for (const DeflateLevel level : kLevels) {
        for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{65536}}) {
            CAPTURE(piece);
            // Byte at a time over 6000 bytes; larger pieces over 200 KB (several slides).
            const Bytes text = sluice::test::mixed_text(piece == 1 ? 6000 : 200000, 5);
            Deflater d(level, 15);
            Bytes z;
            for (std::size_t pos = 0; pos < text.size(); pos += piece) {
                const std::size_t n = std::min(piece, text.size() - pos);
                const Bytes part(text.begin() + static_cast<std::ptrdiff_t>(pos),
                                 text.begin() + static_cast<std::ptrdiff_t>(pos + n));
                const bool last = pos + n == text.size();
                const Bytes out = compress(d, part, last ? DeflateFlush::sync : DeflateFlush::none);
                z.insert(z.end(), out.begin(), out.end());
            }
            Inflater inf;
            CHECK(inflate_all(inf, z, text.size()) == text);
            // The same bytes as one piece compress the same way.
            Deflater whole(level, 15);
            CHECK(compress(whole, text) == z);
        }
    }
}

TEST_CASE("Deflater: a too small output fails cleanly, never writing past it") {
    Deflater d;
    const Bytes data = sluice::test::random_bytes(5000, 9);
    Bytes out(1000 + 16, 0xAA);
    const auto r = d.deflate(data, std::span<std::uint8_t>(out).first(1000), DeflateFlush::sync);
    CHECK(r.status == DeflateStatus::output_too_small);
    CHECK(r.produced <= 1000);
    CHECK(std::all_of(out.begin() + 1000, out.end(), [](std::uint8_t b) { return b == 0xAA; }));
    // Broken until reset(); then a fresh stream.
    CHECK(d.deflate(data, out, DeflateFlush::sync).status == DeflateStatus::output_too_small);
    d.reset();
    const Bytes z = compress(d, data);
    Inflater inf;
    CHECK(inflate_all(inf, z, data.size()) == data);
}

TEST_CASE("RFC 1951 interop: zlib inflates our output; ratio within 10% of zlib's") {
    const auto samples = sluice::test::sample_inputs();
    std::vector<Bytes> inputs;
    for (const auto& s : samples) inputs.push_back(s.second);
    const auto zlib = sluice::test::python_deflate_many(inputs, {{15, 1}, {15, 6}});
    REQUIRE(zlib.has_value());
    for (std::size_t k = 0; k < samples.size(); ++k) {
        for (std::size_t l = 0; l < 2; ++l) {
            CAPTURE(samples[k].first);
            CAPTURE(l);
            Deflater d(kLevels[l], 15);
            const Bytes ours = compress(d, samples[k].second);
            const auto back = sluice::test::python_inflate(ours);
            REQUIRE(back.has_value());
            CHECK(*back == samples[k].second);
            const std::size_t theirs = (*zlib)[l][k].size();
            INFO((samples[k].first + (l == 0 ? " fast vs zlib 1: " : " normal vs zlib 6: ") +
                     std::to_string(ours.size()) + " vs " + std::to_string(theirs)));
            // Within 10%, plus a block header's worth for tiny outputs (we end a block at
            // each window slide; zlib does not).
            CHECK(static_cast<double>(ours.size()) <= 1.10 * static_cast<double>(theirs) + 32);
        }
    }
}

TEST_CASE("Deflater memory: one block per compressor, by window size") {
    CHECK(Deflater::memory_bytes(15) == 229376);  // 224 KiB
    CHECK(Deflater::memory_bytes(14) == 147456);
    CHECK(Deflater::memory_bytes(12) == 40960);
    CHECK(Deflater::memory_bytes(8) == 12800);
    CHECK(Deflater::memory_bytes(20) == Deflater::memory_bytes(15));
    static_assert(sizeof(Deflater) <= 1400);
}
