// fuzz/utf8_fuzz.cpp — core::Utf8Validator and is_valid_utf8, differential against a reference.
//
// The reference below is deliberately a different algorithm from the DFA in core/utf8.cpp:
// it decodes code points arithmetically (RFC 3629 §3) and judges each one by its value
// (shortest form, no surrogates, at most U+10FFFF). For a character still in progress it
// asks whether ANY completion could be valid: the completions of a prefix form one
// interval of code points, so that is an interval test. The byte where no completion is
// left is the first bad byte, the one the validator must stop at (RFC 6455 §8.1 fails
// fast). Checked, for every input and its input-chosen split points:
//   - is_valid_utf8 (one-shot) == reference "complete";
//   - Utf8Validator::feed over the chunks ends in the reference's status;
//   - Utf8Validator::feed_prefix stops at the reference's first bad byte;
//   - the scalar, SSE2 and AVX2 paths agree with the reference.
#include "core/utf8.hpp"

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.hpp"

namespace {

using sluice::core::Utf8Status;

struct Reference {
  Utf8Status status;
  std::size_t first_bad;  // index of the first bad byte; input size when there is none
};

// RFC 3629 §3: the sequence length announced by a lead byte, 0 if it cannot lead.
std::size_t sequence_length(std::uint8_t b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 0;
}

// Could some completion of a character whose code points span [lo, hi] be valid?
bool viable(std::uint32_t lo, std::uint32_t hi, std::size_t length) {
  static constexpr std::uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (lo < kMinimum[length]) lo = kMinimum[length];
  if (hi > 0x10FFFF) hi = 0x10FFFF;
  if (lo > hi) return false;
  return !(lo >= 0xD800 && hi <= 0xDFFF);  // wholly inside the surrogates
}

Reference reference(std::span<const std::uint8_t> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t length = sequence_length(s[i]);
    if (length == 0) return {Utf8Status::invalid, i};
    std::uint32_t value = length == 1 ? s[i] : s[i] & (0x7Fu >> length);
    std::size_t k = 1;
    // The code points reachable from `value` with `length - k` continuation bytes to come.
    auto bounds = [&](std::uint32_t v, std::size_t done, std::uint32_t& lo, std::uint32_t& hi) {
      lo = v;
      hi = v;
      for (std::size_t j = done; j < length; ++j) {
        lo = lo << 6;
        hi = (hi << 6) | 0x3F;
      }
    };
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
    bounds(value, 1, lo, hi);
    if (!viable(lo, hi, length)) return {Utf8Status::invalid, i};
    for (; k < length; ++k) {
      if (i + k == s.size()) return {Utf8Status::incomplete, s.size()};
      const std::uint8_t c = s[i + k];
      if ((c & 0xC0) != 0x80) return {Utf8Status::invalid, i + k};
      value = (value << 6) | (c & 0x3Fu);
      bounds(value, k + 1, lo, hi);
      if (!viable(lo, hi, length)) return {Utf8Status::invalid, i + k};
    }
    i += length;
  }
  return {Utf8Status::complete, s.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  const fuzz::SplitInput input(data, size);
  const auto payload = input.payload();
  const Reference want = reference(payload);

  SLUICE_FUZZ_CHECK(core::is_valid_utf8(payload) == (want.status == Utf8Status::complete));
  SLUICE_FUZZ_CHECK(core::is_valid_utf8(fuzz::as_chars(payload)) ==
                    (want.status == Utf8Status::complete));

  // Incremental, at the input's split points.
  core::Utf8Validator chunked;
  Utf8Status last = Utf8Status::complete;
  std::size_t offset = 0;
  std::size_t accepted = payload.size();
  core::Utf8Validator prefix;
  input.for_each_chunk([&](std::span<std::uint8_t> chunk) {
    last = chunked.feed(chunk);
    SLUICE_FUZZ_CHECK(last == chunked.status());
    if (accepted == payload.size() && prefix.status() != Utf8Status::invalid) {
      const std::size_t n = prefix.feed_prefix(chunk);
      if (n < chunk.size()) {
        accepted = offset + n;
        SLUICE_FUZZ_CHECK(prefix.status() == Utf8Status::invalid);
      }
    }
    offset += chunk.size();
    if (offset <= want.first_bad) SLUICE_FUZZ_CHECK(last != Utf8Status::invalid);
    else SLUICE_FUZZ_CHECK(last == Utf8Status::invalid);  // sticky from the bad byte on
  });
  SLUICE_FUZZ_CHECK(chunked.status() == want.status);
  SLUICE_FUZZ_CHECK(accepted == want.first_bad);

  // Each code path on the whole payload.
  using Path = std::size_t (*)(std::uint32_t&, const std::uint8_t*, std::size_t) noexcept;
  for (Path path : {Path{core::detail::validate_scalar}, Path{core::detail::validate_sse2},
                    Path{core::detail::validate_avx2}}) {
    std::uint32_t state = 0;
    const std::size_t n = path(state, payload.data(), payload.size());
    SLUICE_FUZZ_CHECK(n == want.first_bad);
    SLUICE_FUZZ_CHECK(core::detail::status_of(state) == want.status);
    // Rejected stays rejected: a further call reads nothing.
    if (want.status == Utf8Status::invalid) SLUICE_FUZZ_CHECK(path(state, payload.data(), payload.size()) == 0);
  }
  return 0;
}
