#include "core/inflate.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "test/support/deflate_samples.hpp"
#include "test/support/python_zlib.hpp"

using sluice::core::InflateError;
using sluice::core::Inflater;
using sluice::core::InflateStatus;
using sluice::test::Bytes;
using sluice::test::BitWriter;

namespace {

struct Decoded {
    Bytes out;
    InflateStatus status = InflateStatus::need_input;
    InflateError error = InflateError::none;
    bool boundary = false;
};

// Feeds `in` in pieces of `in_step` bytes (0: whole) into output spans of `out_step` bytes
// (0: one large span), until the input is used and nothing more comes out.
Decoded inflate_chunked(const Bytes& in, std::size_t in_step, std::size_t out_step, unsigned window_bits = 15,
                        std::size_t limit = 1 << 24) {
    Inflater inf(window_bits);
    Decoded d;
    std::size_t pos = 0;
    Bytes chunk;
    for (;;) {
        const std::size_t take = in_step == 0 ? in.size() - pos : std::min(in_step, in.size() - pos);
        const std::size_t room_max = limit - d.out.size();
        const std::size_t room = out_step == 0 ? room_max : std::min(out_step, room_max);
        // Each piece in its own exact-size copy, so a read past it trips ASan.
        const Bytes piece(in.begin() + static_cast<std::ptrdiff_t>(pos),
                          in.begin() + static_cast<std::ptrdiff_t>(pos + take));
        chunk.assign(room, 0);
        const auto r = inf.inflate(piece, chunk);
        d.out.insert(d.out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(r.produced));
        pos += r.consumed;
        d.status = r.status;
        d.error = r.error;
        if (r.status == InflateStatus::error || r.status == InflateStatus::done) break;
        if (r.status == InflateStatus::output_full && d.out.size() == limit) break;
        if (r.status == InflateStatus::need_input && pos == in.size()) break;
    }
    d.boundary = inf.at_block_boundary();
    return d;
}

Decoded inflate_whole(const Bytes& in, unsigned window_bits = 15) { return inflate_chunked(in, 0, 0, window_bits); }

Bytes with_trailer(Bytes b) {
    b.insert(b.end(), {0x00, 0x00, 0xff, 0xff});
    return b;
}

// ---- hand-made dynamic blocks (§3.2.7) ---------------------------------------------------

// A dynamic block header whose code length code gives symbols 0..15 four bits each (a
// complete code: 16 x 1/16), so every code length is sent as itself, in four bits.
void dynamic_header(BitWriter& w, bool final, const Bytes& litlen, const Bytes& dist) {
    w.put(final ? 1 : 0, 1);
    w.put(2, 2);
    w.put(static_cast<std::uint32_t>(litlen.size() - 257), 5);
    w.put(static_cast<std::uint32_t>(dist.size() - 1), 5);
    w.put(19 - 4, 4);
    for (const std::uint8_t symbol : sluice::test::kCodeLengthOrder) w.put(symbol < 16 ? 4 : 0, 3);
    for (const std::uint8_t len : litlen) w.put_code(len, 4);
    for (const std::uint8_t len : dist) w.put_code(len, 4);
}

// A header with the given code length code lengths (19, in symbol order) and counts; the
// caller then writes code length symbols with their codes.
void raw_header(BitWriter& w, unsigned hlit, unsigned hdist, const Bytes& cl_lengths) {
    w.put(1, 1);
    w.put(2, 2);
    w.put(hlit - 257, 5);
    w.put(hdist - 1, 5);
    w.put(19 - 4, 4);
    for (const std::uint8_t symbol : sluice::test::kCodeLengthOrder) w.put(cl_lengths[symbol], 3);
}

Bytes lengths(std::size_t n, std::initializer_list<std::pair<unsigned, std::uint8_t>> set) {
    Bytes b(n, 0);
    for (const auto& [symbol, len] : set) b[symbol] = len;
    return b;
}

const std::string kText =
    "permessage-deflate compresses each message with DEFLATE; the sliding window may be shared "
    "between messages (context takeover) or reset for each one. {\"type\":\"chat\",\"room\":\"lobby\","
    "\"user\":\"ada\",\"text\":\"hello, hello, hello world\"} The quick brown fox jumps over the lazy dog. ";

Bytes text_of(std::size_t n) {
    Bytes out;
    while (out.size() < n) out.insert(out.end(), kText.begin(), kText.end());
    out.resize(n);
    return out;
}

}  // namespace

