#include "core/deflate.hpp"

#include <array>
#include <bit>
#include <cstring>

#include "core/deflate_format.hpp"
#include "core/huffman_lengths.hpp"
#include "core/byte_order.hpp"

namespace sluice::core {

namespace {

namespace fmt = deflate_format;

// Input is coded only while a longest match plus the next hash still fit in what has
// arrived (unless flushing): 258 + 3 + 1.
constexpr std::uint32_t kMinLookahead = fmt::kMaxMatch + fmt::kMinMatch + 1;
// A 3-byte match farther than this costs more bits than three literals, usually.
constexpr unsigned kTooFar = 4096;

struct LevelParams {
    unsigned max_chain;    // hash-chain steps per search
    unsigned good_length;  // a previous match this long: search a quarter of the chain
    unsigned lazy;         // normal: search again only below this; fast: insert matches up to this
    unsigned nice_length;  // stop searching at a match this long
};
constexpr LevelParams kFast{4, 4, 4, 8};
constexpr LevelParams kNormal{128, 8, 16, 128};

// §3.2.5: length 3..258 -> length code 0..28 (symbol 257 + code).
constexpr std::array<std::uint8_t, 256> make_length_codes() noexcept {
    std::array<std::uint8_t, 256> t{};
    for (unsigned code = 0; code < 28; ++code) {
        for (unsigned k = 0; k < (1u << fmt::kLengthExtra[code]); ++k) {
            const unsigned len = fmt::kLengthBase[code] + k;
            if (len <= 257) t[len - 3] = static_cast<std::uint8_t>(code);
        }
    }
    t[258 - 3] = 28;
    return t;
}
constexpr auto kLengthCode = make_length_codes();

// §3.2.5: distance 1..32768 -> code 0..29: d - 1 below 256 directly, else by (d - 1) >> 7.
struct DistCodes {
    std::array<std::uint8_t, 256> low{};
    std::array<std::uint8_t, 256> high{};
};
constexpr DistCodes make_dist_codes() noexcept {
    DistCodes t;
    for (unsigned code = 0; code < 30; ++code) {
        for (unsigned k = 0; k < (1u << fmt::kDistExtra[code]); ++k) {
            const unsigned d = fmt::kDistBase[code] + k - 1;
            if (d < 256) t.low[d] = static_cast<std::uint8_t>(code);
            else t.high[d >> 7] = static_cast<std::uint8_t>(code);
        }
    }
    return t;
}
constexpr DistCodes kDistCode = make_dist_codes();
inline unsigned dist_code(unsigned distance) noexcept {
    const unsigned d = distance - 1;
    return d < 256 ? kDistCode.low[d] : kDistCode.high[d >> 7];
}

// §3.2.6: the fixed codes, reversed for LSB-first output.
struct FixedCodes {
    std::array<std::uint16_t, 288> litlen{};
    std::array<std::uint8_t, 288> litlen_len{};
    std::array<std::uint16_t, 30> dist{};
};
constexpr FixedCodes make_fixed_codes() noexcept {
    FixedCodes f;
    std::array<unsigned, 16> next{};
    next[7] = 0;              // 256..279
    next[8] = 0b00110000;     // 0..143, then 280..287 from 11000000
    next[9] = 0b110010000;    // 144..255
    for (unsigned s = 0; s < 288; ++s) {
        const unsigned len = fmt::fixed_litlen_length(s);
        unsigned code = 0;
        if (s >= 280) code = 0b11000000 + (s - 280);
        else code = next[len]++;
        f.litlen[s] = static_cast<std::uint16_t>(fmt::reverse_bits(code, len));
        f.litlen_len[s] = static_cast<std::uint8_t>(len);
    }
    for (unsigned s = 0; s < 30; ++s) f.dist[s] = static_cast<std::uint16_t>(fmt::reverse_bits(s, 5));
    return f;
}
constexpr FixedCodes kFixedCodes = make_fixed_codes();

constexpr std::uint32_t kMatchFlag = 1u << 31;

// How many bytes (up to max_len) scan and match have in common; both have max_len bytes.
// Compares 8 bytes at a time: the first differing bit tells the first differing byte.
inline unsigned common_length(const std::uint8_t* scan, const std::uint8_t* match, unsigned max_len) noexcept {
    unsigned len = 0;
    while (len + 8 <= max_len) {
        const std::uint64_t x = load_host64(scan + len) ^ load_host64(match + len);
        if (x != 0) {
            if constexpr (std::endian::native == std::endian::little)
                return len + (static_cast<unsigned>(std::countr_zero(x)) >> 3);
            else
                return len + (static_cast<unsigned>(std::countl_zero(x)) >> 3);
        }
        len += 8;
    }
    while (len < max_len && scan[len] == match[len]) ++len;
    return len;
}

constexpr unsigned clamp_bits(unsigned bits) noexcept { return bits < 8 ? 8 : (bits > 15 ? 15 : bits); }
constexpr std::uint32_t half_of(unsigned bits) noexcept {
    // Twice the window (at least 1024) below 15 bits, so a slide always keeps a whole
    // window behind the next byte; at 15 bits positions must fit 16 bits, so the window
    // buffer is 64 KiB and distances stop kMinLookahead short of 32768 (as zlib's do).
    return bits == 15 ? 32768u : (2u << bits < 1024u ? 1024u : 2u << bits);
}
constexpr unsigned hash_bits_of(unsigned bits) noexcept { return bits < 10 ? 10 : bits; }
constexpr std::uint32_t sym_cap_of(unsigned bits) noexcept {
    const unsigned b = bits < 13 ? 11 : (bits > 15 ? 13 : bits - 2);
    return std::uint32_t{1} << b;
}

}  // namespace

// Bits out, LSB first (§3.1.1), into a bounded span: whole bytes are stored 8 at a time
// when there is room, one at a time near the end; nothing is written past `end`.
struct Deflater::BitOut {
    std::uint8_t* out;
    std::uint8_t* end;
    std::uint64_t bits;
    unsigned count;
    bool overflow = false;

