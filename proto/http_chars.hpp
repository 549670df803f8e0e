// proto/http_chars.hpp — byte classes of RFC 9110/9112 and the scanners built on them.
//
// Internal to proto/ (namespace detail), but a header so the parsers inline the scanners
// and the tests can prove the SIMD paths equal the scalar one byte for byte.
//
//   token    RFC 9110 §5.6.2   "!#$%&'*+-.^_`|~" DIGIT ALPHA
//   target   RFC 3986 §2/§3    unreserved sub-delims ":" "@" "/" "?"
//                              ('%' is not in the class: the parsers check its two HEXDIG;
//                              "[" "]" are not either: the parser notes them, they are only
//                              allowed in the authority of absolute-form and authority-form)
//   value    RFC 9110 §5.5     HTAB SP VCHAR obs-text  (everything but CTLs and DEL)
//
// scan_value() picks AVX2, else SSE2, else scalar at compile time (-march decides; the
// release build uses -march=native). Every variant only reads [i, end): no over-read, no
// sentinel byte — the tests run them at the edge of a PROT_NONE page.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#if defined(__SSE2__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace sluice::proto::detail {

consteval std::array<bool, 256> make_token_table() noexcept {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (char c : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'})
        t[static_cast<unsigned char>(c)] = true;
    return t;
}

consteval std::array<bool, 256> make_target_table() noexcept {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (char c : {'-', '.', '_', '~',                                        // unreserved
                   '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=',    // sub-delims
                   ':', '@', '/', '?'})
        t[static_cast<unsigned char>(c)] = true;
    return t;
}

// The target's bytes but "?": the parser's fast path stops at the first "?" (the query's start).
consteval std::array<bool, 256> make_path_table() noexcept {
    std::array<bool, 256> t = make_target_table();
    t['?'] = false;
    return t;
}

inline constexpr std::array<bool, 256> kTokenChars = make_token_table();
inline constexpr std::array<bool, 256> kTargetChars = make_target_table();
inline constexpr std::array<bool, 256> kPathChars = make_path_table();

// RFC 9110 §5.5: field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value.
consteval std::array<bool, 256> make_value_table() noexcept {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = c != 0x7f;
    t['\t'] = true;
    return t;
}
inline constexpr std::array<bool, 256> kValueChars = make_value_table();

// RFC 3986 §3.2.2: the bytes of a reg-name, the target's bytes but ":" "@" "/" "?" ("%" is
// not in the class either: its two HEXDIG are checked by the caller).
consteval std::array<bool, 256> make_reg_name_table() noexcept {
    std::array<bool, 256> t = make_target_table();
    for (char c : {':', '@', '/', '?'}) t[static_cast<unsigned char>(c)] = false;
    return t;
}
inline constexpr std::array<bool, 256> kRegNameChars = make_reg_name_table();
constexpr bool is_reg_name_char(std::uint8_t c) noexcept { return kRegNameChars[c]; }

constexpr bool is_token(std::uint8_t c) noexcept { return kTokenChars[c]; }
constexpr bool is_target(std::uint8_t c) noexcept { return kTargetChars[c]; }
constexpr bool is_path(std::uint8_t c) noexcept { return kPathChars[c]; }
constexpr bool is_value(std::uint8_t c) noexcept { return kValueChars[c]; }
constexpr bool is_digit(std::uint8_t c) noexcept { return c >= '0' && c <= '9'; }
constexpr int hex_value(std::uint8_t c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// First index in [i, end) whose byte is not a token char, or end.
inline std::size_t scan_token(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    while (i + 4 <= end) {
        if (!is_token(p[i])) return i;
        if (!is_token(p[i + 1])) return i + 1;
        if (!is_token(p[i + 2])) return i + 2;
        if (!is_token(p[i + 3])) return i + 3;
        i += 4;
    }
    while (i < end && is_token(p[i])) ++i;
    return i;
}

// First index in [i, end) whose byte is not a target char, or end.
inline std::size_t scan_target(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    while (i + 4 <= end) {
        if (!is_target(p[i])) return i;
        if (!is_target(p[i + 1])) return i + 1;
        if (!is_target(p[i + 2])) return i + 2;
        if (!is_target(p[i + 3])) return i + 3;
        i += 4;
    }
    while (i < end && is_target(p[i])) ++i;
    return i;
}

// First index in [i, end) whose byte is not a target char or is "?", or end.
inline std::size_t scan_path(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    while (i + 4 <= end) {
        if (!is_path(p[i])) return i;
        if (!is_path(p[i + 1])) return i + 1;
        if (!is_path(p[i + 2])) return i + 2;
        if (!is_path(p[i + 3])) return i + 3;
        i += 4;
    }
    while (i < end && is_path(p[i])) ++i;
    return i;
}

// First index in [i, end) whose byte is not a reg-name char, or end.
inline std::size_t scan_reg_name(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    while (i + 4 <= end) {
        if (!is_reg_name_char(p[i])) return i;
        if (!is_reg_name_char(p[i + 1])) return i + 1;
        if (!is_reg_name_char(p[i + 2])) return i + 2;
        if (!is_reg_name_char(p[i + 3])) return i + 3;
        i += 4;
    }
    while (i < end && is_reg_name_char(p[i])) ++i;
    return i;
}

// First index in [i, end) whose byte is not a field-value byte (a CTL other than HTAB, or
// DEL), or end. The CR ending the line is such a byte, so this finds the line end too.
inline std::size_t scan_value_scalar(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    while (i < end && is_value(p[i])) ++i;
    return i;
}

#if defined(__SSE2__)
// 16 bytes at a time. Signed compares: bytes 0x80..0xff are negative, so
// "x < 0x20 and x >= 0" is exactly the C0 controls; HTAB is taken out, DEL added.
inline std::size_t scan_value_sse2(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i zero = _mm_setzero_si128();
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i del = _mm_set1_epi8(0x7f);
    while (i + 16 <= end) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        __m128i ctl = _mm_andnot_si128(_mm_cmplt_epi8(x, zero), _mm_cmplt_epi8(x, space));
        __m128i bad = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(x, tab), ctl), _mm_cmpeq_epi8(x, del));
        unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
        if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
        i += 16;
    }
    return scan_value_scalar(p, i, end);
}
#endif