TEST_CASE("RFC 1951 §3.2.4: a stored block is copied as it is") {
    // BFINAL=1 BTYPE=00, LEN=5, NLEN=~5, then the bytes.
    const Bytes in = {0x01, 0x05, 0x00, 0xfa, 0xff, 'H', 'e', 'l', 'l', 'o'};
    const Decoded d = inflate_whole(in);
    CHECK(d.status == InflateStatus::done);
    CHECK(d.out == Bytes{'H', 'e', 'l', 'l', 'o'});
    // An empty, non-final stored block is the sync-flush marker 00 00 ff ff (RFC 7692 §7.2.1).
    const Decoded empty = inflate_whole({0x00, 0x00, 0x00, 0xff, 0xff});
    CHECK(empty.status == InflateStatus::need_input);
    CHECK(empty.out.empty());
    CHECK(empty.boundary);
}

TEST_CASE("RFC 1951 §3.2.4: stored LEN and NLEN must be complements") {
    const Decoded d = inflate_whole({0x01, 0x05, 0x00, 0xfa, 0xfe, 'H', 'e', 'l', 'l', 'o'});
    CHECK(d.status == InflateStatus::error);
    CHECK(d.error == InflateError::stored_length_mismatch);
}

TEST_CASE("RFC 1951 §3.2.3: BTYPE 11 is an error") {
    const Decoded d = inflate_whole({0x07});
    CHECK(d.status == InflateStatus::error);
    CHECK(d.error == InflateError::invalid_block_type);
    CHECK(sluice::core::inflate_error_name(d.error) == "invalid_block_type");
}