    // value < 2^n, n <= 32; count stays below 32 between calls.
    void put(std::uint32_t value, unsigned n) noexcept {
        bits |= std::uint64_t{value} << count;
        count += n;
        if (count >= 32) flush_bytes();
    }
    void flush_bytes() noexcept {
        if (end - out >= 8) {
            std::uint64_t v = bits;
            if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
            std::memcpy(out, &v, 8);
            const unsigned n = count >> 3;
            out += n;
            bits = n == 8 ? 0 : bits >> (8 * n);
            count &= 7;
            return;
        }
        while (count >= 8) {
            if (out == end) {
                overflow = true;
                count = 0;
                bits = 0;
                return;
            }
            *out++ = static_cast<std::uint8_t>(bits);
            bits >>= 8;
            count -= 8;
        }
    }
    // Pads to a byte boundary and writes every whole byte.
    void align() noexcept {
        count = (count + 7) & ~7u;
        flush_bytes();
    }
    void copy(const std::uint8_t* p, std::size_t n) noexcept {
        if (static_cast<std::size_t>(end - out) < n) {
            overflow = true;
            return;
        }
        if (n > 0) std::memcpy(out, p, n);
        out += n;
    }
};

Deflater::Deflater(DeflateLevel level, unsigned window_bits) noexcept
    : level_(level),
      window_bits_(static_cast<std::uint8_t>(clamp_bits(window_bits))),
      hash_bits_(static_cast<std::uint8_t>(hash_bits_of(clamp_bits(window_bits)))),
      wsize_(std::uint32_t{1} << clamp_bits(window_bits)),
      half_(half_of(clamp_bits(window_bits))),
      sym_cap_(sym_cap_of(clamp_bits(window_bits))) {}

std::size_t Deflater::memory_bytes(unsigned window_bits) noexcept {
    const unsigned bits = clamp_bits(window_bits);
    return std::size_t{2} * half_of(bits) + std::size_t{2} * (std::size_t{1} << bits) +
           std::size_t{2} * (std::size_t{1} << hash_bits_of(bits)) + std::size_t{4} * sym_cap_of(bits);
}

bool Deflater::allocate() noexcept {
    // Zeroed: hash heads start empty (position 0 means "none"), and the window bytes are
    // defined even where a word-wise compare reads past the data it uses.
    memory_.reset(static_cast<std::uint8_t*>(std::calloc(memory_bytes(window_bits_), 1)));
    if (!memory_) return false;
    std::uint8_t* p = memory_.get();
    window_ = p;
    p += std::size_t{2} * half_;
    prev_ = reinterpret_cast<std::uint16_t*>(p);
    p += std::size_t{2} * wsize_;
    head_ = reinterpret_cast<std::uint16_t*>(p);
    p += std::size_t{2} << hash_bits_;
    syms_ = reinterpret_cast<std::uint32_t*>(p);
    return true;
}

std::size_t Deflater::max_output(std::size_t in_size) const noexcept {
    // Every block costs at most its stored form (the cheapest form is chosen): the raw
    // bytes plus 5 bytes per block and per 65535-byte piece. Blocks end when the symbol
    // buffer fills (>= 2048 bytes), before each slide (every >= 1024 bytes) and at a flush.
    const std::size_t raw = (window_end_ - block_start_) + in_size;
    return raw + 5 * (raw / 512 + 4) + 8;
}

void Deflater::reset() noexcept {
    // Positions are kept: earlier ones are ignored from now on, so nothing is cleared.
    strstart_ = window_end_;
    block_start_ = window_end_;
    stream_start_ = window_end_;
    prev_length_ = 0;
    prev_distance_ = 0;
    pending_literal_ = false;
    sym_count_ = 0;
    std::memset(litlen_freq_, 0, sizeof litlen_freq_);
    std::memset(dist_freq_, 0, sizeof dist_freq_);
    bits_ = 0;
    bit_count_ = 0;
    broken_ = false;
}

void Deflater::release() noexcept {
    memory_.reset();
    window_ = nullptr;
    prev_ = nullptr;
    head_ = nullptr;
    syms_ = nullptr;
    window_end_ = 0;  // positions start again at 0 over freshly zeroed hash heads
    reset();
}

DeflateResult Deflater::deflate(std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                                DeflateFlush flush) noexcept {
    if (broken_) return {DeflateStatus::output_too_small, 0};
    if (!memory_ && !allocate()) return {DeflateStatus::out_of_memory, 0};
    BitOut w{out.data(), out.data() + out.size(), bits_, bit_count_};
    const std::uint8_t* ip = in.data();
    std::size_t left = in.size();
    const bool syncing = flush == DeflateFlush::sync;
    for (;;) {
        if (left > 0 && window_end_ == 2 * half_ && window_end_ - strstart_ < kMinLookahead) {
            // Full, and coded up to the last kMinLookahead bytes: make room. The block's
            // bytes must survive the slide (a stored block copies them).
            if (block_start_ < half_ && sym_count_ > 0 && !emit_block(w)) break;
            slide();
        }
        const std::size_t room = 2 * half_ - window_end_;
        const std::size_t n = left < room ? left : room;
        if (n > 0) std::memcpy(window_ + window_end_, ip, n);
        window_end_ += static_cast<std::uint32_t>(n);
        ip += n;
        left -= n;
        const bool flushing = syncing && left == 0;
        if (level_ == DeflateLevel::fast) compress_fast(flushing);
        else compress_lazy(flushing);
        // compress_* stop with a full symbol buffer; write the block and go on.
        if (sym_count_ == sym_cap_) {
            if (!emit_block(w)) break;
            continue;
        }
        if (left == 0) break;
    }
    if (syncing && !w.overflow) {
        if (sym_count_ > 0) emit_block(w);
        // An empty stored block: byte-aligned, LEN 0000, NLEN ffff (RFC 7692 §7.2.1).
        w.put(0, 3);
        w.align();
        w.put(0, 16);
        w.put(0xFFFF, 16);
        w.flush_bytes();
    } else {
        w.flush_bytes();
    }
    bits_ = w.bits;
    bit_count_ = w.count;
    const auto produced = static_cast<std::size_t>(w.out - out.data());
    if (w.overflow) {
        broken_ = true;
        return {DeflateStatus::output_too_small, produced};
    }
    return {DeflateStatus::ok, produced};
}

void Deflater::slide() noexcept {
    std::memmove(window_, window_ + half_, window_end_ - half_);
    window_end_ -= half_;
    strstart_ -= half_;
    block_start_ -= half_;
    stream_start_ = stream_start_ > half_ ? stream_start_ - half_ : 0;
    const auto rebase = [h = half_](std::uint16_t& p) { p = static_cast<std::uint16_t>(p >= h ? p - h : 0); };
    for (std::size_t i = 0, n = std::size_t{1} << hash_bits_; i < n; ++i) rebase(head_[i]);
    for (std::size_t i = 0; i < wsize_; ++i) rebase(prev_[i]);
}

// Links position `pos` (3 bytes available) into its hash chain; returns the previous head.
std::uint32_t Deflater::insert(std::uint32_t pos) noexcept {
    const std::uint8_t* p = window_ + pos;
    const std::uint32_t v = std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16);
    const std::uint32_t h = (v * 2654435761u) >> (32 - hash_bits_);
    const std::uint32_t old = head_[h];
    prev_[pos & (wsize_ - 1)] = static_cast<std::uint16_t>(old);
    head_[h] = static_cast<std::uint16_t>(pos);
    return old;
}

