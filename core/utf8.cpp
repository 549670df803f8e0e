#include "core/utf8.hpp"
#include "core/byte_order.hpp"
#include "core/cpu.hpp"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SLUICE_UTF8_X86 1
#endif

namespace sluice::core {
namespace {

// DFA states, each numbered by its bit offset inside a row (6 bits per state).
constexpr std::uint64_t kAccept = 0;   // between characters
constexpr std::uint64_t kNeed1 = 6;    // one more 80..BF
constexpr std::uint64_t kNeed2 = 12;   // two more 80..BF
constexpr std::uint64_t kNeed3 = 18;   // three more 80..BF
constexpr std::uint64_t kAfterE0 = 24; // A0..BF, then one more (no overlong 3-byte form)
constexpr std::uint64_t kAfterED = 30; // 80..9F, then one more (no surrogates)
constexpr std::uint64_t kAfterF0 = 36; // 90..BF, then two more (no overlong 4-byte form)
constexpr std::uint64_t kAfterF4 = 42; // 80..8F, then two more (nothing above U+10FFFF)
constexpr std::uint64_t kReject = 48;  // sticky

consteval bool in(unsigned b, unsigned lo, unsigned hi) noexcept { return b >= lo && b <= hi; }

// RFC 3629 §4, one row of the table at a time.
consteval std::uint64_t next_state(std::uint64_t state, unsigned b) noexcept {
    switch (state) {
        case kAccept:
            if (b <= 0x7F) return kAccept;
            if (in(b, 0xC2, 0xDF)) return kNeed1;
            if (b == 0xE0) return kAfterE0;
            if (b == 0xED) return kAfterED;
            if (in(b, 0xE1, 0xEF)) return kNeed2;
            if (b == 0xF0) return kAfterF0;
            if (in(b, 0xF1, 0xF3)) return kNeed3;
            if (b == 0xF4) return kAfterF4;
            return kReject;  // 80..BF (stray continuation), C0, C1, F5..FF
        case kNeed1: return in(b, 0x80, 0xBF) ? kAccept : kReject;
        case kNeed2: return in(b, 0x80, 0xBF) ? kNeed1 : kReject;
        case kNeed3: return in(b, 0x80, 0xBF) ? kNeed2 : kReject;
        case kAfterE0: return in(b, 0xA0, 0xBF) ? kNeed1 : kReject;
        case kAfterED: return in(b, 0x80, 0x9F) ? kNeed1 : kReject;
        case kAfterF0: return in(b, 0x90, 0xBF) ? kNeed2 : kReject;
        case kAfterF4: return in(b, 0x80, 0x8F) ? kNeed2 : kReject;
        default: return kReject;
    }
}

// kRows[b] holds next_state(s, b) at bit offset s, for every state s.
consteval std::array<std::uint64_t, 256> make_rows() noexcept {
    std::array<std::uint64_t, 256> rows{};
    for (unsigned b = 0; b < 256; ++b) {
        for (std::uint64_t s = kAccept; s <= kReject; s += 6) rows[b] |= next_state(s, b) << s;
    }
    return rows;
}
constexpr std::array<std::uint64_t, 256> kRows = make_rows();

// One DFA step. Bits above the low 6 of `s` are junk from the previous row; `& 63` drops
// them (and costs nothing on x86, whose shifts mask the count anyway).
[[gnu::always_inline]] inline std::uint64_t step(std::uint64_t s, std::uint8_t b) noexcept {
    return kRows[b] >> (s & 63);
}

// Runs the DFA over p[i, end) and returns end; or, on a bad byte, returns its index and
// leaves state = kReject. The block is run without a per-byte test, then re-run byte by
// byte only if it failed.
[[gnu::always_inline]] inline std::size_t dfa_span(std::uint64_t& state, const std::uint8_t* p, std::size_t i,
                                                   std::size_t end) noexcept {
    std::uint64_t s = state;
    for (std::size_t k = i; k < end; ++k) s = step(s, p[k]);
    s &= 63;
    if (s != kReject) {
        state = s;
        return end;
    }
    s = state;
    for (;; ++i) {
        const std::uint64_t t = step(s, p[i]) & 63;
        if (t == kReject) break;
        s = t;
    }
    state = kReject;
    return i;
}

inline bool is_continuation(std::uint8_t b) noexcept { return (b & 0xC0) == 0x80; }

// dfa_span over two halves at once: the second half starts at the first character
// boundary after the middle, in state kAccept, so the two dependency chains overlap and
// the span costs about half as long. Valid text always ends the first half in kAccept
// (a non-continuation byte follows it); anything else is invalid and re-run in one
// chain to find the exact byte.
inline std::size_t dfa_span2(std::uint64_t& state, const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    if (end - i < 32) return dfa_span(state, p, i, end);
    std::size_t m = i + (end - i) / 2;
    m += static_cast<std::size_t>(is_continuation(p[m]));
    m += static_cast<std::size_t>(is_continuation(p[m]));
    m += static_cast<std::size_t>(is_continuation(p[m]));
    if (is_continuation(p[m])) return dfa_span(state, p, i, end);  // 4 in a row: invalid
    std::uint64_t a = state, b = kAccept;
    const std::size_t len_a = m - i, len_b = end - m;
    const std::size_t both = len_a < len_b ? len_a : len_b;
    for (std::size_t k = 0; k < both; ++k) {
        a = step(a, p[i + k]);
        b = step(b, p[m + k]);
    }
    for (std::size_t k = both; k < len_a; ++k) a = step(a, p[i + k]);
    for (std::size_t k = both; k < len_b; ++k) b = step(b, p[m + k]);
    if ((a & 63) == kAccept && (b & 63) != kReject) {
        state = b & 63;
        return end;
    }
    return dfa_span(state, p, i, end);
}

// After a run of ASCII ends, this many bytes go through the DFA before the next look for
// ASCII (a look costs a little; text with accents has a non-ASCII byte every few words).
constexpr std::size_t kDfaBlock = 64;

// Index of the first byte with its top bit set within a word whose high-bit mask is m != 0.
inline std::size_t first_high_byte(std::uint64_t m) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        return static_cast<std::size_t>(std::countr_zero(m)) / 8;
    } else {
        return static_cast<std::size_t>(std::countl_zero(m)) / 8;
    }
}

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