#if defined(__AVX2__)
inline std::size_t scan_value_avx2(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
    const __m256i space = _mm256_set1_epi8(0x20);
    const __m256i zero = _mm256_setzero_si256();
    const __m256i tab = _mm256_set1_epi8('\t');
    const __m256i del = _mm256_set1_epi8(0x7f);
    while (i + 32 <= end) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
        __m256i ctl = _mm256_andnot_si256(_mm256_cmpgt_epi8(zero, x), _mm256_cmpgt_epi8(space, x));
        __m256i bad = _mm256_or_si256(_mm256_andnot_si256(_mm256_cmpeq_epi8(x, tab), ctl),
                                      _mm256_cmpeq_epi8(x, del));
        unsigned mask = static_cast<unsigned>(_mm256_movemask_epi8(bad));
        if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
        i += 32;
    }
    return scan_value_sse2(p, i, end);
}
#endif

// The vector loops only when a whole vector fits: their constants are not set up for the
// short values (a Host, the last line of a small head) that a byte loop finishes sooner.
inline std::size_t scan_value(const std::uint8_t* p, std::size_t i, std::size_t end) noexcept {
#if defined(__AVX2__)
    if (i + 32 <= end) return scan_value_avx2(p, i, end);
#elif defined(__SSE2__)
    if (i + 16 <= end) return scan_value_sse2(p, i, end);
#endif
    return scan_value_scalar(p, i, end);
}

}  // namespace sluice::proto::detail