// Follows the chain from `start` for a match at strstart_ longer than `prev_length`;
// returns its length (prev_length if none is longer) and sets `distance`.
unsigned Deflater::longest_match(std::uint32_t start, unsigned prev_length, unsigned& distance) const noexcept {
    const LevelParams& p = level_ == DeflateLevel::fast ? kFast : kNormal;
    const std::uint32_t lookahead = window_end_ - strstart_;
    const unsigned max_len = lookahead < fmt::kMaxMatch ? lookahead : fmt::kMaxMatch;
    const unsigned nice = p.nice_length < max_len ? p.nice_length : max_len;
    const std::uint32_t max_dist = wsize_ < half_ - kMinLookahead ? wsize_ : half_ - kMinLookahead;
    std::uint32_t lowest = strstart_ > max_dist ? strstart_ - max_dist : 1;
    if (lowest < stream_start_) lowest = stream_start_;
    if (lowest == 0) lowest = 1;  // position 0 is "no entry"
    unsigned chain = prev_length >= p.good_length ? p.max_chain >> 2 : p.max_chain;
    unsigned best = prev_length < 2 ? 2 : prev_length;
    if (best >= max_len) return prev_length;
    const std::uint8_t* scan = window_ + strstart_;
    std::uint32_t cur = start;
    while (cur >= lowest && cur < strstart_ && chain-- > 0) {
        const std::uint8_t* match = window_ + cur;
        // Cheap rejections first: the byte that would make the match longer, then the start.
        if (match[best] == scan[best] && match[0] == scan[0] && match[1] == scan[1]) {
            const unsigned len = common_length(scan, match, max_len);
            if (len > best) {
                best = len;
                distance = strstart_ - cur;
                if (len >= nice) break;
            }
        }
        cur = prev_[cur & (wsize_ - 1)];
    }
    return best > prev_length ? best : prev_length;
}

