// core/inflate.hpp — DEFLATE decompression (RFC 1951), sans-I/O and incremental.
//
// Inflater turns a raw DEFLATE stream (no zlib or gzip wrapper, as RFC 7692 carries it)
// into bytes. It is fed any split of the input and any chunking of the output, one byte
// at a time included, and produces the same bytes and the same error as when fed whole:
//
//   inflate(in, out) ──► consumed, produced, status
//        need_input   every input byte was used; call again with more
//        output_full  `out` is full and more output is pending; call again with room
//                     (or stop: a message limit, RFC 7692 + RFC 6455 §10.4 -> 1009)
//        done         a block with BFINAL set ended; bytes after it are left unused
//        error        error() names the RFC 1951 rule that was broken (sticky)
//
// It never writes outside `out`: the output limit is the span the caller gives, so a
// decompression bomb stops at whatever the caller allows and the caller learns it from
// output_full. Nothing is allocated per call.
//
// Memory, all owned by the object (sizeof(Inflater) is pinned below):
//  - Huffman tables inline: literal/length 1440 entries, distance 768 (the code-length
//    code shares the distance table's storage while a header is read), 4 bytes each,
//    plus the 316 code lengths of a dynamic header: sizeof 9232 bytes.
//  - The window: 2^window_bits bytes (512 for window_bits 8, see below), malloc'd the first
//    time a call ends with output to remember, freed by release() or the destructor. It holds
//    the last bytes produced, so a distance may reach back across calls.
//
// How it is fast: lookups of the first 10 bits (literal/length) or 8 bits (distance) with
// sub-tables for longer codes; a 64-bit bit buffer refilled 8 bytes at a time while at
// least 8 input bytes remain (the fast loop decodes a whole length/distance pair on one
// refill); matches copied 8 bytes at a time when the distance and the output room allow,
// as a fill for distance 1. In the last 8 input bytes it falls back to a resumable state
// machine that consumes bits only when a whole symbol (a literal, or a length with its
// distance) is available.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>

namespace sluice::core {

enum class InflateStatus : std::uint8_t {
    need_input,   // every input byte was used; nothing more can be produced without more
    output_full,  // the output span is full and the stream has more to produce
    done,         // the final block (BFINAL = 1) ended
    error,        // error() says which rule was broken; every later call returns error
};

// One value per way a stream can break RFC 1951.
enum class InflateError : std::uint8_t {
    none = 0,
    invalid_block_type,           // §3.2.3: BTYPE 11 is reserved (error)
    stored_length_mismatch,       // §3.2.4: NLEN is not the one's complement of LEN
    too_many_length_codes,        // §3.2.7: HLIT above 286 (literal/length codes 286, 287 never occur)
    too_many_distance_codes,      // §3.2.7: HDIST above 30 (distance codes 30, 31 never occur)
    code_length_code_over_subscribed,  // §3.2.2: the code length code's lengths exceed the code space
    code_length_code_incomplete,       // §3.2.2: the code length code leaves codes unused
    repeat_without_previous,      // §3.2.7: code 16 ("copy the previous length") as the first length
    repeat_past_end,              // §3.2.7: a repeat (16, 17, 18) runs past HLIT + HDIST lengths
    invalid_code_length_symbol,   // §3.2.7: a code length code that has no symbol (unused code)
    literal_length_over_subscribed,  // §3.2.2: literal/length code lengths exceed the code space
    literal_length_incomplete,       // §3.2.2: literal/length code leaves codes unused (beyond one 1-bit code)
    distance_over_subscribed,        // §3.2.2: distance code lengths exceed the code space
    distance_incomplete,             // §3.2.7: only a single 1-bit distance code may leave one unused
    missing_end_of_block,         // §3.2.5: symbol 256 (end of block) has no code
    invalid_literal_length_code,  // §3.2.5: symbols 286, 287 or an unused code in a block
    invalid_distance_code,        // §3.2.5: distance symbols 30, 31 or an unused code
    distance_too_far,             // §3.2.5: a distance before the start of the output, or beyond the window
    table_overflow,               // cannot happen: the table sizes are proven bounds (inflate.cpp); kept
                                  // so that a wrong proof is an error, not a write out of bounds
    out_of_memory,                // the window could not be allocated
};

std::string_view inflate_error_name(InflateError e) noexcept;

struct InflateResult {
    InflateStatus status = InflateStatus::need_input;
    std::size_t consumed = 0;  // input bytes used by this call
    std::size_t produced = 0;  // bytes written at the front of `out`
    InflateError error = InflateError::none;
};

// The window_bits the Inflater accepts (RFC 7692 §7.1.2.1: 8..15).
inline constexpr unsigned kMinWindowBits = 8;
inline constexpr unsigned kMaxWindowBits = 15;

class Inflater {  // Owns its tables (inline) and its window (malloc'd, freed by release() or the destructor).
 public:
    // `window_bits` (8..15, clamped) bounds how far back a distance may reach: 2^bits bytes,
    // except that 8 is held as 9 (512 bytes), because zlib, the most common peer, cannot
    // compress with a 256-byte window and silently uses 512 (zlib manual, deflateInit2).
    explicit Inflater(unsigned window_bits = kMaxWindowBits) noexcept;