TEST_CASE("RFC 1951 §3.2.6: fixed Huffman blocks (RFC 7692 §7.2.3.1 and §7.2.3.4)") {
    const Decoded hello = inflate_whole(with_trailer({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    CHECK(hello.out == Bytes{'H', 'e', 'l', 'l', 'o'});
    CHECK(hello.status == InflateStatus::need_input);
    CHECK(hello.boundary);
    // The same with BFINAL set: the stream ends; the appended trailer is left unused.
    Inflater inf;
    Bytes out(16);
    const Bytes final_block = with_trailer({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00});
    const auto r = inf.inflate(final_block, out);
    CHECK(r.status == InflateStatus::done);
    CHECK(r.produced == 5);
    CHECK(r.consumed == 7);  // the block ends inside byte 6; bytes 7.. are not the stream's
    CHECK(inf.finished());
}

TEST_CASE("RFC 7692 §7.2.3.2: a second message refers back into the first (shared window)") {
    Inflater inf;
    Bytes out(16);
    const Bytes first = with_trailer({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    auto r = inf.inflate(first, out);
    CHECK(r.produced == 5);
    const Bytes second = with_trailer({0xf2, 0x00, 0x11, 0x00, 0x00});
    r = inf.inflate(second, out);
    CHECK(r.status == InflateStatus::need_input);
    CHECK(Bytes(out.begin(), out.begin() + 5) == Bytes{'H', 'e', 'l', 'l', 'o'});
    CHECK(r.produced == 5);
    // Without the window (no context takeover) the same bytes reach before the start.
    inf.reset();
    r = inf.inflate(second, out);
    CHECK(r.status == InflateStatus::error);
    CHECK(r.error == InflateError::distance_too_far);
}

TEST_CASE("RFC 7692 §7.2.3.3 and §7.2.3.5: a stored block, and two blocks in one message") {
    CHECK(inflate_whole(with_trailer({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00})).out ==
          Bytes{'H', 'e', 'l', 'l', 'o'});
    CHECK(inflate_whole(with_trailer({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}))
              .out == Bytes{'H', 'e', 'l', 'l', 'o'});
}

TEST_CASE("RFC 1951 §3.2.7: a hand-made dynamic block decodes") {
    // Literals 'a' and 'b' and end-of-block, two bits each, plus length 3 (257): a complete code.
    const Bytes litlen = lengths(258, {{'a', 2}, {'b', 2}, {256, 2}, {257, 2}});
    const Bytes dist = lengths(1, {{0, 1}});  // one distance code, one bit (§3.2.7)
    BitWriter w;
    dynamic_header(w, true, litlen, dist);
    // Canonical codes (§3.2.2), by symbol order within a length: a=00 b=01 256=10 257=11.
    w.put_code(0b00, 2);  // a
    w.put_code(0b01, 2);  // b
    w.put_code(0b11, 2);  // length 3
    w.put_code(0b0, 1);   // distance 1
    w.put_code(0b10, 2);  // end of block
    const Decoded d = inflate_whole(w.finish());
    CHECK(d.status == InflateStatus::done);
    CHECK(d.out == Bytes{'a', 'b', 'b', 'b', 'b'});
}

TEST_CASE("RFC 1951 §3.2.7: every malformed dynamic header is named") {
    struct Case {
        const char* rule;
        Bytes stream;
        InflateError error;
    };
    std::vector<Case> cases;
    {
        BitWriter w;  // HLIT = 287
        w.put(1, 1);
        w.put(2, 2);
        w.put(30, 5);
        w.put(0, 5);
        w.put(0, 4);
        cases.push_back({"§3.2.7 HLIT 257-286", w.finish(), InflateError::too_many_length_codes});
    }
    {
        BitWriter w;  // HDIST = 31
        w.put(1, 1);
        w.put(2, 2);
        w.put(0, 5);
        w.put(30, 5);
        w.put(0, 4);
        cases.push_back({"§3.2.7 HDIST 1-30", w.finish(), InflateError::too_many_distance_codes});
    }
    {
        BitWriter w;  // four code length codes of one bit
        raw_header(w, 257, 1, lengths(19, {{16, 1}, {17, 1}, {18, 1}, {0, 1}}));
        cases.push_back({"§3.2.2 over-subscribed code length code", w.finish(),
                         InflateError::code_length_code_over_subscribed});
    }
    {
        BitWriter w;  // a single one-bit code length code
        raw_header(w, 257, 1, lengths(19, {{0, 1}}));
        cases.push_back({"§3.2.2 incomplete code length code", w.finish(), InflateError::code_length_code_incomplete});
    }
    {
        BitWriter w;  // no code length code at all (fuzz/regressions/inflate/empty-code-length-code:
        raw_header(w, 257, 1, lengths(19, {}));  // refused at once; zlib waits for a symbol)
        cases.push_back({"§3.2.2 empty code length code", w.finish(), InflateError::code_length_code_incomplete});
    }
    {
        BitWriter w;  // symbols 0 (code 0) and 16 (code 1); 16 first
        raw_header(w, 257, 1, lengths(19, {{0, 1}, {16, 1}}));
        w.put_code(1, 1);
        w.put(0, 2);
        cases.push_back({"§3.2.7 16 with no previous length", w.finish(), InflateError::repeat_without_previous});
    }
    {
        BitWriter w;  // symbols 0 (code 0) and 18 (code 1): 138 + 138 zeros > 258 lengths
        raw_header(w, 257, 1, lengths(19, {{0, 1}, {18, 1}}));
        w.put_code(1, 1);
        w.put(127, 7);
        w.put_code(1, 1);
        w.put(127, 7);
        cases.push_back({"§3.2.7 repeat past HLIT + HDIST", w.finish(), InflateError::repeat_past_end});
    }
    {
        BitWriter w;
        Bytes litlen(257, 1);
        dynamic_header(w, true, litlen, lengths(1, {{0, 1}}));
        cases.push_back({"§3.2.2 over-subscribed literal/length code", w.finish(),
                         InflateError::literal_length_over_subscribed});
    }
    {
        BitWriter w;
        dynamic_header(w, true, lengths(257, {{'a', 2}, {'b', 2}, {256, 2}}), lengths(1, {{0, 1}}));
        cases.push_back({"§3.2.2 incomplete literal/length code", w.finish(), InflateError::literal_length_incomplete});
    }
    {
        BitWriter w;
        dynamic_header(w, true, lengths(257, {{'a', 1}, {256, 1}}), lengths(3, {{0, 1}, {1, 1}, {2, 1}}));
        cases.push_back({"§3.2.2 over-subscribed distance code", w.finish(), InflateError::distance_over_subscribed});
    }
    {
        BitWriter w;
        dynamic_header(w, true, lengths(257, {{'a', 1}, {256, 1}}), lengths(2, {{0, 2}, {1, 2}}));
        cases.push_back({"§3.2.7 incomplete distance code", w.finish(), InflateError::distance_incomplete});
    }
    {
        BitWriter w;
        dynamic_header(w, true, lengths(257, {{'a', 1}, {'b', 1}}), lengths(1, {{0, 1}}));
        cases.push_back({"§3.2.5 no end-of-block code", w.finish(), InflateError::missing_end_of_block});
    }
    {
        BitWriter w;  // a lone one-bit end-of-block code (code 0); then the unused code 1
        dynamic_header(w, true, lengths(257, {{256, 1}}), lengths(1, {{0, 1}}));
        w.put_code(1, 1);
        w.put(0, 16);
        cases.push_back({"§3.2.5 an unused literal/length code", w.finish(), InflateError::invalid_literal_length_code});
    }
    {
        BitWriter w;  // fixed block, symbol 286 (8 bits: 11000110)
        w.put(1, 1);
        w.put(1, 2);
        w.put_code(0b11000110, 8);
        w.put(0, 16);
        cases.push_back({"§3.2.6 literal/length 286 never occurs", w.finish(),
                         InflateError::invalid_literal_length_code});
    }
    {
        BitWriter w;  // fixed block: 'a', length 3 (257: 0000001), distance symbol 30 (11110)
        w.put(1, 1);
        w.put(1, 2);
        w.put_code(0x30 + 'a', 8);
        w.put_code(0b0000001, 7);
        w.put_code(0b11110, 5);
        w.put(0, 16);
        cases.push_back({"§3.2.6 distance 30 never occurs", w.finish(), InflateError::invalid_distance_code});
    }
    {
        BitWriter w;  // fixed block: 'a', then length 3 at distance 2 (symbol 1: 00001)
        w.put(1, 1);
        w.put(1, 2);
        w.put_code(0x30 + 'a', 8);
        w.put_code(0b0000001, 7);
        w.put_code(0b00001, 5);
        w.put(0, 16);
        cases.push_back({"§3.2.5 distance before the start of the output", w.finish(), InflateError::distance_too_far});
    }
    for (const Case& c : cases) {
        CAPTURE(c.rule);
        const Decoded whole = inflate_whole(c.stream);
        CHECK(whole.status == InflateStatus::error);
        CHECK(whole.error == c.error);
        // The same error byte by byte, into one-byte outputs.
        const Decoded split = inflate_chunked(c.stream, 1, 1);
        CHECK(split.error == c.error);
    }
}

TEST_CASE("RFC 1951 §3.2.5: a distance beyond the window is refused even if the output has it") {
    // Window 9 bits (512): a match 1000 back, inside this call's output, is still too far.
    Bytes data = text_of(1000);
    const Bytes random = sluice::test::random_bytes(1000, 7);
    Bytes input = random;
    input.insert(input.end(), random.begin(), random.begin() + 100);
    const auto compressed = sluice::test::python_deflate(input, 15, 9);
    REQUIRE(compressed.has_value());
    CHECK(inflate_whole(*compressed, 15).out == input);
    const Decoded narrow = inflate_whole(*compressed, 9);
    CHECK(narrow.error == InflateError::distance_too_far);
    CHECK(inflate_chunked(*compressed, 3, 17, 9).error == InflateError::distance_too_far);
}

TEST_CASE("RFC 1951 §3.2.2: every complete code of up to 15 bits fits the tables") {
    // Random complete codes, grown by splitting random leaves (up to 15 bits deep), for
    // both alphabets: the decoder must accept each (the table sizes are upper bounds).
    std::mt19937 rng(1951);
    for (int round = 0; round < 150; ++round) {
        auto random_code = [&](std::size_t symbols) {
            std::vector<std::uint8_t> depths = {0};
            std::size_t target = 2 + rng() % (symbols - 1);
            while (depths.size() < target) {
                const std::size_t i = rng() % depths.size();
                if (depths[i] >= 15) {
                    if (std::all_of(depths.begin(), depths.end(), [](std::uint8_t x) { return x >= 15; })) break;
                    continue;
                }
                // Bias towards deep, skewed trees (the worst cases for sub-tables).
                const auto deepest = static_cast<std::size_t>(std::max_element(depths.begin(), depths.end()) - depths.begin());
                const std::size_t j = rng() % 2 == 0 ? i : deepest;
                if (depths[j] >= 15) continue;
                ++depths[j];
                depths.push_back(depths[j]);
            }
            return depths;
        };
        Bytes litlen(286, 0);
        auto code = random_code(286);
        std::vector<unsigned> order(286);
        for (unsigned i = 0; i < 286; ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), rng);
        // Keep 256 (end of block) among the used symbols.
        std::swap(*std::find(order.begin(), order.end(), 256u), order[0]);
        for (std::size_t i = 0; i < code.size(); ++i) litlen[order[i]] = code[i];
        Bytes dist(30, 0);
        auto dcode = random_code(30);
        for (std::size_t i = 0; i < dcode.size(); ++i) dist[i] = dcode[i];
        BitWriter w;
        dynamic_header(w, true, litlen, dist);
        const auto codes = sluice::test::canonical_codes(litlen);
        w.put_code(codes[256], litlen[256]);
        const Decoded d = inflate_whole(w.finish());
        CAPTURE(round);
        REQUIRE(d.error == InflateError::none);
        CHECK(d.status == InflateStatus::done);
    }
}

TEST_CASE("RFC 1951 §3.2.3: every split of the input and of the output gives the same bytes") {
    // A stream with all three block types: dynamic (zlib's text), stored, fixed.
    const Bytes text = text_of(1500);
    auto compressed = sluice::test::python_deflate(text, 15, 6);
    REQUIRE(compressed.has_value());
    Bytes stream = *compressed;
    stream.insert(stream.end(), {0x00, 0x05, 0x00, 0xfa, 0xff, 'H', 'e', 'l', 'l', 'o'});
    stream.insert(stream.end(), {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff});
    Bytes expected = text;
    for (int i = 0; i < 2; ++i) expected.insert(expected.end(), {'H', 'e', 'l', 'l', 'o'});
    REQUIRE(inflate_whole(stream).out == expected);
    // Every split point of the input, fed as two pieces.
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        Inflater inf;
        Bytes out(expected.size() + 16);
        const Bytes a(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(cut));
        const Bytes b(stream.begin() + static_cast<std::ptrdiff_t>(cut), stream.end());
        const auto r1 = inf.inflate(a, out);
        const auto r2 = inf.inflate(b, std::span<std::uint8_t>(out).subspan(r1.produced));
        CAPTURE(cut);
        REQUIRE(r1.consumed == a.size());
        REQUIRE(r2.status == InflateStatus::need_input);
        REQUIRE(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(r1.produced + r2.produced)) == expected);
    }
    // Every output size from 1 to 300 bytes, and a byte-at-a-time input.
    for (std::size_t step = 1; step <= 300; ++step) {
        CAPTURE(step);
        REQUIRE(inflate_chunked(stream, 0, step).out == expected);
    }
    CHECK(inflate_chunked(stream, 1, 0).out == expected);
    CHECK(inflate_chunked(stream, 1, 1).out == expected);
    CHECK(inflate_chunked(stream, 7, 13).out == expected);
}

TEST_CASE("RFC 7692 §8.1 (RFC 6455 §10.4): the output limit stops a decompression bomb") {
    const Bytes zeros(1 << 20, 0);
    const auto bomb = sluice::test::python_deflate(zeros, 15, 9);
    REQUIRE(bomb.has_value());
    CHECK(bomb->size() < 2048);
    Inflater inf;
    Bytes out(65536 + 64, 0xAA);
    const auto r = inf.inflate(*bomb, std::span<std::uint8_t>(out).first(65536));
    CHECK(r.status == InflateStatus::output_full);
    CHECK(r.produced == 65536);
    // Nothing written past the limit.
    CHECK(std::all_of(out.begin() + 65536, out.end(), [](std::uint8_t b) { return b == 0xAA; }));
    // An exact fit is not "full": the stream ends as the output does.
    const Bytes five = with_trailer({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    Inflater exact;
    Bytes out5(5);
    const auto r5 = exact.inflate(five, out5);
    CHECK(r5.status == InflateStatus::need_input);
    CHECK(r5.consumed == five.size());
    CHECK(exact.at_block_boundary());
}

TEST_CASE("RFC 1951 interop: zlib's output at every window size and level inflates") {
    const auto samples = sluice::test::sample_inputs();
    std::vector<Bytes> inputs;
    for (const auto& sample : samples) inputs.push_back(sample.second);
    std::vector<std::pair<int, int>> settings;
    // zlib refuses a raw window of 8 bits (it would use 9); our 8 accepts 512, so 9 stands in.
    for (int bits = 8; bits <= 15; ++bits) {
        for (const int level : {1, 6, 9}) settings.emplace_back(bits == 8 ? 9 : bits, level);
    }
    const auto compressed = sluice::test::python_deflate_many(inputs, settings);
    REQUIRE(compressed.has_value());
    for (std::size_t s = 0; s < settings.size(); ++s) {
        const unsigned bits = 8 + static_cast<unsigned>(s / 3);
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            CAPTURE(bits);
            CAPTURE(settings[s].second);
            CAPTURE(samples[k].first);
            const Decoded d = inflate_chunked((*compressed)[s][k], 0, 0, bits);
            CHECK(d.error == InflateError::none);
            CHECK(d.out == inputs[k]);
            CHECK(d.boundary);
        }
    }
}

TEST_CASE("Inflater memory: tables inline, the window malloc'd on first output") {
    CHECK(sizeof(Inflater) <= 9600);
    Inflater inf(10);
    CHECK(inf.window_capacity() == 0);
    Bytes out(8);
    inf.inflate(with_trailer({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), out);
    CHECK(inf.window_capacity() == 1024);
    inf.reset();  // forgets the history, keeps the memory
    CHECK(inf.window_capacity() == 1024);
    inf.release();
    CHECK(inf.window_capacity() == 0);
    CHECK(Inflater(8).window_bits() == 8);
}