void Deflater::record_literal(std::uint8_t byte) noexcept {
    syms_[sym_count_++] = byte;
    ++litlen_freq_[byte];
}

void Deflater::record_match(unsigned length, unsigned distance) noexcept {
    syms_[sym_count_++] = kMatchFlag | (distance << 8) | (length - fmt::kMinMatch);
    ++litlen_freq_[257 + kLengthCode[length - fmt::kMinMatch]];
    ++dist_freq_[dist_code(distance)];
}

// Greedy: take the longest match at each position, or a literal.
void Deflater::compress_fast(bool flushing) noexcept {
    const std::uint32_t min_lookahead = flushing ? 1 : kMinLookahead;
    while (window_end_ - strstart_ >= min_lookahead && sym_count_ < sym_cap_) {
        const std::uint32_t lookahead = window_end_ - strstart_;
        unsigned length = 0;
        unsigned distance = 0;
        if (lookahead >= fmt::kMinMatch) {
            const std::uint32_t head = insert(strstart_);
            if (head != 0) length = longest_match(head, 2, distance);
            if (length < fmt::kMinMatch || (length == fmt::kMinMatch && distance > kTooFar)) length = 0;
        }
        if (length == 0) {
            record_literal(window_[strstart_]);
            ++strstart_;
            continue;
        }
        record_match(length, distance);
        const std::uint32_t end = strstart_ + length;
        if (length <= kFast.lazy) {
            for (std::uint32_t pos = strstart_ + 1; pos < end && window_end_ - pos >= fmt::kMinMatch; ++pos) insert(pos);
        }
        strstart_ = end;
    }
}