    Inflater(Inflater&&) noexcept = default;
    Inflater& operator=(Inflater&&) noexcept = default;

    // Decodes from `in` into `out` until the input is used up, the output is full, the
    // final block ends or an error is found (see the file comment). Bits of a partial
    // symbol are kept inside the object, so `consumed` counts them as used.
    InflateResult inflate(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept;

    // A new stream, remembering nothing (RFC 7692 "no context takeover"). The window's
    // memory is kept for the next message; release() gives it back (an idle connection).
    void reset() noexcept;
    void release() noexcept;
    // A new stream that may refer back into the previous one's output (the window is kept):
    // after `done`, to go on with context takeover (RFC 7692 §7.2.3.4, BFINAL in a message).
    void restart() noexcept;

    InflateError error() const noexcept { return error_; }
    // Between blocks (or after the final one): the bytes so far form whole blocks. A
    // permessage-deflate message must end here once 00 00 ff ff is appended (RFC 7692 §7.2.2).
    bool at_block_boundary() const noexcept;
    bool finished() const noexcept { return mode_ == Mode::done; }
    // Bytes of window held right now (0 until a call produced output, and after release()).
    std::size_t window_capacity() const noexcept { return window_ ? window_size_ : 0; }
    unsigned window_bits() const noexcept { return window_bits_; }

    // A table entry (see inflate.cpp for the layout) and the table sizes.
    using Entry = std::uint32_t;
    static constexpr unsigned kLitLenRootBits = 10;
    static constexpr unsigned kDistRootBits = 8;
    static constexpr std::size_t kLitLenTableSize = 1440;
    static constexpr std::size_t kDistTableSize = 768;

 private:
    enum class Mode : std::uint8_t {
        block_header,   // reading BFINAL and BTYPE
        stored_header,  // reading LEN and NLEN
        stored_copy,    // copying `stored_left_` bytes
        table_counts,   // reading HLIT, HDIST, HCLEN
        code_length_lengths,  // reading HCLEN 3-bit lengths
        code_lengths,   // reading HLIT + HDIST code lengths
        codes,          // decoding literal/length/distance symbols
        copy,           // a match or a literal waiting for output room
        done,           // after the final block
        failed,         // error_ says why
    };
    struct Free {
        void operator()(std::uint8_t* p) const noexcept { std::free(p); }
    };

    InflateStatus run(const std::uint8_t*& in, const std::uint8_t* in_end, std::uint8_t* out_begin,
                      std::uint8_t*& out, std::uint8_t* out_end) noexcept;
    InflateStatus decode_codes(const std::uint8_t*& in, const std::uint8_t* in_end, std::uint8_t* out_begin,
                               std::uint8_t*& out, std::uint8_t* out_end) noexcept;
    bool fast_loop(const std::uint8_t*& in, const std::uint8_t* in_end, std::uint8_t* out_begin,
                   std::uint8_t*& out, std::uint8_t* out_end) noexcept;
    bool copy_match(std::uint8_t* out_begin, std::uint8_t*& out, std::uint8_t* out_end) noexcept;
    InflateStatus fail(InflateError e) noexcept;
    bool build_dynamic_tables() noexcept;
    void remember(const std::uint8_t* out_begin, std::size_t produced) noexcept;

    bool fixed_ = false;          // the block uses the fixed codes (§3.2.6), not our tables
    std::uint64_t bits_ = 0;      // the bit buffer: the next bits of the stream, LSB first
    unsigned bit_count_ = 0;      // valid bits in bits_ (those above are zero)
    Mode mode_ = Mode::block_header;
    bool final_ = false;          // the block being read has BFINAL set
    InflateError error_ = InflateError::none;
    std::uint8_t window_bits_ = 15;
    // A dynamic header being read (§3.2.7).
    std::uint16_t hlit_ = 0;
    std::uint8_t hdist_ = 0;
    std::uint8_t hclen_ = 0;
    std::uint16_t lens_read_ = 0;
    // A stored block (§3.2.4), or a match waiting for output room (§3.2.5).
    std::uint32_t stored_left_ = 0;
    std::uint32_t copy_left_ = 0;
    std::uint32_t copy_distance_ = 0;
    // The window: a ring of window_size_ bytes, the last `window_have_` of the output
    // ending just before window_next_.
    std::size_t window_size_ = 0;
    std::size_t window_have_ = 0;
    std::size_t window_next_ = 0;
    std::unique_ptr<std::uint8_t[], Free> window_;
    std::array<std::uint8_t, 286 + 30> lens_{};  // code lengths of a dynamic header (§3.2.7)
    std::array<Entry, kLitLenTableSize> litlen_table_{};
    std::array<Entry, kDistTableSize> dist_table_{};
};

}  // namespace sluice::core