// Skips ASCII from i, 8 bytes at a time; returns the index of the first non-ASCII byte
// or of the tail shorter than a word.
inline std::size_t skip_ascii_words(const std::uint8_t* p, std::size_t i, std::size_t n) noexcept {
    // One word first: in text with accents it usually ends the run at once. Only after a
    // clean word does the 32-byte stride start.
    while (i + 8 <= n) {
        const std::uint64_t m = load_host64(p + i) & kHighBits;
        if (m != 0) return i + first_high_byte(m);
        i += 8;
        while (i + 32 <= n &&
               ((load_host64(p + i) | load_host64(p + i + 8) | load_host64(p + i + 16) | load_host64(p + i + 24)) & kHighBits) == 0) {
            i += 32;
        }
    }
    return i;
}

}  // namespace

namespace detail {

Utf8Status status_of(std::uint32_t state) noexcept {
    if (state == kAccept) return Utf8Status::complete;
    if (state == kReject) return Utf8Status::invalid;
    return Utf8Status::incomplete;
}

std::size_t validate_scalar(std::uint32_t& state, const std::uint8_t* p, std::size_t n) noexcept {
    std::uint64_t s = state;
    if (s == kReject) return 0;
    std::size_t i = 0;
    while (i < n) {
        if (s == kAccept) i = skip_ascii_words(p, i, n);
        const std::size_t end = n - i < kDfaBlock ? n : i + kDfaBlock;
        i = dfa_span2(s, p, i, end);
        if (s == kReject) break;
    }
    state = static_cast<std::uint32_t>(s);
    return i;
}

#if defined(SLUICE_UTF8_X86) && defined(__SSE2__)
bool has_sse2() noexcept { return true; }

std::size_t validate_sse2(std::uint32_t& state, const std::uint8_t* p, std::size_t n) noexcept {
    std::uint64_t s = state;
    if (s == kReject) return 0;
    std::size_t i = 0;
    while (i < n) {
        if (s == kAccept) {
            // ASCII: one 16-byte test first (in accented text it usually fails at once),
            // then 64 bytes per test while that stays clean. movemask gathers the top bits.
            while (i + 16 <= n) {
                const int m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
                if (m != 0) {
                    i += static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(m)));
                    break;
                }
                i += 16;
                while (i + 64 <= n) {
                    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
                    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
                    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 32));
                    const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 48));
                    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) != 0) break;
                    i += 64;
                }
            }
        }
        const std::size_t end = n - i < kDfaBlock ? n : i + kDfaBlock;
        i = dfa_span2(s, p, i, end);
        if (s == kReject) break;
    }
    state = static_cast<std::uint32_t>(s);
    return i;
}
#else
bool has_sse2() noexcept { return false; }