// Lazy: a match found at one position is written only if the next position has none
// longer; otherwise the first byte goes out as a literal and the next match is kept.
void Deflater::compress_lazy(bool flushing) noexcept {
    const std::uint32_t min_lookahead = flushing ? 1 : kMinLookahead;
    while (window_end_ - strstart_ >= min_lookahead && sym_count_ < sym_cap_) {
        const std::uint32_t lookahead = window_end_ - strstart_;
        unsigned length = 0;
        unsigned distance = 0;
        if (lookahead >= fmt::kMinMatch) {
            const std::uint32_t head = insert(strstart_);
            if (head != 0 && prev_length_ < kNormal.lazy) {
                length = longest_match(head, prev_length_, distance);
                if (length <= prev_length_ || length < fmt::kMinMatch ||
                    (length == fmt::kMinMatch && distance > kTooFar))
                    length = 0;
            }
        }
        if (prev_length_ >= fmt::kMinMatch && length == 0) {
            // The previous position's match wins; it started at strstart_ - 1.
            record_match(prev_length_, prev_distance_);
            const std::uint32_t end = strstart_ - 1 + prev_length_;
            for (std::uint32_t pos = strstart_ + 1; pos < end && window_end_ - pos >= fmt::kMinMatch; ++pos) insert(pos);
            strstart_ = end;
            pending_literal_ = false;
            prev_length_ = 0;
            continue;
        }
        if (pending_literal_) record_literal(window_[strstart_ - 1]);
        pending_literal_ = true;
        prev_length_ = length;
        prev_distance_ = distance;
        ++strstart_;
    }
    if (flushing && pending_literal_ && window_end_ == strstart_ && sym_count_ < sym_cap_) {
        record_literal(window_[strstart_ - 1]);
        pending_literal_ = false;
        prev_length_ = 0;
    }
}

