// core/deflate.hpp — DEFLATE compression (RFC 1951), for permessage-deflate (RFC 7692).
//
// Deflater compresses a stream given in pieces (a WebSocket message, or part of one) into
// raw DEFLATE blocks: LZ77 over a sliding window with hash chains, then each block coded
// with whichever of stored, fixed Huffman or dynamic Huffman (§3.2.4-§3.2.7) is smallest,
// computed exactly before it is written.
//
//   deflate(in, out, flush) ──► produced   (all of `in` is taken every call)
//     flush::none  the tail may stay inside the object (its symbols not yet written)
//     flush::sync  everything so far goes out in whole blocks, then an empty stored block:
//                  the output ends byte-aligned with 00 00 ff ff (RFC 7692 §7.2.1)
//
// Output room: `out` must hold max_output(in.size()) bytes to be sure (a little over the
// input: stored blocks are the worst case, about 1% + 28 bytes). The Deflater never writes
// past `out`; if it is too small the call fails with output_too_small and the stream is
// broken (reset() it).
//
// Levels (the two a WebSocket server wants):
//   fast    greedy matching, 4 hash-chain steps, matches inserted only up to 4 bytes long
//           (compare with zlib level 1)
//   normal  lazy matching (a match is kept only if the next position has no longer one),
//           up to 128 chain steps, 32 once a match of 8 is found; stop at 128 (zlib level 6)
//
// Memory (memory_bytes() says how much, pinned in test/core/deflate_test.cpp): one block
// malloc'd at the first deflate() and kept until destruction, for window size W = 2^bits:
//   window 2 x max(W, 1024) bytes, hash-chain links 2W bytes, hash heads 2 x 2^hash_bits
//   (hash_bits = max(bits, 10)), the symbol buffer of one block 4 x 2^clamp(bits - 2, 11, 13)
//   bytes; e.g. 224 KiB at 15 bits, 12 KiB at 8 bits, the same for both levels. The object
//   itself (frequencies, state) is about 1.3 KB. reset() (no context takeover) costs O(1):
//   positions before the reset point are ignored rather than cleared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

namespace sluice::core {

enum class DeflateLevel : std::uint8_t { fast, normal };
enum class DeflateFlush : std::uint8_t { none, sync };

enum class DeflateStatus : std::uint8_t {
    ok,
    output_too_small,  // `out` was smaller than needed; the stream is broken until reset()
    out_of_memory,     // the buffers could not be allocated
};

struct DeflateResult {
    DeflateStatus status = DeflateStatus::ok;
    std::size_t produced = 0;  // bytes written at the front of `out`
};

class Deflater {  // Owns one malloc'd block (window, chains, symbols): see memory_bytes().
 public:
    // `window_bits` 8..15 (clamped): distances stay within 2^bits (RFC 7692 §7.1.2).
    explicit Deflater(DeflateLevel level = DeflateLevel::normal, unsigned window_bits = 15) noexcept;
    Deflater(Deflater&&) noexcept = default;
    Deflater& operator=(Deflater&&) noexcept = default;

    DeflateResult deflate(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, DeflateFlush flush) noexcept;

    // Output room that always suffices for the next call with `in_size` input bytes
    // (counting what earlier flush::none calls left inside).
    std::size_t max_output(std::size_t in_size) const noexcept;

    // Forget the history: later output never refers to earlier input (RFC 7692 "no
    // context takeover"). Also clears a broken stream. Keeps the memory.
    void reset() noexcept;
    // reset(), and the memory given back (malloc'd again by the next deflate()).
    void release() noexcept;

    // The heap block a Deflater of these settings holds once used (sizeof(Deflater) aside).
    static std::size_t memory_bytes(unsigned window_bits) noexcept;

    DeflateLevel level() const noexcept { return level_; }
    unsigned window_bits() const noexcept { return window_bits_; }

 private:
    struct Free {
        void operator()(std::uint8_t* p) const noexcept { std::free(p); }
    };
    struct BitOut;

    bool allocate() noexcept;
    void slide() noexcept;
    void compress_fast(bool flushing) noexcept;
    void compress_lazy(bool flushing) noexcept;
    unsigned longest_match(std::uint32_t start, unsigned prev_length, unsigned& distance) const noexcept;
    std::uint32_t insert(std::uint32_t pos) noexcept;
    void record_literal(std::uint8_t byte) noexcept;
    void record_match(unsigned length, unsigned distance) noexcept;
    bool emit_block(BitOut& w) noexcept;

    DeflateLevel level_;
    std::uint8_t window_bits_;
    std::uint8_t hash_bits_;
    bool broken_ = false;
    // Sizes (see the file comment).
    std::uint32_t wsize_;      // 2^window_bits: the farthest a distance may reach
    std::uint32_t half_;       // max(wsize_, 1024): the window buffer holds 2 x half_
    std::uint32_t sym_cap_;    // symbols per block
    // The window: bytes [0, window_end_) are input; strstart_ is the next to code.
    std::uint32_t window_end_ = 0;
    std::uint32_t strstart_ = 0;
    std::uint32_t block_start_ = 0;   // first byte the pending symbols cover
    std::uint32_t stream_start_ = 0;  // no match reaches before this (reset())
    // Lazy matching carried across positions (and calls).
    std::uint32_t prev_length_ = 0;
    std::uint32_t prev_distance_ = 0;
    bool pending_literal_ = false;  // the byte before strstart_ awaits its verdict
    // The block being collected.
    std::uint32_t sym_count_ = 0;
    std::uint32_t litlen_freq_[286]{};
    std::uint32_t dist_freq_[30]{};
    // Bits not yet written (fewer than 8 between calls).
    std::uint64_t bits_ = 0;
    unsigned bit_count_ = 0;
    std::unique_ptr<std::uint8_t[], Free> memory_;
    std::uint8_t* window_ = nullptr;
    std::uint16_t* prev_ = nullptr;
    std::uint16_t* head_ = nullptr;
    std::uint32_t* syms_ = nullptr;  // literal: the byte; match: length - 3 | distance << 8 | 1 << 31
};

}  // namespace sluice::core
