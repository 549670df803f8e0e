// core/sha1.hpp — SHA-1, FIPS 180-4 (§6.1), incremental and one-shot.
//
// sluice needs SHA-1 for exactly one thing: the WebSocket opening handshake, RFC 6455
// §4.2.2 step 5.4, where Sec-WebSocket-Accept = Base64(SHA-1(key + GUID)). SHA-1 is broken
// for collision resistance; that does not matter here (the handshake only proves the
// server read the key), and nothing else in sluice may use it for security.
//
//   Sha1 h;                      // fresh state, FIPS 180-4 §5.3.1 initial hash value
//   h.update(key);               // any number of updates, any split of the input
//   h.update(kWebSocketGuid);
//   Sha1Digest d = h.finish();   // §5.1.1 padding, then h is fresh again
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::core {

// The 160-bit message digest, big-endian words H0..H4 (FIPS 180-4 §6.1.2 step 4).
using Sha1Digest = std::array<std::uint8_t, 20>;

// Owns its 92-byte state (no heap). One instance hashes one message at a time; cheap to
// create on the stack. Not thread-safe (nothing here is shared).
class Sha1 {
 public:
    Sha1() noexcept { reset(); }

    // Appends bytes to the message. Any split gives the same digest as one call.
    void update(std::span<const std::uint8_t> data) noexcept;
    void update(std::string_view data) noexcept;

    // Pads (§5.1.1: a 1 bit, zeros, the 64-bit message length in bits) and returns the
    // digest; the object is then reset to a fresh state, ready for the next message.
    Sha1Digest finish() noexcept;

    // Starts over with the initial hash value of §5.3.1.
    void reset() noexcept;

 private:
    // Processes `count` 512-bit blocks (§6.1.2 steps 1-4) with the best implementation.
    void compress(const std::uint8_t* blocks, std::size_t count) noexcept;

    std::array<std::uint32_t, 5> h_{};        // H0..H4
    std::array<std::uint8_t, 64> pending_{};  // the incomplete tail block
    std::uint64_t length_ = 0;                // message length so far, in bytes
    std::size_t pending_size_ = 0;            // bytes used in pending_
};

// The block function behind Sha1, in two implementations with one contract: process
// `count` 64-byte blocks into the state h[0..4]. The x86 SHA extensions (SHA-NI: sha1rnds4,
// sha1nexte, sha1msg1/2) are used when the CPU has them, found once at run time; the
// scalar §6.1.2 loop otherwise. Both are built and tested everywhere they can run.
namespace sha1_detail {
void compress_scalar(std::uint32_t h[5], const std::uint8_t* blocks, std::size_t count) noexcept;
// True when this build has the x86 path and the CPU has SHA, SSSE3 and SSE4.1.
bool has_sha_extensions() noexcept;
// Only valid when has_sha_extensions().
void compress_sha_ni(std::uint32_t h[5], const std::uint8_t* blocks, std::size_t count) noexcept;
}  // namespace sha1_detail

// One-shot SHA-1 of a whole message.
Sha1Digest sha1(std::string_view data) noexcept;
Sha1Digest sha1(std::span<const std::uint8_t> data) noexcept;

}  // namespace sluice::core
