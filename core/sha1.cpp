#include "core/sha1.hpp"

#include <bit>
#include <cstring>

#include "core/byte_order.hpp"

namespace sluice::core {

void Sha1::reset() noexcept {
    h_ = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};  // §5.3.1
    length_ = 0;
    pending_size_ = 0;
}

namespace sha1_detail {

void compress_scalar(std::uint32_t h[5], const std::uint8_t* blocks, std::size_t count) noexcept {
    for (; count > 0; --count, blocks += 64) {
        // §6.1.2 step 1: the message schedule, kept as a 16-word ring (W[t] for t >= 16 is
        // computed in place from W[t-3], W[t-8], W[t-14], W[t-16]).
        std::uint32_t w[16];
        for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(blocks + 4 * t);

        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (std::size_t t = 0; t < 80; ++t) {
            if (t >= 16) {
                const std::uint32_t x = w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15];
                w[t & 15] = std::rotl(x, 1);
            }
            std::uint32_t f, k;  // §4.1.1 functions and §4.2.1 constants
            if (t < 20) {
                f = (b & c) | (~b & d);  // Ch
                k = 0x5A827999u;
            } else if (t < 40) {
                f = b ^ c ^ d;  // Parity
                k = 0x6ED9EBA1u;
            } else if (t < 60) {
                f = (b & c) | (b & d) | (c & d);  // Maj
                k = 0x8F1BBCDCu;
            } else {
                f = b ^ c ^ d;  // Parity
                k = 0xCA62C1D6u;
            }
            const std::uint32_t temp = std::rotl(a, 5) + f + e + k + w[t & 15];
            e = d;
            d = c;
            c = std::rotl(b, 30);
            b = a;
            a = temp;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
}

}  // namespace sha1_detail

namespace {
using CompressFn = void (*)(std::uint32_t*, const std::uint8_t*, std::size_t) noexcept;
// Chosen once, on first use (a function-local static: thread-safe initialisation).
CompressFn best_compress() noexcept {
    static const CompressFn fn = sha1_detail::has_sha_extensions() ? sha1_detail::compress_sha_ni
                                                                   : sha1_detail::compress_scalar;
    return fn;
}
}  // namespace

void Sha1::compress(const std::uint8_t* blocks, std::size_t count) noexcept {
    best_compress()(h_.data(), blocks, count);
}

void Sha1::update(std::span<const std::uint8_t> data) noexcept {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    length_ += n;
    if (pending_size_ > 0) {
        const std::size_t take = n < 64 - pending_size_ ? n : 64 - pending_size_;
        std::memcpy(pending_.data() + pending_size_, p, take);
        pending_size_ += take;
        p += take;
        n -= take;
        if (pending_size_ < 64) return;
        compress(pending_.data(), 1);
        pending_size_ = 0;
    }
    if (n >= 64) {
        compress(p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    if (n > 0) std::memcpy(pending_.data(), p, n);
    pending_size_ = n;
}

void Sha1::update(std::string_view data) noexcept {
    update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Sha1Digest Sha1::finish() noexcept {
    // §5.1.1: append bit 1, then k zero bits so that length + 1 + k = 448 (mod 512), then
    // the length in bits as a 64-bit big-endian integer.
    const std::uint64_t bit_length = length_ * 8;
    std::uint8_t tail[128] = {};
    tail[0] = 0x80;
    const std::size_t pad = pending_size_ < 56 ? 56 - pending_size_ : 120 - pending_size_;
    store_be64(tail + pad, bit_length);
    update(std::span<const std::uint8_t>(tail, pad + 8));

    Sha1Digest digest;
    for (std::size_t i = 0; i < 5; ++i) store_be32(digest.data() + 4 * i, h_[i]);
    reset();
    return digest;
}

Sha1Digest sha1(std::span<const std::uint8_t> data) noexcept {
    Sha1 h;
    h.update(data);
    return h.finish();
}

Sha1Digest sha1(std::string_view data) noexcept {
    Sha1 h;
    h.update(data);
    return h.finish();
}

}  // namespace sluice::core
