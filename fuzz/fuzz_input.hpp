// fuzz/fuzz_input.hpp — what every harness shares: turning one libFuzzer input into a
// payload plus the split points at which it is fed to an incremental parser.
//
// Layout of an input (the input's own bytes choose the chunk lengths, so libFuzzer
// mutates split points and payload together; split points are where parsers break):
//
//   [K] [len_1 .. len_K] [payload ...]
//    |        |
//    |        +-- K chunk lengths, used in turn and cycled; 0 = "the whole rest"
//    +----------- K = byte0 % 16 (0 = feed the payload whole)
//
// Each chunk is copied into its own exactly-sized heap block before it is fed, so a parser
// that reads one byte past the chunk it was given trips AddressSanitizer.
// Owns nothing beyond the copies it hands out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <span>
#include <string_view>

namespace sluice::fuzz {

// Aborts with a message (libFuzzer records the input as a crash).
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}
#define SLUICE_FUZZ_CHECK(cond) \
  do {                          \
    if (!(cond)) ::sluice::fuzz::fail(#cond); \
  } while (0)

class SplitInput {
 public:
  SplitInput(const std::uint8_t* data, std::size_t size) noexcept {
    if (size == 0) return;
    std::size_t k = data[0] % 16;
    if (k > size - 1) k = size - 1;
    lengths_ = std::span<const std::uint8_t>(data + 1, k);
    payload_ = std::span<const std::uint8_t>(data + 1 + k, size - 1 - k);
  }

  std::span<const std::uint8_t> payload() const noexcept { return payload_; }
  std::span<const std::uint8_t> lengths() const noexcept { return lengths_; }

  // The length of chunk number `index` starting at `offset` (never 0, never past the end).
  std::size_t chunk_length(std::size_t index, std::size_t offset) const noexcept {
    const std::size_t rest = payload_.size() - offset;
    if (lengths_.empty()) return rest;
    const std::size_t want = lengths_[index % lengths_.size()];
    return want == 0 || want > rest ? rest : want;
  }

  // Calls fn(std::span<std::uint8_t> chunk) for each chunk, each in an exact-size copy.
  template <class Fn>
  void for_each_chunk(Fn&& fn) const {
    std::size_t offset = 0;
    for (std::size_t index = 0; offset < payload_.size(); ++index) {
      const std::size_t n = chunk_length(index, offset);
      std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[n]);
      for (std::size_t i = 0; i < n; ++i) copy[i] = payload_[offset + i];
      fn(std::span<std::uint8_t>(copy.get(), n));
      offset += n;
    }
  }

 private:
  std::span<const std::uint8_t> lengths_;
  std::span<const std::uint8_t> payload_;
};

inline std::string_view as_chars(std::span<const std::uint8_t> bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace sluice::fuzz
