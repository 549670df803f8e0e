// fuzz/base64_fuzz.cpp — core::base64_encode / base64_decode (RFC 4648 §4, strict).
//
// Checked for every input:
//   - encode then decode gives the input back, with the sizes the header promises;
//   - the input read as text decodes iff a reference (written here) says it is the one
//     canonical encoding of some bytes, and then re-encodes to exactly itself;
//   - an output span one byte too small is refused (encode returns 0, decode nullopt).
#include "core/base64.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// RFC 4648 §3.3/§3.5: length % 4 == 0, alphabet only, '=' only as the last one or two
// characters, and the bits the padding leaves over are zero.
bool canonical(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  if (!s.empty() && s.back() == '=') pad = (s.size() >= 2 && s[s.size() - 2] == '=') ? 2 : 1;
  for (std::size_t i = 0; i < s.size() - pad; ++i)
    if (sextet(s[i]) < 0) return false;
  if (pad == 0) return true;
  const int last = sextet(s[s.size() - pad - 1]);
  return pad == 2 ? (last & 0x0F) == 0 : (last & 0x03) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  const std::span<const std::uint8_t> in(data, size);

  // Round trip: bytes -> text -> bytes.
  const std::size_t encoded_size = core::base64_encoded_size(size);
  std::vector<char> text(encoded_size);
  SLUICE_FUZZ_CHECK(core::base64_encode(in, text) == encoded_size);
  const std::string_view text_view(text.data(), text.size());
  SLUICE_FUZZ_CHECK(canonical(text_view));
  std::vector<std::uint8_t> back(size);
  const auto decoded = core::base64_decode(text_view, back);
  SLUICE_FUZZ_CHECK(decoded && *decoded == size);
  SLUICE_FUZZ_CHECK(size == 0 || std::memcmp(back.data(), data, size) == 0);
  if (size > 0) {
    std::vector<char> small(encoded_size - 1);
    SLUICE_FUZZ_CHECK(core::base64_encode(in, small) == 0);
    std::vector<std::uint8_t> tight(size - 1);
    SLUICE_FUZZ_CHECK(!core::base64_decode(text_view, tight));
  }

  // Arbitrary text: accepted iff canonical, and then it re-encodes to itself.
  const std::string_view arbitrary = fuzz::as_chars(in);
  std::vector<std::uint8_t> out(core::base64_decoded_max_size(size));
  const auto result = core::base64_decode(arbitrary, out);
  SLUICE_FUZZ_CHECK(result.has_value() == canonical(arbitrary));
  if (result) {
    SLUICE_FUZZ_CHECK(core::base64_encoded_size(*result) == size);
    std::vector<char> again(size);
    SLUICE_FUZZ_CHECK(core::base64_encode(std::span<const std::uint8_t>(out.data(), *result), again) == size);
    SLUICE_FUZZ_CHECK(size == 0 || std::memcmp(again.data(), data, size) == 0);
  }
  return 0;
}
