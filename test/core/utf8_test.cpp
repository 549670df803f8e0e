#include "core/utf8.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using sluice::core::Utf8Status;
using sluice::core::Utf8Validator;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

// ---- a reference validator, written from RFC 3629 §3's bit patterns and code point
// ranges (not from §4's byte table, which the library uses) ----------------------------

struct Result {
    Utf8Status status;
    std::size_t accepted;  // index of the first bad byte, or the input size
    bool operator==(const Result&) const = default;
};

// Can bytes b[0..k) of a sequence of length len still be completed to a scalar value
// the encoding form allows (shortest form, not a surrogate, at most U+10FFFF)?
bool prefix_ok(const std::uint8_t* b, std::size_t k, std::size_t len) {
    static constexpr std::uint32_t kPayloadMask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    std::uint32_t cp = b[0] & kPayloadMask[len];
    for (std::size_t j = 1; j < k; ++j) {
        if ((b[j] & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (b[j] & 0x3Fu);
    }
    const std::size_t missing_bits = 6 * (len - k);
    std::uint32_t lo = cp << missing_bits;
    std::uint32_t hi = lo | ((1u << missing_bits) - 1);
    if (lo < kMin[len]) lo = kMin[len];
    if (hi > 0x10FFFF) hi = 0x10FFFF;
    if (lo > hi) return false;
    return !(lo >= 0xD800 && hi <= 0xDFFF);
}

Result reference(const Bytes& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const std::uint8_t lead = s[i];
        std::size_t len;
        if ((lead & 0x80) == 0) len = 1;
        else if ((lead & 0xE0) == 0xC0) len = 2;
        else if ((lead & 0xF0) == 0xE0) len = 3;
        else if ((lead & 0xF8) == 0xF0) len = 4;
        else return {Utf8Status::invalid, i};
        for (std::size_t k = 1; k <= len; ++k) {
            if (i + k - 1 >= s.size()) return {Utf8Status::incomplete, s.size()};
            if (!prefix_ok(&s[i], k, len)) return {Utf8Status::invalid, i + k - 1};
        }
        i += len;
    }
    return {Utf8Status::complete, s.size()};
}

// ---- the three implementations ---------------------------------------------------------

using PathFn = std::size_t (*)(std::uint32_t&, const std::uint8_t*, std::size_t) noexcept;
struct Path {
    const char* name;
    PathFn fn;
};
const Path kPaths[] = {
    {"scalar", sluice::core::detail::validate_scalar},
    {"sse2", sluice::core::detail::validate_sse2},
    {"avx2", sluice::core::detail::validate_avx2},
};

Result run(PathFn fn, const Bytes& s) {
    std::uint32_t state = 0;
    const std::size_t accepted = fn(state, s.data(), s.size());
    return {sluice::core::detail::status_of(state), accepted};
}

// Feeds s in pieces cut at `cuts` (ascending), carrying the state, and returns the
// overall result: the accepted count is the stream offset of the first bad byte.
Result run_split(PathFn fn, const Bytes& s, const std::vector<std::size_t>& cuts) {
    std::uint32_t state = 0;
    std::size_t start = 0, total = 0;
    std::vector<std::size_t> ends = cuts;
    ends.push_back(s.size());
    for (std::size_t end : ends) {
        const std::size_t accepted = fn(state, s.data() + start, end - start);
        total += accepted;
        if (sluice::core::detail::status_of(state) == Utf8Status::invalid) return {Utf8Status::invalid, total};
        start = end;
    }
    return {sluice::core::detail::status_of(state), total};
}

std::string describe(const Bytes& s) {
    std::ostringstream out;
    out << std::hex;
    for (std::uint8_t b : s) out << static_cast<unsigned>(b) << ' ';
    return out.str();
}

// Counts disagreements between each path and the reference, remembering the first, so
// that millions of inputs cost one assertion each.
struct Tally {
    std::size_t checked = 0;
    std::size_t mismatches = 0;
    std::string first;
    void check(const Bytes& s) {
        const Result expected = reference(s);
        for (const Path& path : kPaths) {
            ++checked;
            const Result got = run(path.fn, s);
            if (!(got == expected)) {
                if (mismatches++ == 0) first = std::string(path.name) + ": " + describe(s);
            }
        }
    }
};

// An ASCII run long enough for every fast path's widest step (AVX2: 4 x 32 bytes).
const Bytes kAsciiRun = bytes_of(std::string(130, 'a'));

Bytes wrapped(const Bytes& core, std::size_t prefix = 130) {
    Bytes s(kAsciiRun.begin(), kAsciiRun.begin() + static_cast<std::ptrdiff_t>(prefix));
    s.insert(s.end(), core.begin(), core.end());
    s.insert(s.end(), kAsciiRun.begin(), kAsciiRun.begin() + 40);
    return s;
}

// Markus Kuhn's "UTF-8 decoder capability and stress test" cases, section by section,
// with what RFC 3629 makes of each and where the first bad byte is.
struct KuhnCase {
    const char* section;
    std::string_view bytes;
    Utf8Status status;
    std::size_t bad;  // index of the first bad byte (invalid only)
};
constexpr std::size_t kNone = static_cast<std::size_t>(-1);
using std::string_view_literals::operator""sv;
const KuhnCase kKuhn[] = {
    {"1 kosme", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"sv, Utf8Status::complete, kNone},
    {"2.1.1 U+0000", "\x00"sv, Utf8Status::complete, kNone},
    {"2.1.2 U+0080", "\xc2\x80"sv, Utf8Status::complete, kNone},
    {"2.1.3 U+0800", "\xe0\xa0\x80"sv, Utf8Status::complete, kNone},
    {"2.1.4 U+10000", "\xf0\x90\x80\x80"sv, Utf8Status::complete, kNone},
    {"2.1.5 5-byte U+200000", "\xf8\x88\x80\x80\x80"sv, Utf8Status::invalid, 0},
    {"2.1.6 6-byte U+4000000", "\xfc\x84\x80\x80\x80\x80"sv, Utf8Status::invalid, 0},
    {"2.2.1 U+007F", "\x7f"sv, Utf8Status::complete, kNone},
    {"2.2.2 U+07FF", "\xdf\xbf"sv, Utf8Status::complete, kNone},
    {"2.2.3 U+FFFF", "\xef\xbf\xbf"sv, Utf8Status::complete, kNone},
    {"2.2.4 U+1FFFFF", "\xf7\xbf\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"2.2.5 U+3FFFFFF", "\xfb\xbf\xbf\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"2.2.6 U+7FFFFFFF", "\xfd\xbf\xbf\xbf\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"2.3.1 U+D7FF", "\xed\x9f\xbf"sv, Utf8Status::complete, kNone},
    {"2.3.2 U+E000", "\xee\x80\x80"sv, Utf8Status::complete, kNone},
    {"2.3.3 U+FFFD", "\xef\xbf\xbd"sv, Utf8Status::complete, kNone},
    {"2.3.4 U+10FFFF", "\xf4\x8f\xbf\xbf"sv, Utf8Status::complete, kNone},
    {"2.3.5 U+110000", "\xf4\x90\x80\x80"sv, Utf8Status::invalid, 1},
    {"3.1.1 first continuation byte", "\x80"sv, Utf8Status::invalid, 0},
    {"3.1.2 last continuation byte", "\xbf"sv, Utf8Status::invalid, 0},
    {"3.1.3 2 continuation bytes", "\x80\xbf"sv, Utf8Status::invalid, 0},
    {"3.1.4 3 continuation bytes", "\x80\xbf\x80"sv, Utf8Status::invalid, 0},
    {"3.1.5 4 continuation bytes", "\x80\xbf\x80\xbf"sv, Utf8Status::invalid, 0},
    {"3.1.8 7 continuation bytes", "\x80\xbf\x80\xbf\x80\xbf\x80"sv, Utf8Status::invalid, 0},
    {"3.2.1 lonely C0", "\xc0 "sv, Utf8Status::invalid, 0},
    {"3.2.1 lonely C1", "\xc1 "sv, Utf8Status::invalid, 0},
    {"3.2.1 lonely C2", "\xc2 "sv, Utf8Status::invalid, 1},
    {"3.2.1 lonely DF", "\xdf "sv, Utf8Status::invalid, 1},
    {"3.2.2 lonely E0", "\xe0 "sv, Utf8Status::invalid, 1},
    {"3.2.2 lonely EF", "\xef "sv, Utf8Status::invalid, 1},
    {"3.2.3 lonely F0", "\xf0 "sv, Utf8Status::invalid, 1},
    {"3.2.3 lonely F4", "\xf4 "sv, Utf8Status::invalid, 1},
    {"3.2.3 lonely F5", "\xf5 "sv, Utf8Status::invalid, 0},
    {"3.2.3 lonely F7", "\xf7 "sv, Utf8Status::invalid, 0},
    {"3.2.4 lonely F8", "\xf8 "sv, Utf8Status::invalid, 0},
    {"3.2.4 lonely FB", "\xfb "sv, Utf8Status::invalid, 0},
    {"3.2.5 lonely FC", "\xfc "sv, Utf8Status::invalid, 0},
    {"3.2.5 lonely FD", "\xfd "sv, Utf8Status::invalid, 0},
    {"3.3.1 U+0000 missing last byte", "\xc0"sv, Utf8Status::invalid, 0},
    {"3.3.2 U+0000 3-byte missing last", "\xe0\x80"sv, Utf8Status::invalid, 1},
    {"3.3.3 U+0000 4-byte missing last", "\xf0\x80\x80"sv, Utf8Status::invalid, 1},
    {"3.3.4 5-byte missing last", "\xf8\x80\x80\x80"sv, Utf8Status::invalid, 0},
    {"3.3.5 6-byte missing last", "\xfc\x80\x80\x80\x80"sv, Utf8Status::invalid, 0},
    {"3.3.6 U+07FF missing last byte", "\xdf"sv, Utf8Status::incomplete, kNone},
    {"3.3.7 U+FFFF missing last byte", "\xef\xbf"sv, Utf8Status::incomplete, kNone},
    {"3.3.8 U+1FFFFF missing last byte", "\xf7\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"3.3.9 5-byte max missing last", "\xfb\xbf\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"3.3.10 6-byte max missing last", "\xfd\xbf\xbf\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"3.3 U+10FFFF missing last byte", "\xf4\x8f\xbf"sv, Utf8Status::incomplete, kNone},
    {"3.4 concatenated incomplete (valid leads)", "\xdf\xef\xbf"sv, Utf8Status::invalid, 1},
    {"3.4 concatenation of 3.3", "\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf\xef\xbf\xf7\xbf\xbf"sv,
     Utf8Status::invalid, 0},
    {"3.5.1 FE", "\xfe"sv, Utf8Status::invalid, 0},
    {"3.5.2 FF", "\xff"sv, Utf8Status::invalid, 0},
    {"3.5.3 FE FE FF FF", "\xfe\xfe\xff\xff"sv, Utf8Status::invalid, 0},
    {"4.1.1 overlong '/' 2 bytes", "\xc0\xaf"sv, Utf8Status::invalid, 0},
    {"4.1.2 overlong '/' 3 bytes", "\xe0\x80\xaf"sv, Utf8Status::invalid, 1},
    {"4.1.3 overlong '/' 4 bytes", "\xf0\x80\x80\xaf"sv, Utf8Status::invalid, 1},
    {"4.1.4 overlong '/' 5 bytes", "\xf8\x80\x80\x80\xaf"sv, Utf8Status::invalid, 0},
    {"4.1.5 overlong '/' 6 bytes", "\xfc\x80\x80\x80\x80\xaf"sv, Utf8Status::invalid, 0},
    {"4.2.1 max overlong U+007F", "\xc1\xbf"sv, Utf8Status::invalid, 0},
    {"4.2.2 max overlong U+07FF", "\xe0\x9f\xbf"sv, Utf8Status::invalid, 1},
    {"4.2.3 max overlong U+FFFF", "\xf0\x8f\xbf\xbf"sv, Utf8Status::invalid, 1},
    {"4.2.4 max overlong U+1FFFFF", "\xf8\x87\xbf\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"4.2.5 max overlong U+3FFFFFF", "\xfc\x83\xbf\xbf\xbf\xbf"sv, Utf8Status::invalid, 0},
    {"4.3.1 overlong NUL 2 bytes", "\xc0\x80"sv, Utf8Status::invalid, 0},
    {"4.3.2 overlong NUL 3 bytes", "\xe0\x80\x80"sv, Utf8Status::invalid, 1},
    {"4.3.3 overlong NUL 4 bytes", "\xf0\x80\x80\x80"sv, Utf8Status::invalid, 1},
    {"4.3.4 overlong NUL 5 bytes", "\xf8\x80\x80\x80\x80"sv, Utf8Status::invalid, 0},
    {"4.3.5 overlong NUL 6 bytes", "\xfc\x80\x80\x80\x80\x80"sv, Utf8Status::invalid, 0},
    {"5.1.1 U+D800", "\xed\xa0\x80"sv, Utf8Status::invalid, 1},
    {"5.1.2 U+DB7F", "\xed\xad\xbf"sv, Utf8Status::invalid, 1},
    {"5.1.3 U+DB80", "\xed\xae\x80"sv, Utf8Status::invalid, 1},
    {"5.1.4 U+DBFF", "\xed\xaf\xbf"sv, Utf8Status::invalid, 1},
    {"5.1.5 U+DC00", "\xed\xb0\x80"sv, Utf8Status::invalid, 1},
    {"5.1.6 U+DF80", "\xed\xbe\x80"sv, Utf8Status::invalid, 1},
    {"5.1.7 U+DFFF", "\xed\xbf\xbf"sv, Utf8Status::invalid, 1},
    {"5.2.1 U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80"sv, Utf8Status::invalid, 1},
    {"5.2.2 U+D800 U+DFFF", "\xed\xa0\x80\xed\xbf\xbf"sv, Utf8Status::invalid, 1},
    {"5.2.3 U+DB7F U+DC00", "\xed\xad\xbf\xed\xb0\x80"sv, Utf8Status::invalid, 1},
    {"5.2.4 U+DB7F U+DFFF", "\xed\xad\xbf\xed\xbf\xbf"sv, Utf8Status::invalid, 1},
    {"5.2.5 U+DB80 U+DC00", "\xed\xae\x80\xed\xb0\x80"sv, Utf8Status::invalid, 1},
    {"5.2.6 U+DB80 U+DFFF", "\xed\xae\x80\xed\xbf\xbf"sv, Utf8Status::invalid, 1},
    {"5.2.7 U+DBFF U+DC00", "\xed\xaf\xbf\xed\xb0\x80"sv, Utf8Status::invalid, 1},
    {"5.2.8 U+DBFF U+DFFF", "\xed\xaf\xbf\xed\xbf\xbf"sv, Utf8Status::invalid, 1},
    {"5.3.1 U+FFFE (noncharacter: allowed)", "\xef\xbf\xbe"sv, Utf8Status::complete, kNone},
    {"5.3.2 U+FFFF (noncharacter: allowed)", "\xef\xbf\xbf"sv, Utf8Status::complete, kNone},
    {"5.3.3 U+FDD0 (noncharacter: allowed)", "\xef\xb7\x90"sv, Utf8Status::complete, kNone},
};

std::size_t expected_accepted(const KuhnCase& c) { return c.status == Utf8Status::invalid ? c.bad : c.bytes.size(); }

}  // namespace

TEST_SUITE("core") {

TEST_CASE("RFC 3629 4: the three paths exist on this machine") {
    // On x86-64 the SSE2 path always runs for real, and the AVX2 path whenever the CPU
    // has AVX2 (the development machine does), not a fallback.
#if defined(__x86_64__)
    CHECK(sluice::core::detail::has_sse2());
    CHECK(sluice::core::detail::has_avx2() == (__builtin_cpu_supports("avx2") != 0));
#endif
    CHECK(sizeof(Utf8Validator) == 4);
    Utf8Validator zero;
    CHECK(zero.status() == Utf8Status::complete);
}

TEST_CASE("RFC 3629 4: every 1-byte and 2-byte sequence matches the reference decoder") {
    Tally t;
    for (unsigned a = 0; a < 256; ++a) {
        t.check({static_cast<std::uint8_t>(a)});
        for (unsigned b = 0; b < 256; ++b) t.check({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)});
    }
    CHECK(t.checked == 3 * (256 + 65536));
    CHECK_MESSAGE(t.mismatches == 0, t.first);
}

TEST_CASE("RFC 3629 4: every 3-byte sequence led by E0..EF matches the reference decoder") {
    Tally t;
    for (unsigned a = 0xE0; a <= 0xEF; ++a) {
        for (unsigned b = 0; b < 256; ++b) {
            for (unsigned c = 0; c < 256; ++c) {
                t.check({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(c)});
            }
        }
    }
    CHECK_MESSAGE(t.mismatches == 0, t.first);
}

TEST_CASE("RFC 3629 4: every 4-byte sequence led by F0..F7, F8, FF (continuations and their neighbours)") {
    // Bytes 2..4 range over all continuation bytes 80..BF and the bytes just outside.
    std::vector<std::uint8_t> tails = {0x00, 0x7F, 0xC0, 0xFF};
    for (unsigned v = 0x80; v <= 0xBF; ++v) tails.push_back(static_cast<std::uint8_t>(v));
    Tally t;
    for (unsigned a : {0xF0u, 0xF1u, 0xF2u, 0xF3u, 0xF4u, 0xF5u, 0xF7u, 0xF8u, 0xFFu}) {
        for (std::uint8_t b : tails) {
            for (std::uint8_t c : tails) {
                for (std::uint8_t d : tails) t.check({static_cast<std::uint8_t>(a), b, c, d});
            }
        }
    }
    CHECK_MESSAGE(t.mismatches == 0, t.first);
}

TEST_CASE("RFC 3629 4: every 2- and 3-byte sequence between long ASCII runs (the SIMD paths' hand-offs)") {
    Tally t;
    for (unsigned a = 0x80; a < 256; ++a) {
        for (unsigned b = 0; b < 256; ++b) {
            t.check(wrapped({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)}));
            if (a >= 0xE0 && a <= 0xF4) {
                for (unsigned c : {0x00u, 0x41u, 0x7Fu, 0x80u, 0x9Fu, 0xA0u, 0xBFu, 0xC0u, 0xFFu}) {
                    t.check(wrapped({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(c)}));
                    t.check(wrapped({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(c), 0x80}));
                }
            }
        }
    }
    CHECK_MESSAGE(t.mismatches == 0, t.first);
}

TEST_CASE("RFC 3629 4: sequences straddling a 32-byte block boundary (the AVX2 block check)") {
    // Leads 80..FF with boundary values for the next three bytes, placed so that the
    // sequence crosses offset 128 at each of its inner positions, in dense company too.
    const std::uint8_t edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xE0, 0xF0, 0xFF};
    Tally t;
    for (unsigned a = 0x80; a < 256; ++a) {
        for (std::uint8_t b : edges) {
            for (std::uint8_t c : edges) {
                for (std::uint8_t d : edges) {
                    const Bytes seq = {static_cast<std::uint8_t>(a), b, c, d};
                    for (std::size_t prefix : {125u, 126u, 127u, 128u}) t.check(wrapped(seq, prefix));
                }
            }
        }
    }
    // Valid 2-, 3- and 4-byte characters back to back, shifted across every alignment.
    const Bytes dense = bytes_of("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe6\x97\xa5\xc2\x80\xf4\x8f\xbf\xbf");
    for (std::size_t shift = 0; shift < 64; ++shift) {
        Bytes s(shift, 'a');
        while (s.size() < 300) s.insert(s.end(), dense.begin(), dense.end());
        t.check(s);
        for (std::size_t at = shift; at < s.size(); at += 7) {  // and one corruption
            Bytes bad = s;
            bad[at] ^= 0x40;
            t.check(bad);
        }
    }
    CHECK_MESSAGE(t.mismatches == 0, t.first);
}

TEST_CASE("RFC 3629 / Kuhn's UTF-8 decoder stress test: every case, every path") {
    for (const KuhnCase& c : kKuhn) {
        CAPTURE(c.section);
        const Bytes s = bytes_of(c.bytes);
        const Result expected{c.status, expected_accepted(c)};
        REQUIRE(reference(s) == expected);  // the reference agrees with the published verdicts
        for (const Path& path : kPaths) {
            CAPTURE(path.name);
            CHECK(run(path.fn, s) == expected);
        }
    }
}

TEST_CASE("RFC 3629 3.1.9 (Kuhn): all 64 continuation bytes in a row are rejected at the first") {
    Bytes s;
    for (unsigned b = 0x80; b <= 0xBF; ++b) s.push_back(static_cast<std::uint8_t>(b));
    for (const Path& path : kPaths) CHECK(run(path.fn, s) == Result{Utf8Status::invalid, 0});
    const Bytes w = wrapped(s);
    for (const Path& path : kPaths) CHECK(run(path.fn, w) == Result{Utf8Status::invalid, kAsciiRun.size()});
}

TEST_CASE("RFC 6455 5.6: every split point and byte by byte give the whole-input result") {
    std::vector<Bytes> inputs;
    for (const KuhnCase& c : kKuhn) inputs.push_back(wrapped(bytes_of(c.bytes)));
    inputs.push_back(bytes_of("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln, \xe2\x82\xac 5 \xf0\x9f\x98\x80 done"));
    inputs.push_back(bytes_of("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99\xf4\x8f\xbf\xbf\xef\xbf\xbd"));
    for (const Bytes& s : inputs) {
        const Result whole = reference(s);
        for (const Path& path : kPaths) {
            CAPTURE(path.name);
            CAPTURE(describe(s));
            REQUIRE(run(path.fn, s) == whole);
            std::size_t mismatches = 0;
            for (std::size_t split = 0; split <= s.size(); ++split) {
                if (!(run_split(path.fn, s, {split}) == whole)) ++mismatches;
            }
            for (std::size_t a = 0; a <= s.size(); a += 7) {
                for (std::size_t b = a; b <= s.size(); b += 5) {
                    if (!(run_split(path.fn, s, {a, b}) == whole)) ++mismatches;
                }
            }
            std::vector<std::size_t> every;
            for (std::size_t k = 1; k < s.size(); ++k) every.push_back(k);
            if (!(run_split(path.fn, s, every) == whole)) ++mismatches;
            CHECK(mismatches == 0);
        }
    }
}

TEST_CASE("RFC 3629 4: a non-ASCII byte at every offset of a long ASCII text is found exactly") {
    for (const Path& path : kPaths) {
        CAPTURE(path.name);
        std::size_t mismatches = 0;
        for (std::size_t at = 0; at < 300; ++at) {
            Bytes s(300, 'x');
            s[at] = 0xFF;  // invalid: accepted must be exactly `at`
            if (!(run(path.fn, s) == Result{Utf8Status::invalid, at})) ++mismatches;
            s[at] = 0xC3;  // valid 2-byte character if there is room
            if (at + 1 < s.size()) {
                s[at + 1] = 0xA9;
                if (!(run(path.fn, s) == Result{Utf8Status::complete, 300})) ++mismatches;
            } else if (!(run(path.fn, s) == Result{Utf8Status::incomplete, 300})) {
                ++mismatches;
            }
        }
        CHECK(mismatches == 0);
    }
}

TEST_CASE("RFC 3629 4: random texts mixing ASCII runs, valid characters and corruptions") {
    std::mt19937 rng(20261128);
    const Bytes pieces[] = {
        bytes_of("\xc3\xa9"), bytes_of("\xe2\x82\xac"), bytes_of("\xf0\x9f\x98\x80"), bytes_of("\xed\x9f\xbf"),
        bytes_of("\xf4\x8f\xbf\xbf"), bytes_of("\xe0\xa0\x80"), bytes_of("\xc2\x80"), bytes_of("\xef\xbf\xbf"),
    };
    Tally t;
    std::size_t invalid_inputs = 0;
    for (int round = 0; round < 3000; ++round) {
        Bytes s;
        const std::size_t parts = rng() % 40;
        for (std::size_t k = 0; k < parts; ++k) {
            if (rng() % 2 == 0) {
                s.insert(s.end(), rng() % 150, static_cast<std::uint8_t>('a' + rng() % 26));
            } else {
                const Bytes& p = pieces[rng() % std::size(pieces)];
                s.insert(s.end(), p.begin(), p.end());
            }
        }
        if (!s.empty() && rng() % 3 == 0) s[rng() % s.size()] = static_cast<std::uint8_t>(rng() & 0xFF);
        if (!s.empty() && rng() % 5 == 0) s.pop_back();
        if (reference(s).status == Utf8Status::invalid) ++invalid_inputs;
        t.check(s);
    }
    CHECK(invalid_inputs > 100);  // the corruptions do produce invalid inputs
    CHECK_MESSAGE(t.mismatches == 0, t.first);
}

TEST_CASE("RFC 3629 4: random dense non-ASCII texts (CJK-like) with corruptions") {
    std::mt19937 rng(6455);
    const Bytes pieces[] = {
        bytes_of("\xe6\x97\xa5"), bytes_of("\xed\x95\x9c"), bytes_of("\xc3\xa9"), bytes_of("\xf0\x9f\x98\x80"),
        bytes_of("\xef\xbf\xbd"), bytes_of("\xe0\xa0\x80"), bytes_of("\xf4\x8f\xbf\xbf"), bytes_of(" "),
    };
    Tally t;
    std::size_t invalid_inputs = 0;
    for (int round = 0; round < 3000; ++round) {
        Bytes s;
        const std::size_t parts = rng() % 120;
        for (std::size_t k = 0; k < parts; ++k) {
            const Bytes& p = pieces[rng() % std::size(pieces)];
            s.insert(s.end(), p.begin(), p.end());
        }
        if (!s.empty() && rng() % 2 == 0) s[rng() % s.size()] = static_cast<std::uint8_t>(rng() & 0xFF);
        if (!s.empty() && rng() % 5 == 0) s.pop_back();
        if (reference(s).status == Utf8Status::invalid) ++invalid_inputs;
        t.check(s);
    }
    CHECK(invalid_inputs > 500);
    CHECK_MESSAGE(t.mismatches == 0, t.first);
}

TEST_CASE("RFC 6455 8.1: Utf8Validator across frames; invalid is sticky; reset starts over") {
    Utf8Validator v;
    CHECK(v.feed(bytes_of("caf\xc3")) == Utf8Status::incomplete);  // message continues
    CHECK(v.status() == Utf8Status::incomplete);
    CHECK(v.feed(bytes_of("\xa9 ok")) == Utf8Status::complete);
    CHECK(v.feed(std::string_view("\xf0\x9f")) == Utf8Status::incomplete);
    CHECK(v.feed(std::string_view("\x98")) == Utf8Status::incomplete);
    CHECK(v.feed(std::string_view("\x80")) == Utf8Status::complete);
    CHECK(v.feed(std::string_view("\xed")) == Utf8Status::incomplete);
    CHECK(v.feed(std::string_view("\xa0")) == Utf8Status::invalid);  // a surrogate, split across frames
    CHECK(v.feed(bytes_of("plain ascii")) == Utf8Status::invalid);
    CHECK(v.feed_prefix(bytes_of("more")) == 0);
    v.reset();
    CHECK(v.status() == Utf8Status::complete);
    CHECK(v.feed(bytes_of("fresh")) == Utf8Status::complete);
}

TEST_CASE("RFC 6455 5.6: feed_prefix stops at the first bad byte (fail fast)") {
    Utf8Validator v;
    const Bytes s = bytes_of(std::string(100, 'a') + "\xc3\xa9" + "\xc0\xaf" + std::string(100, 'b'));
    CHECK(v.feed_prefix(s) == 102);
    CHECK(v.status() == Utf8Status::invalid);
}

TEST_CASE("RFC 6455 8.1: is_valid_utf8 needs a complete final character") {
    CHECK(sluice::core::is_valid_utf8(std::string_view("")));
    CHECK(sluice::core::is_valid_utf8(std::string_view("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!")));
    CHECK_FALSE(sluice::core::is_valid_utf8(std::string_view("truncated \xe2\x82")));
    CHECK_FALSE(sluice::core::is_valid_utf8(bytes_of("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")));
    CHECK(sluice::core::is_valid_utf8(bytes_of("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")));
}

}  // TEST_SUITE
