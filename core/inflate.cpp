#include "core/inflate.hpp"

#include <bit>
#include <cstring>

#include "core/deflate_format.hpp"
#include "core/byte_order.hpp"

namespace sluice::core {

namespace {

namespace fmt = deflate_format;
using Entry = Inflater::Entry;

// A table entry, 32 bits:
//   bits  0..4   code length in bits (for a link: the root bits)
//   bits  5..7   kind (below)
//   bits  8..15  extra bits to read after the code (length/distance), or a link's sub-table bits
//   bits 16..31  value: the literal, the base length/distance, or the sub-table's start
// A code longer than the root bits is found in two lookups: the root entry links to a
// sub-table indexed by the code's next bits, whose entries hold the code's whole length.
enum Kind : std::uint32_t { kLiteral = 0, kBase = 1, kEnd = 2, kLink = 3, kInvalid = 4 };

constexpr Entry make_entry(unsigned bits, Kind kind, unsigned extra, unsigned value) noexcept {
    return static_cast<Entry>(bits | (static_cast<unsigned>(kind) << 5) | (extra << 8) | (value << 16));
}
constexpr unsigned entry_bits(Entry e) noexcept { return e & 31; }
constexpr unsigned entry_kind(Entry e) noexcept { return (e >> 5) & 7; }
constexpr unsigned entry_extra(Entry e) noexcept { return (e >> 8) & 0xFF; }
constexpr unsigned entry_value(Entry e) noexcept { return e >> 16; }
constexpr std::uint64_t low_mask(unsigned n) noexcept { return (std::uint64_t{1} << n) - 1; }

// Looks the next code up: the root entry, or the sub-table entry it links to.
[[gnu::always_inline]] inline Entry lookup(const Entry* table, unsigned root_bits, std::uint64_t bits) noexcept {
    Entry e = table[bits & low_mask(root_bits)];
    if (entry_kind(e) == kLink) e = table[entry_value(e) + ((bits >> root_bits) & low_mask(entry_extra(e)))];
    return e;
}

enum class Alphabet : std::uint8_t { litlen, dist, code_length };

// What a symbol means in its alphabet (§3.2.5, §3.2.7), as an entry of `length` bits.
constexpr Entry symbol_entry(Alphabet a, unsigned symbol, unsigned length) noexcept {
    switch (a) {
        case Alphabet::litlen:
            if (symbol < 256) return make_entry(length, kLiteral, 0, symbol);
            if (symbol == fmt::kEndOfBlock) return make_entry(length, kEnd, 0, 0);
            if (symbol < fmt::kNumLitLen)
                return make_entry(length, kBase, fmt::kLengthExtra[symbol - 257], fmt::kLengthBase[symbol - 257]);
            return make_entry(length, kInvalid, 0, 0);
        case Alphabet::dist:
            if (symbol < fmt::kNumDist) return make_entry(length, kBase, fmt::kDistExtra[symbol], fmt::kDistBase[symbol]);
            return make_entry(length, kInvalid, 0, 0);
        case Alphabet::code_length: return make_entry(length, kLiteral, 0, symbol);
    }
    return make_entry(length, kInvalid, 0, 0);
}

enum class Built : std::uint8_t { ok, over_subscribed, incomplete, overflow };

// Builds the decoding table of a canonical Huffman code (§3.2.2) from its code lengths.
// Unused slots (an incomplete code) decode as kInvalid. An incomplete code is refused
// unless `allow_incomplete` and it is a single 1-bit code (§3.2.7's one-distance-code case)
// or has no code at all (the distance code of a block of literals only).
//
// Sizes. A root entry links to a sub-table of 2^(m - root) entries, m the longest code
// under it. Canonical codes are ordered by length, so the codes under successive root
// prefixes have non-decreasing lengths: a sub-table either holds codes of one length
// (then its entries are exactly its codes) or holds a change of length, of which there
// are at most 15 - root - 1 above the root. Literal/length, root 10: at most
// 1024 + 288 codes + 4 x 32 = 1440 entries. Distance, root 8: a mixed sub-table of depth d
// holds at least d + 1 codes in 2^d entries (at most 16 entries per code, d <= 7), so
// sub-tables hold at most 16 x 32 = 512 entries: 256 + 512 = 768.
constexpr Built build_table(const std::uint8_t* lengths, unsigned n, Alphabet alphabet, unsigned root,
                            Entry* table, std::size_t capacity, bool allow_incomplete) noexcept {
    std::array<unsigned, 16> count{};
    for (unsigned s = 0; s < n; ++s) ++count[lengths[s]];
    count[0] = 0;
    int left = 1;
    unsigned codes = 0;
    for (unsigned len = 1; len <= fmt::kMaxBits; ++len) {
        left = left * 2 - static_cast<int>(count[len]);
        if (left < 0) return Built::over_subscribed;
        codes += count[len];
    }
    if (left > 0 && !(allow_incomplete && (codes == 0 || (codes == 1 && count[1] == 1)))) return Built::incomplete;

    std::array<std::uint32_t, 16> next{};
    for (unsigned len = 1, code = 0; len <= fmt::kMaxBits; ++len) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    const std::size_t root_size = std::size_t{1} << root;
    const Entry invalid_root = make_entry(root, kInvalid, 0, 0);
    for (std::size_t i = 0; i < root_size; ++i) table[i] = invalid_root;

    // Pass 1: the longest code under each root prefix sizes its sub-table.
    std::array<std::uint8_t, 1024> longest{};
    std::array<std::uint32_t, 16> code_of = next;
    for (unsigned s = 0; s < n; ++s) {
        const unsigned len = lengths[s];
        if (len <= root) {
            if (len != 0) ++code_of[len];
            continue;
        }
        const std::uint32_t prefix = fmt::reverse_bits(code_of[len]++, len) & static_cast<std::uint32_t>(root_size - 1);
        if (longest[prefix] < len) longest[prefix] = static_cast<std::uint8_t>(len);
    }
    // Pass 2: fill.
    std::size_t used = root_size;
    for (unsigned s = 0; s < n; ++s) {
        const unsigned len = lengths[s];
        if (len == 0) continue;
        const std::uint32_t reversed = fmt::reverse_bits(next[len]++, len);
        const Entry e = symbol_entry(alphabet, s, len);
        if (len <= root) {
            for (std::size_t i = reversed; i < root_size; i += std::size_t{1} << len) table[i] = e;
            continue;
        }
        const std::size_t prefix = reversed & (root_size - 1);
        if (entry_kind(table[prefix]) != kLink) {
            const unsigned sub_bits = longest[prefix] - root;
            const std::size_t sub_size = std::size_t{1} << sub_bits;
            if (used + sub_size > capacity) return Built::overflow;
            const Entry invalid_sub = make_entry(root + sub_bits, kInvalid, 0, 0);
            for (std::size_t i = 0; i < sub_size; ++i) table[used + i] = invalid_sub;
            table[prefix] = make_entry(root, kLink, sub_bits, static_cast<unsigned>(used));
            used += sub_size;
        }
        const std::size_t start = entry_value(table[prefix]);
        const std::size_t sub_size = std::size_t{1} << entry_extra(table[prefix]);
        for (std::size_t i = reversed >> root; i < sub_size; i += std::size_t{1} << (len - root)) table[start + i] = e;
    }
    return Built::ok;
}

// §3.2.6: the fixed codes, built at compile time by the same function.
struct FixedTables {
    std::array<Entry, std::size_t{1} << Inflater::kLitLenRootBits> litlen{};
    std::array<Entry, std::size_t{1} << Inflater::kDistRootBits> dist{};
};
consteval FixedTables make_fixed_tables() noexcept {
    FixedTables t;
    std::array<std::uint8_t, 288> lit{};
    for (unsigned s = 0; s < 288; ++s) lit[s] = static_cast<std::uint8_t>(fmt::fixed_litlen_length(s));
    std::array<std::uint8_t, 32> dist{};
    for (auto& d : dist) d = fmt::kFixedDistLength;
    build_table(lit.data(), 288, Alphabet::litlen, Inflater::kLitLenRootBits, t.litlen.data(), t.litlen.size(), false);
    build_table(dist.data(), 32, Alphabet::dist, Inflater::kDistRootBits, t.dist.data(), t.dist.size(), false);
    return t;
}
constexpr FixedTables kFixed = make_fixed_tables();

constexpr unsigned kCodeLengthRootBits = fmt::kMaxCodeLengthBits;
static_assert((std::size_t{1} << kCodeLengthRootBits) <= Inflater::kDistTableSize);

// The fast loop runs while an 8-byte load stays inside the input and the output has room;
// a match is copied 8 bytes at a time (overshooting by up to 7) when that fits, exactly otherwise.
constexpr std::size_t kFastInput = 8;
constexpr std::size_t kCopyOvershoot = 8;

}  // namespace

Inflater::Inflater(unsigned window_bits) noexcept {
    if (window_bits < kMinWindowBits) window_bits = kMinWindowBits;
    if (window_bits > kMaxWindowBits) window_bits = kMaxWindowBits;
    window_bits_ = static_cast<std::uint8_t>(window_bits);
    window_size_ = std::size_t{1} << (window_bits < 9 ? 9 : window_bits);
}

std::string_view inflate_error_name(InflateError e) noexcept {
    switch (e) {
        case InflateError::none: return "none";
        case InflateError::invalid_block_type: return "invalid_block_type";
        case InflateError::stored_length_mismatch: return "stored_length_mismatch";
        case InflateError::too_many_length_codes: return "too_many_length_codes";
        case InflateError::too_many_distance_codes: return "too_many_distance_codes";
        case InflateError::code_length_code_over_subscribed: return "code_length_code_over_subscribed";
        case InflateError::code_length_code_incomplete: return "code_length_code_incomplete";
        case InflateError::repeat_without_previous: return "repeat_without_previous";
        case InflateError::repeat_past_end: return "repeat_past_end";
        case InflateError::invalid_code_length_symbol: return "invalid_code_length_symbol";
        case InflateError::literal_length_over_subscribed: return "literal_length_over_subscribed";
        case InflateError::literal_length_incomplete: return "literal_length_incomplete";
        case InflateError::distance_over_subscribed: return "distance_over_subscribed";
        case InflateError::distance_incomplete: return "distance_incomplete";
        case InflateError::missing_end_of_block: return "missing_end_of_block";
        case InflateError::invalid_literal_length_code: return "invalid_literal_length_code";
        case InflateError::invalid_distance_code: return "invalid_distance_code";
        case InflateError::distance_too_far: return "distance_too_far";
        case InflateError::table_overflow: return "table_overflow";
        case InflateError::out_of_memory: return "out_of_memory";
    }
    return "unknown";
}

InflateResult Inflater::inflate(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept {
    const std::uint8_t* ip = in.data();
    std::uint8_t* op = out.data();
    InflateStatus status = run(ip, ip + in.size(), out.data(), op, op + out.size());
    const auto produced = static_cast<std::size_t>(op - out.data());
    auto consumed = static_cast<std::size_t>(ip - in.data());
    if (produced > 0) remember(out.data(), produced);
    if (error_ != InflateError::none) status = InflateStatus::error;
    if (status == InflateStatus::done && bit_count_ > 0) {
        // Whole bytes still in the bit buffer lie after the final block: hand them back
        // (those read in this call; the buffer holds at most 8).
        std::size_t back = bit_count_ / 8;
        if (back > consumed) back = consumed;
        consumed -= back;
        bits_ = 0;
        bit_count_ = 0;
    }
    return {status, consumed, produced, error_};
}

void Inflater::reset() noexcept {
    restart();
    window_have_ = 0;
    window_next_ = 0;
}

void Inflater::release() noexcept {
    reset();
    window_.reset();
}

void Inflater::restart() noexcept {
    bits_ = 0;
    bit_count_ = 0;
    mode_ = Mode::block_header;
    final_ = false;
    error_ = InflateError::none;
    fixed_ = false;
    copy_left_ = 0;
    stored_left_ = 0;
}

bool Inflater::at_block_boundary() const noexcept {
    return mode_ == Mode::block_header || mode_ == Mode::done;
}

InflateStatus Inflater::fail(InflateError e) noexcept {
    error_ = e;
    mode_ = Mode::failed;
    return InflateStatus::error;
}

// Appends the bytes just produced to the window ring (the last window_size_ of them).
void Inflater::remember(const std::uint8_t* out_begin, std::size_t produced) noexcept {
    if (!window_) {
        window_.reset(static_cast<std::uint8_t*>(std::malloc(window_size_)));
        if (!window_) {
            fail(InflateError::out_of_memory);
            return;
        }
    }
    const std::uint8_t* src = out_begin;
    if (produced > window_size_) {
        src += produced - window_size_;
        produced = window_size_;
    }
    const std::size_t first = window_size_ - window_next_ < produced ? window_size_ - window_next_ : produced;
    std::memcpy(window_.get() + window_next_, src, first);
    if (produced > first) std::memcpy(window_.get(), src + first, produced - first);
    window_next_ = (window_next_ + produced) & (window_size_ - 1);
    window_have_ = window_have_ + produced > window_size_ ? window_size_ : window_have_ + produced;
}

InflateStatus Inflater::run(const std::uint8_t*& in, const std::uint8_t* in_end, std::uint8_t* out_begin,
                            std::uint8_t*& out, std::uint8_t* out_end) noexcept {
    // Moves whole input bytes into the bit buffer, up to 56..63 bits (never 64: the fast
    // loop shifts by the count).
    auto refill = [&] {
        while (bit_count_ < 56 && in != in_end) {
            bits_ |= std::uint64_t{*in++} << bit_count_;
            bit_count_ += 8;
        }
    };
    auto drop = [&](unsigned n) {
        bits_ >>= n;
        bit_count_ -= n;
    };
    for (;;) {
        switch (mode_) {
            case Mode::block_header: {
                refill();
                if (bit_count_ < 3) return InflateStatus::need_input;
                final_ = (bits_ & 1) != 0;
                const unsigned type = static_cast<unsigned>(bits_ >> 1) & 3;
                drop(3);
                if (type == 0) {
                    mode_ = Mode::stored_header;
                } else if (type == 1) {
                    fixed_ = true;
                    mode_ = Mode::codes;
                } else if (type == 2) {
                    mode_ = Mode::table_counts;
                } else {
                    return fail(InflateError::invalid_block_type);
                }
                break;
            }
            case Mode::stored_header: {
                // §3.2.4: skip to the byte boundary, then LEN and NLEN (little-endian).
                drop(bit_count_ % 8);
                refill();
                if (bit_count_ < 32) return InflateStatus::need_input;
                const auto len = static_cast<std::uint32_t>(bits_ & 0xFFFF);
                const auto nlen = static_cast<std::uint32_t>((bits_ >> 16) & 0xFFFF);
                if (nlen != (~len & 0xFFFF)) return fail(InflateError::stored_length_mismatch);
                drop(32);
                stored_left_ = len;
                mode_ = Mode::stored_copy;
                break;
            }
            case Mode::stored_copy: {
                // Bytes already pulled into the bit buffer come first (they are whole bytes here).
                while (stored_left_ > 0 && out != out_end && bit_count_ >= 8) {
                    *out++ = static_cast<std::uint8_t>(bits_);
                    drop(8);
                    --stored_left_;
                }
                std::size_t n = stored_left_;
                if (n > static_cast<std::size_t>(in_end - in)) n = static_cast<std::size_t>(in_end - in);
                if (n > static_cast<std::size_t>(out_end - out)) n = static_cast<std::size_t>(out_end - out);
                if (n > 0) {
                    std::memcpy(out, in, n);
                    out += n;
                    in += n;
                    stored_left_ -= static_cast<std::uint32_t>(n);
                }
                if (stored_left_ > 0) return out == out_end ? InflateStatus::output_full : InflateStatus::need_input;
                mode_ = final_ ? Mode::done : Mode::block_header;
                break;
            }
            case Mode::table_counts: {
                refill();
                if (bit_count_ < 14) return InflateStatus::need_input;
                hlit_ = static_cast<std::uint16_t>(257 + (bits_ & 31));
                hdist_ = static_cast<std::uint8_t>(1 + ((bits_ >> 5) & 31));
                hclen_ = static_cast<std::uint8_t>(4 + ((bits_ >> 10) & 15));
                if (hlit_ > fmt::kNumLitLen) return fail(InflateError::too_many_length_codes);
                if (hdist_ > fmt::kNumDist) return fail(InflateError::too_many_distance_codes);
                drop(14);
                for (unsigned i = 0; i < fmt::kNumCodeLength; ++i) lens_[i] = 0;
                lens_read_ = 0;
                mode_ = Mode::code_length_lengths;
                break;
            }
            case Mode::code_length_lengths: {
                while (lens_read_ < hclen_) {
                    refill();
                    if (bit_count_ < 3) return InflateStatus::need_input;
                    lens_[fmt::kCodeLengthOrder[lens_read_++]] = static_cast<std::uint8_t>(bits_ & 7);
                    drop(3);
                }
                // The code length code lives in the distance table until the lengths are read.
                const Built b = build_table(lens_.data(), fmt::kNumCodeLength, Alphabet::code_length,
                                            kCodeLengthRootBits, dist_table_.data(), dist_table_.size(), false);
                if (b == Built::over_subscribed) return fail(InflateError::code_length_code_over_subscribed);
                if (b != Built::ok) return fail(InflateError::code_length_code_incomplete);
                lens_read_ = 0;
                mode_ = Mode::code_lengths;
                break;
            }
            case Mode::code_lengths: {
                const unsigned total = hlit_ + hdist_;
                while (lens_read_ < total) {
                    refill();
                    const Entry e = dist_table_[bits_ & low_mask(kCodeLengthRootBits)];
                    const unsigned n = entry_bits(e);
                    if (n > bit_count_) return InflateStatus::need_input;
                    if (entry_kind(e) != kLiteral) return fail(InflateError::invalid_code_length_symbol);
                    const unsigned symbol = entry_value(e);
                    if (symbol < 16) {
                        lens_[lens_read_++] = static_cast<std::uint8_t>(symbol);
                        drop(n);
                        continue;
                    }
                    // §3.2.7: 16 repeats the previous length 3..6 times (2 bits), 17 repeats
                    // zero 3..10 times (3 bits), 18 repeats zero 11..138 times (7 bits).
                    const unsigned extra = symbol == 16 ? 2 : (symbol == 17 ? 3 : 7);
                    if (n + extra > bit_count_) return InflateStatus::need_input;
                    const unsigned base = symbol == 18 ? 11 : 3;
                    const unsigned repeat = base + static_cast<unsigned>((bits_ >> n) & low_mask(extra));
                    std::uint8_t value = 0;
                    if (symbol == 16) {
                        if (lens_read_ == 0) return fail(InflateError::repeat_without_previous);
                        value = lens_[lens_read_ - 1u];
                    }
                    if (lens_read_ + repeat > total) return fail(InflateError::repeat_past_end);
                    for (unsigned i = 0; i < repeat; ++i) lens_[lens_read_++] = value;
                    drop(n + extra);
                }
                if (!build_dynamic_tables()) return InflateStatus::error;
                fixed_ = false;
                mode_ = Mode::codes;
                break;
            }
            case Mode::codes: {
                const InflateStatus s = decode_codes(in, in_end, out_begin, out, out_end);
                if (mode_ == Mode::codes || mode_ == Mode::copy || mode_ == Mode::failed) return s;
                break;  // the block ended
            }
            case Mode::copy:
                if (!copy_match(out_begin, out, out_end)) return InflateStatus::output_full;
                mode_ = Mode::codes;
                break;
            case Mode::done: return InflateStatus::done;
            case Mode::failed: return InflateStatus::error;
        }
    }
}

bool Inflater::build_dynamic_tables() noexcept {
    // §3.2.5: a block must be able to end.
    if (lens_[fmt::kEndOfBlock] == 0) {
        fail(InflateError::missing_end_of_block);
        return false;
    }
    const Built lit = build_table(lens_.data(), hlit_, Alphabet::litlen, kLitLenRootBits, litlen_table_.data(),
                                  litlen_table_.size(), true);
    const Built dis = build_table(lens_.data() + hlit_, hdist_, Alphabet::dist, kDistRootBits, dist_table_.data(),
                                  dist_table_.size(), true);
    InflateError e = InflateError::none;
    if (lit == Built::over_subscribed) e = InflateError::literal_length_over_subscribed;
    else if (lit == Built::incomplete) e = InflateError::literal_length_incomplete;
    else if (dis == Built::over_subscribed) e = InflateError::distance_over_subscribed;
    else if (dis == Built::incomplete) e = InflateError::distance_incomplete;
    else if (lit == Built::overflow || dis == Built::overflow) e = InflateError::table_overflow;
    if (e == InflateError::none) return true;
    fail(e);
    return false;
}

// Decodes symbols of a Huffman block until it ends, the input runs out or the output is
// full. A symbol (a literal, or a length with its distance) is consumed only once all its
// bits are here and its output can start, so stopping anywhere leaves a clean state.
InflateStatus Inflater::decode_codes(const std::uint8_t*& in, const std::uint8_t* in_end, std::uint8_t* out_begin,
                                     std::uint8_t*& out, std::uint8_t* out_end) noexcept {
    const Entry* litlen = fixed_ ? kFixed.litlen.data() : litlen_table_.data();
    const Entry* dist = fixed_ ? kFixed.dist.data() : dist_table_.data();
    for (;;) {
        if (static_cast<std::size_t>(in_end - in) >= kFastInput && out != out_end) {
            if (!fast_loop(in, in_end, out_begin, out, out_end)) return InflateStatus::error;
            if (mode_ == Mode::copy) return InflateStatus::output_full;  // a match did not fit
            if (mode_ != Mode::codes) return InflateStatus::need_input;  // the block ended; run() goes on
            continue;  // too close to an end for the fast loop: one symbol at a time
        }
        while (bit_count_ < 56 && in != in_end) {
            bits_ |= std::uint64_t{*in++} << bit_count_;
            bit_count_ += 8;
        }
        const Entry e = lookup(litlen, kLitLenRootBits, bits_);
        const unsigned n = entry_bits(e);
        if (n > bit_count_) return InflateStatus::need_input;
        switch (entry_kind(e)) {
            case kLiteral:
                if (out == out_end) return InflateStatus::output_full;
                *out++ = static_cast<std::uint8_t>(entry_value(e));
                bits_ >>= n;
                bit_count_ -= n;
                continue;
            case kEnd:
                bits_ >>= n;
                bit_count_ -= n;
                mode_ = final_ ? Mode::done : Mode::block_header;
                return InflateStatus::need_input;
            case kBase: break;
            default: return fail(InflateError::invalid_literal_length_code);
        }
        const unsigned length_bits = n + entry_extra(e);
        if (length_bits > bit_count_) return InflateStatus::need_input;
        const Entry d = lookup(dist, kDistRootBits, bits_ >> length_bits);
        const unsigned dn = entry_bits(d);
        if (length_bits + dn > bit_count_) return InflateStatus::need_input;
        if (entry_kind(d) != kBase) return fail(InflateError::invalid_distance_code);
        const unsigned total = length_bits + dn + entry_extra(d);
        if (total > bit_count_) return InflateStatus::need_input;
        if (out == out_end) return InflateStatus::output_full;
        const auto length = entry_value(e) + static_cast<unsigned>((bits_ >> n) & low_mask(entry_extra(e)));
        const auto distance =
            entry_value(d) + static_cast<unsigned>((bits_ >> (length_bits + dn)) & low_mask(entry_extra(d)));
        const auto produced = static_cast<std::size_t>(out - out_begin);
        if (distance > window_size_ || distance > window_have_ + produced) return fail(InflateError::distance_too_far);
        bits_ >>= total;
        bit_count_ -= total;
        copy_left_ = length;
        copy_distance_ = distance;
        if (!copy_match(out_begin, out, out_end)) {
            mode_ = Mode::copy;
            return InflateStatus::output_full;
        }
    }
}

// The general copy: the part of the match that lies in the window (before this call's
// output) in one or two pieces of the ring, the rest from this call's output. True when
// the whole match is written; false when the output filled first (copy_left_ remains).
bool Inflater::copy_match(std::uint8_t* out_begin, std::uint8_t*& out, std::uint8_t* out_end) noexcept {
    const auto room = static_cast<std::size_t>(out_end - out);
    const std::size_t n = copy_left_ < room ? copy_left_ : room;
    const std::size_t distance = copy_distance_;
    const auto produced = static_cast<std::size_t>(out - out_begin);
    std::size_t done = 0;
    if (distance > produced) {
        const std::size_t back = distance - produced;  // <= window_have_ (checked when decoded)
        const std::size_t from_window = back < n ? back : n;
        const std::size_t start = (window_next_ + window_size_ - back) & (window_size_ - 1);
        const std::size_t first = window_size_ - start < from_window ? window_size_ - start : from_window;
        std::memcpy(out, window_.get() + start, first);
        if (from_window > first) std::memcpy(out + first, window_.get(), from_window - first);
        done = from_window;
    }
    const std::uint8_t* src = out + done - distance;  // now inside this call's output
    if (n - done <= distance) {
        if (n > done) std::memcpy(out + done, src, n - done);
    } else {
        for (std::size_t i = done; i < n; ++i) out[i] = *src++;
    }
    out += n;
    copy_left_ -= static_cast<std::uint32_t>(n);
    return copy_left_ == 0;
}

// The hot loop: at least 8 input bytes and some output room on each pass, so the bit
// buffer is refilled with one 8-byte load (to 56..63 bits: enough for a length code, its
// extra bits, a distance code and its extra bits, 48 bits at most). A match that does not
// fit is started and left in Mode::copy. Returns false on an error.
bool Inflater::fast_loop(const std::uint8_t*& in_ref, const std::uint8_t* in_end, std::uint8_t* out_begin,
                         std::uint8_t*& out_ref, std::uint8_t* out_end) noexcept {
    const Entry* litlen = fixed_ ? kFixed.litlen.data() : litlen_table_.data();
    const Entry* dist = fixed_ ? kFixed.dist.data() : dist_table_.data();
    const std::uint8_t* in = in_ref;
    std::uint8_t* out = out_ref;
    std::uint64_t bits = bits_;
    unsigned count = bit_count_;
    const std::size_t history = window_have_;
    const std::size_t max_distance = window_size_;
    bool ok = true;
    while (static_cast<std::size_t>(in_end - in) >= kFastInput && out != out_end) {
        // Refill: whole bytes up to 56..63 bits. The bits above `count` then hold the next
        // input byte's first bits, which the next refill ORs in again (same values).
        bits |= load_le64(in) << count;
        in += (63 - count) >> 3;
        count |= 56;

        Entry e = lookup(litlen, kLitLenRootBits, bits);
        unsigned n = entry_bits(e);
        bits >>= n;
        count -= n;
        if (entry_kind(e) == kLiteral) {
            *out++ = static_cast<std::uint8_t>(entry_value(e));
            // A second literal without a refill when its bits are surely here (15 at most).
            if (count >= fmt::kMaxBits && out != out_end) {
                e = lookup(litlen, kLitLenRootBits, bits);
                if (entry_kind(e) == kLiteral) {
                    n = entry_bits(e);
                    bits >>= n;
                    count -= n;
                    *out++ = static_cast<std::uint8_t>(entry_value(e));
                }
            }
            continue;
        }
        if (entry_kind(e) != kBase) {
            if (entry_kind(e) == kEnd) {
                mode_ = final_ ? Mode::done : Mode::block_header;
            } else {
                fail(InflateError::invalid_literal_length_code);
                ok = false;
            }
            break;
        }
        unsigned extra = entry_extra(e);
        const auto length = entry_value(e) + static_cast<unsigned>(bits & low_mask(extra));
        bits >>= extra;
        count -= extra;
        const Entry d = lookup(dist, kDistRootBits, bits);
        if (entry_kind(d) != kBase) {
            fail(InflateError::invalid_distance_code);
            ok = false;
            break;
        }
        n = entry_bits(d);
        bits >>= n;
        count -= n;
        extra = entry_extra(d);
        const std::size_t distance = entry_value(d) + static_cast<std::size_t>(bits & low_mask(extra));
        bits >>= extra;
        count -= extra;
        const auto produced = static_cast<std::size_t>(out - out_begin);
        if (distance > max_distance || distance > history + produced) {
            fail(InflateError::distance_too_far);
            ok = false;
            break;
        }
        const auto room = static_cast<std::size_t>(out_end - out);
        if (distance > produced || length > room) {
            // Reaches into the window, or does not fit: the general copy (rare).
            copy_left_ = length;
            copy_distance_ = static_cast<std::uint32_t>(distance);
            if (!copy_match(out_begin, out, out_end)) {
                mode_ = Mode::copy;
                break;
            }
            continue;
        }
        std::uint8_t* dst = out;
        const std::uint8_t* src = out - distance;
        std::uint8_t* const end = out + length;
        if (length + kCopyOvershoot > room) {
            while (dst < end) *dst++ = *src++;
        } else if (distance >= 8) {
            // Each 8-byte step reads bytes written at least 8 bytes earlier; may run up to
            // 7 bytes past `end`, inside the room checked above.
            do {
                std::memcpy(dst, src, 8);
                dst += 8;
                src += 8;
            } while (dst < end);
        } else if (distance == 1) {
            std::memset(dst, *src, length);
        } else {
            while (dst < end) *dst++ = *src++;
        }
        out = end;
    }
    in_ref = in;
    out_ref = out;
    bits_ = bits & low_mask(count);  // count <= 63: drop the look-ahead bits of the next byte
    bit_count_ = count;
    return ok;
}

}  // namespace sluice::core