std::size_t validate_sse2(std::uint32_t& state, const std::uint8_t* p, std::size_t n) noexcept {
    return validate_scalar(state, p, n);
}
#endif

#if defined(SLUICE_UTF8_X86)
bool has_avx2() noexcept { return cpu_has_avx2(); }

namespace {

// ---- AVX2: whole-block validation by nibble lookups ------------------------------------
//
// Every rule of RFC 3629 §4 that involves two adjacent bytes is a product of three sets:
// (high nibble of the previous byte) x (its low nibble) x (high nibble of this byte).
// One bit per rule; three 16-entry tables (vpshufb) give each byte's bits, and a pair is
// bad when the three lookups share a bit. The one rule that spans more than two bytes
// (a 3rd or 4th byte must be a continuation) is checked by comparing "two continuations
// in a row" with "two or three bytes after an E0..FF / F0..FF lead". 32 bytes per step,
// no branch per byte. A failing block is re-run through the DFA to find the exact byte.
// The method is the one published by Keiser and Lemire, "Validating UTF-8 In Less Than
// One Instruction Per Byte" (2021); the tables below are derived here from RFC 3629 §4.
constexpr std::uint8_t kTooShort = 1 << 0;   // a lead not followed by a continuation
constexpr std::uint8_t kTooLong = 1 << 1;    // a continuation after ASCII
constexpr std::uint8_t kOverlong3 = 1 << 2;  // E0 80..9F
constexpr std::uint8_t kSurrogate = 1 << 3;  // ED A0..BF
constexpr std::uint8_t kOverlong2 = 1 << 4;  // C0 or C1, then a continuation
constexpr std::uint8_t kTooLarge = 1 << 5;   // F4..FF, then 90..BF
constexpr std::uint8_t kF0Or5 = 1 << 6;      // F0 80..8F (overlong), F5..FF 80..8F (too large)
constexpr std::uint8_t kTwoConts = 1 << 7;   // a continuation after a continuation
constexpr std::uint8_t kAnyLow = kTooShort | kTooLong | kTwoConts;

constexpr std::uint8_t kPrevHigh[16] = {
    kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong,  // 0..7: ASCII
    kTwoConts, kTwoConts, kTwoConts, kTwoConts,                                      // 8..B: continuation
    kTooShort | kOverlong2,                                                          // C
    kTooShort,                                                                       // D
    kTooShort | kOverlong3 | kSurrogate,                                             // E
    kTooShort | kTooLarge | kF0Or5,                                                  // F
};
constexpr std::uint8_t kPrevLow[16] = {
    kAnyLow | kOverlong2 | kOverlong3 | kF0Or5,   // x0: C0, E0, F0
    kAnyLow | kOverlong2,                         // x1: C1
    kAnyLow, kAnyLow,                             // x2, x3
    kAnyLow | kTooLarge,                          // x4: F4
    kAnyLow | kTooLarge | kF0Or5, kAnyLow | kTooLarge | kF0Or5, kAnyLow | kTooLarge | kF0Or5,
    kAnyLow | kTooLarge | kF0Or5, kAnyLow | kTooLarge | kF0Or5, kAnyLow | kTooLarge | kF0Or5,
    kAnyLow | kTooLarge | kF0Or5, kAnyLow | kTooLarge | kF0Or5,  // x5..xC: F5..FC
    kAnyLow | kTooLarge | kF0Or5 | kSurrogate,    // xD: ED, FD
    kAnyLow | kTooLarge | kF0Or5, kAnyLow | kTooLarge | kF0Or5,  // xE, xF
};
constexpr std::uint8_t kCurHigh[16] = {
    kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,  // 0..7
    kTooLong | kTwoConts | kOverlong2 | kOverlong3 | kF0Or5,                                 // 80..8F
    kTooLong | kTwoConts | kOverlong2 | kOverlong3 | kTooLarge,                              // 90..9F
    kTooLong | kTwoConts | kOverlong2 | kSurrogate | kTooLarge,                              // A0..AF
    kTooLong | kTwoConts | kOverlong2 | kSurrogate | kTooLarge,                              // B0..BF
    kTooShort, kTooShort, kTooShort, kTooShort,                                              // C..F
};
// A block "ends inside a character" if byte 31 is a lead, byte 30 a 3- or 4-byte lead, or
// byte 29 a 4-byte lead: a saturating subtract of these limits is non-zero then.
constexpr std::uint8_t kEndLimits[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0xDF, 0xBF,
};

__attribute__((target("avx2"))) inline __m256i load32(const std::uint8_t* p) noexcept {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

__attribute__((target("avx2"))) inline __m256i table16(const std::uint8_t* t) noexcept {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
}

// The block shifted N bytes later, the last N bytes of `prev` shifted in.
template <int N>
__attribute__((target("avx2"))) inline __m256i earlier(__m256i input, __m256i prev) noexcept {
    return _mm256_alignr_epi8(input, _mm256_permute2x128_si256(prev, input, 0x21), 16 - N);
}

struct Avx2Tables {
    __m256i prev_high, prev_low, cur_high, end_limits;
};

// Non-zero bytes where `input` (following `prev`) breaks RFC 3629 §4.
__attribute__((target("avx2"))) inline __m256i block_errors(__m256i input, __m256i prev, const Avx2Tables& t) noexcept {
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i prev1 = earlier<1>(input, prev);
    const __m256i by_prev_high = _mm256_shuffle_epi8(t.prev_high, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble));
    const __m256i by_prev_low = _mm256_shuffle_epi8(t.prev_low, _mm256_and_si256(prev1, nibble));
    const __m256i by_cur_high = _mm256_shuffle_epi8(t.cur_high, _mm256_and_si256(_mm256_srli_epi16(input, 4), nibble));
    const __m256i pair = _mm256_and_si256(_mm256_and_si256(by_prev_high, by_prev_low), by_cur_high);
    // Top bit set two bytes after E0..FF or three bytes after F0..FF: must be a continuation.
    const __m256i third = _mm256_subs_epu8(earlier<2>(input, prev), _mm256_set1_epi8(0xE0 - 0x80));
    const __m256i fourth = _mm256_subs_epu8(earlier<3>(input, prev), _mm256_set1_epi8(0xF0 - 0x80));
    const __m256i must_continue = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(static_cast<char>(0x80)));
    return _mm256_xor_si256(must_continue, pair);  // kTwoConts must match must_continue
}