// Writes the symbols collected since block_start_ as one block, in the cheapest of the
// three forms (§3.2.4 stored, §3.2.6 fixed, §3.2.7 dynamic), counted exactly in bits.
bool Deflater::emit_block(BitOut& w) noexcept {
    const std::uint32_t block_end = strstart_ - (pending_literal_ ? 1 : 0);
    const std::uint32_t raw = block_end - block_start_;
    litlen_freq_[fmt::kEndOfBlock] = 1;

    // Dynamic codes and their header (§3.2.7).
    // (Work arrays below are written before they are read: no zero-filling.)
    std::array<std::uint8_t, 286 + 30> lens;
    std::uint8_t* ll_len = lens.data();
    std::uint8_t* d_len = lens.data() + 286;
    huffman_lengths(litlen_freq_, 286, fmt::kMaxBits, ll_len);
    huffman_lengths(dist_freq_, 30, fmt::kMaxBits, d_len);
    unsigned hlit = 286;
    while (hlit > 257 && ll_len[hlit - 1] == 0) --hlit;
    unsigned hdist = 30;
    while (hdist > 1 && d_len[hdist - 1] == 0) --hdist;
    // The lengths run-length coded: 16 repeats the previous 3..6 times, 17 and 18 repeat
    // zero 3..10 and 11..138 times. Each entry: symbol | extra value << 8.
    std::array<std::uint8_t, 286 + 30> seq;
    for (unsigned i = 0; i < hlit; ++i) seq[i] = ll_len[i];
    for (unsigned i = 0; i < hdist; ++i) seq[hlit + i] = d_len[i];
    const unsigned total = hlit + hdist;
    std::array<std::uint16_t, 286 + 30> rle;
    unsigned rle_n = 0;
    std::array<std::uint32_t, 19> cl_freq{};
    auto add = [&](unsigned symbol, unsigned extra) {
        rle[rle_n++] = static_cast<std::uint16_t>(symbol | (extra << 8));
        ++cl_freq[symbol];
    };
    for (unsigned i = 0; i < total;) {
        const std::uint8_t v = seq[i];
        unsigned run = 1;
        while (i + run < total && seq[i + run] == v) ++run;
        i += run;
        if (v == 0) {
            while (run >= 11) {
                const unsigned r = run < 138 ? run : 138;
                add(18, r - 11);
                run -= r;
            }
            if (run >= 3) {
                add(17, run - 3);
                run = 0;
            }
        } else {
            add(v, 0);
            --run;
            while (run >= 3) {
                const unsigned r = run < 6 ? run : 6;
                add(16, r - 3);
                run -= r;
            }
        }
        while (run-- > 0) add(v, 0);
    }
    std::array<std::uint8_t, 19> cl_len{};
    huffman_lengths(cl_freq.data(), 19, fmt::kMaxCodeLengthBits, cl_len.data());
    unsigned hclen = 19;
    while (hclen > 4 && cl_len[fmt::kCodeLengthOrder[hclen - 1]] == 0) --hclen;

    // Costs in bits.
    std::uint64_t extra_bits = 0;
    for (unsigned i = 0; i < 29; ++i) extra_bits += std::uint64_t{litlen_freq_[257 + i]} * fmt::kLengthExtra[i];
    for (unsigned i = 0; i < 30; ++i) extra_bits += std::uint64_t{dist_freq_[i]} * fmt::kDistExtra[i];
    std::uint64_t dynamic_bits = 3 + 14 + 3 * hclen + extra_bits;
    for (unsigned s = 0; s < 19; ++s) dynamic_bits += std::uint64_t{cl_freq[s]} * cl_len[s];
    dynamic_bits += 2 * std::uint64_t{cl_freq[16]} + 3 * std::uint64_t{cl_freq[17]} + 7 * std::uint64_t{cl_freq[18]};
    std::uint64_t fixed_bits = 3 + extra_bits;
    for (unsigned s = 0; s < 286; ++s) {
        dynamic_bits += std::uint64_t{litlen_freq_[s]} * ll_len[s];
        fixed_bits += std::uint64_t{litlen_freq_[s]} * kFixedCodes.litlen_len[s];
    }
    for (unsigned s = 0; s < 30; ++s) {
        dynamic_bits += std::uint64_t{dist_freq_[s]} * d_len[s];
        fixed_bits += std::uint64_t{dist_freq_[s]} * 5;
    }
    std::uint64_t stored_bits = 0;
    {
        unsigned at = w.count & 7;
        std::uint32_t left = raw;
        do {
            const std::uint32_t piece = left < 65535 ? left : 65535;
            at = (at + 3) & 7;
            stored_bits += 3 + ((8 - at) & 7) + 32 + 8 * std::uint64_t{piece};
            at = 0;
            left -= piece;
        } while (left > 0);
    }

    if (stored_bits <= fixed_bits && stored_bits <= dynamic_bits) {
        const std::uint8_t* p = window_ + block_start_;
        std::uint32_t left = raw;
        do {
            const std::uint32_t piece = left < 65535 ? left : 65535;
            w.put(0, 3);  // BFINAL 0, BTYPE 00
            w.align();
            w.put(piece, 16);
            w.put(~piece & 0xFFFF, 16);
            w.flush_bytes();
            w.copy(p, piece);
            p += piece;
            left -= piece;
        } while (left > 0);
    } else {
        std::array<std::uint16_t, 286> ll_code;
        std::array<std::uint16_t, 30> d_code;
        const std::uint16_t* llc;
        const std::uint8_t* lll;
        const std::uint16_t* dc;
        const std::uint8_t* dl;
        std::array<std::uint8_t, 30> fixed_dist_len;
        if (fixed_bits <= dynamic_bits) {
            w.put(1 << 1, 3);  // BFINAL 0, BTYPE 01
            llc = kFixedCodes.litlen.data();
            lll = kFixedCodes.litlen_len.data();
            dc = kFixedCodes.dist.data();
            fixed_dist_len.fill(5);
            dl = fixed_dist_len.data();
        } else {
            canonical_codes_reversed(ll_len, 286, ll_code.data());
            canonical_codes_reversed(d_len, 30, d_code.data());
            std::array<std::uint16_t, 19> cl_code;
            canonical_codes_reversed(cl_len.data(), 19, cl_code.data());
            w.put(2 << 1, 3);  // BFINAL 0, BTYPE 10
            w.put(hlit - 257, 5);
            w.put(hdist - 1, 5);
            w.put(hclen - 4, 4);
            for (unsigned i = 0; i < hclen; ++i) w.put(cl_len[fmt::kCodeLengthOrder[i]], 3);
            for (unsigned i = 0; i < rle_n; ++i) {
                const unsigned symbol = rle[i] & 0xFF;
                w.put(cl_code[symbol], cl_len[symbol]);
                if (symbol >= 16) w.put(rle[i] >> 8u, symbol == 16 ? 2 : (symbol == 17 ? 3 : 7));
            }
            llc = ll_code.data();
            lll = ll_len;
            dc = d_code.data();
            dl = d_len;
        }
        for (std::uint32_t i = 0; i < sym_count_; ++i) {
            const std::uint32_t s = syms_[i];
            if ((s & kMatchFlag) == 0) {
                w.put(llc[s], lll[s]);
                continue;
            }
            const unsigned length_index = s & 0xFF;  // length - 3
            const unsigned distance = (s >> 8) & 0xFFFF;
            const unsigned lc = kLengthCode[length_index];
            const unsigned sym = 257 + lc;
            const unsigned lextra = fmt::kLengthExtra[lc];
            w.put(llc[sym] | ((length_index + 3 - fmt::kLengthBase[lc]) << lll[sym]), lll[sym] + lextra);
            const unsigned dcode = dist_code(distance);
            const unsigned dextra = fmt::kDistExtra[dcode];
            w.put(dc[dcode] | ((distance - fmt::kDistBase[dcode]) << dl[dcode]), dl[dcode] + dextra);
        }
        w.put(llc[fmt::kEndOfBlock], lll[fmt::kEndOfBlock]);
    }
    sym_count_ = 0;
    std::memset(litlen_freq_, 0, sizeof litlen_freq_);
    std::memset(dist_freq_, 0, sizeof dist_freq_);
    block_start_ = block_end;
    return !w.overflow;
}

}  // namespace sluice::core