__attribute__((target("avx2"))) inline bool is_ascii128(const std::uint8_t* p) noexcept {
    const __m256i x = _mm256_or_si256(_mm256_or_si256(load32(p), load32(p + 32)), _mm256_or_si256(load32(p + 64), load32(p + 96)));
    return _mm256_movemask_epi8(x) == 0;
}

// Compiled for AVX2 whatever the build's -march; only called when has_avx2().
__attribute__((target("avx2"))) std::size_t validate_avx2_impl(std::uint32_t& state, const std::uint8_t* p,
                                                               std::size_t n) noexcept {
    std::uint64_t s = state;
    if (s == kReject) return 0;
    std::size_t i = 0;
    // A character begun in an earlier feed: finish it with the DFA (at most 3 bytes).
    while (s != kAccept && i < n) {
        const std::uint64_t next = step(s, p[i]) & 63;
        if (next == kReject) {
            state = static_cast<std::uint32_t>(kReject);
            return i;
        }
        s = next;
        ++i;
    }
    std::size_t good = i;  // the DFA state is kAccept at `good`, and all before it is valid
    if (n - i >= 32) {
        const Avx2Tables t{table16(kPrevHigh), table16(kPrevLow), table16(kCurHigh),
                           _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kEndLimits))};
        const std::size_t simd_start = i;
        __m256i prev = _mm256_setzero_si256();  // "ASCII before": no continuation expected
        __m256i prev_unfinished = _mm256_setzero_si256();
        bool failed = false;
        while (i + 32 <= n) {
            const __m256i input = load32(p + i);
            if (_mm256_movemask_epi8(input) == 0) {
                // ASCII: only a character left unfinished by the block before can be wrong.
                if (!_mm256_testz_si256(prev_unfinished, prev_unfinished)) {
                    failed = true;
                    break;
                }
                i += 32;
                while (i + 128 <= n && is_ascii128(p + i)) i += 128;
                prev = _mm256_setzero_si256();
                prev_unfinished = _mm256_setzero_si256();
                continue;
            }
            const __m256i errors = block_errors(input, prev, t);
            if (!_mm256_testz_si256(errors, errors)) {
                failed = true;
                break;
            }
            prev_unfinished = _mm256_subs_epu8(input, t.end_limits);
            prev = input;
            i += 32;
        }
        // Every block before i passed, so the last non-continuation byte among the 4 before
        // i starts a character (no sequence can span it), with only valid bytes before it.
        good = simd_start;
        for (std::size_t c = i; c > simd_start && c + 4 > i;) {
            --c;
            if ((p[c] & 0xC0) != 0x80) {
                good = c;
                break;
            }
        }
        if (failed) {
            // Find the exact first bad byte with the DFA, from that boundary.
            s = kAccept;
            good = dfa_span(s, p, good, i + 32);
            if (s == kReject) {
                state = static_cast<std::uint32_t>(kReject);
                return good;
            }
        }
    }
    i = dfa_span(s, p, good, n);
    state = static_cast<std::uint32_t>(s);
    return i;
}

}  // namespace

std::size_t validate_avx2(std::uint32_t& state, const std::uint8_t* p, std::size_t n) noexcept {
    if (!has_avx2()) return validate_sse2(state, p, n);
    return validate_avx2_impl(state, p, n);
}
#else
bool has_avx2() noexcept { return false; }

std::size_t validate_avx2(std::uint32_t& state, const std::uint8_t* p, std::size_t n) noexcept {
    return validate_sse2(state, p, n);
}
#endif

}  // namespace detail

// ---- Utf8Validator ---------------------------------------------------------------------

std::size_t Utf8Validator::feed_prefix(std::span<const std::uint8_t> bytes) noexcept {
    if (detail::has_avx2()) return detail::validate_avx2(state_, bytes.data(), bytes.size());
    return detail::validate_sse2(state_, bytes.data(), bytes.size());
}

Utf8Status Utf8Validator::feed(std::span<const std::uint8_t> bytes) noexcept {
    feed_prefix(bytes);
    return status();
}

Utf8Status Utf8Validator::feed(std::string_view text) noexcept {
    return feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Utf8Status Utf8Validator::status() const noexcept { return detail::status_of(state_); }

bool is_valid_utf8(std::span<const std::uint8_t> bytes) noexcept {
    Utf8Validator v;
    return v.feed(bytes) == Utf8Status::complete;
}

bool is_valid_utf8(std::string_view text) noexcept {
    Utf8Validator v;
    return v.feed(text) == Utf8Status::complete;
}

}  // namespace sluice::core
