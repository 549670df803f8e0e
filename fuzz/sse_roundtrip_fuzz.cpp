// fuzz/sse_roundtrip_fuzz.cpp — proto::encode_sse / encode_sse_comment read back by SseParser.
//
// Input: [flags][id length][event length][retry: 4 bytes LE][id][event][data ...]
//   flags bit 0: an id, bit 1: an event name, bit 2: a retry, bit 3: encode `data` as a comment.
// Checked:
//   - sse_encoded_size == the bytes encode_sse writes; a smaller buffer is refused whole;
//   - refusals are exactly the rules (CR/LF in id or event, NUL in id or event);
//   - the output holds no CR (every line break is written as LF) and ends in "\n\n";
//   - parsed whole and one byte at a time, it gives back retry, then one event with the
//     same type, id and data (CR and CRLF in the data read back as LF, §9.2.5);
//   - a comment (any text) followed by an event gives only that event.
#include "proto/sse_encoder.hpp"
#include "proto/sse_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

std::string normalized(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool has_any(std::string_view s, std::string_view chars) { return s.find_first_of(chars) != std::string_view::npos; }

// Parses `bytes` whole (step = 0) or `step` bytes at a time; returns the transcript.
std::string parse(const std::vector<std::uint8_t>& bytes, std::size_t step) {
  std::vector<char> storage(64 * 1024);
  proto::SseParser parser(storage, {.max_id = 1024, .max_event_type = 1024});
  std::string out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t n = step == 0 ? bytes.size() - at : std::min(step, bytes.size() - at);
    std::vector<std::uint8_t> chunk(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                    bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
    std::span<const std::uint8_t> rest(chunk);
    for (;;) {
      const proto::SseResult r = parser.parse(rest);
      if (r.status == proto::SseStatus::need_more) break;
      if (r.status == proto::SseStatus::error) return out + "error";
      if (r.status == proto::SseStatus::retry) out += "retry=" + std::to_string(r.retry_ms) + ";";
      if (r.status == proto::SseStatus::event)
        out += "<" + std::string(r.event.type) + "|" + std::string(r.event.data) + "|" +
               std::string(r.event.last_event_id) + ">";
      rest = rest.subspan(r.consumed);
    }
    at += n;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 7) return 0;
  const std::uint8_t flags = data[0];
  std::size_t id_length = data[1], event_length = data[2];
  std::uint32_t retry = 0;
  std::memcpy(&retry, data + 3, 4);
  std::string_view rest = fuzz::as_chars({data + 7, size - 7});
  id_length = std::min(id_length, rest.size());
  const std::string_view id = rest.substr(0, id_length);
  rest.remove_prefix(id_length);
  event_length = std::min(event_length, rest.size());
  const std::string_view event = rest.substr(0, event_length);
  const std::string_view text = rest.substr(event_length);

  if (flags & 8) {
    std::vector<std::uint8_t> out(proto::sse_comment_size(text));
    SLUICE_FUZZ_CHECK(proto::encode_sse_comment(text, out) == out.size());
    SLUICE_FUZZ_CHECK(std::memchr(out.data(), '\r', out.size()) == nullptr);
    const std::string event_after = "data: x\n\n";
    out.insert(out.end(), event_after.begin(), event_after.end());
    SLUICE_FUZZ_CHECK(parse(out, 0) == "<message|x|>");
    SLUICE_FUZZ_CHECK(parse(out, 1) == "<message|x|>");
    return 0;
  }

  proto::SseMessage m{.data = text};
  if (flags & 1) m.id = id;
  if (flags & 2) m.event = event;
  if (flags & 4) m.retry_ms = retry;

  proto::SseEncodeError expect = proto::SseEncodeError::none;
  if (m.id && has_any(*m.id, "\r\n")) expect = proto::SseEncodeError::id_has_line_break;
  else if (m.id && has_any(*m.id, std::string_view("\0", 1))) expect = proto::SseEncodeError::id_has_nul;
  else if (has_any(m.event, "\r\n")) expect = proto::SseEncodeError::event_has_line_break;
  else if (has_any(m.event, std::string_view("\0", 1))) expect = proto::SseEncodeError::event_has_nul;

  const proto::SseEncodeResult needed = proto::sse_encoded_size(m);
  SLUICE_FUZZ_CHECK(needed.error == expect);
  std::vector<std::uint8_t> out(needed.size);
  const proto::SseEncodeResult written = proto::encode_sse(m, out);
  SLUICE_FUZZ_CHECK(written.error == expect);
  if (expect != proto::SseEncodeError::none) {
    SLUICE_FUZZ_CHECK(needed.size == 0 && written.size == 0);
    return 0;
  }
  SLUICE_FUZZ_CHECK(written.size == needed.size && needed.size >= 2);
  SLUICE_FUZZ_CHECK(out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n');
  SLUICE_FUZZ_CHECK(std::memchr(out.data(), '\r', out.size()) == nullptr);

  std::vector<std::uint8_t> small(needed.size - 1, '#');
  SLUICE_FUZZ_CHECK(proto::encode_sse(m, small).error == proto::SseEncodeError::buffer_too_small);
  SLUICE_FUZZ_CHECK(small == std::vector<std::uint8_t>(needed.size - 1, '#'));

  std::string expected;
  if (m.retry_ms) expected += "retry=" + std::to_string(*m.retry_ms) + ";";
  expected += "<" + std::string(m.event.empty() ? "message" : m.event) + "|" + normalized(text) + "|" +
              std::string(m.id ? *m.id : std::string_view()) + ">";
  const std::string whole = parse(out, 0);
  const std::string bytewise = parse(out, 1);
  if (whole != expected || bytewise != expected) {
    std::fprintf(stderr, "expected %s\nwhole    %s\nbytewise %s\n", expected.c_str(), whole.c_str(), bytewise.c_str());
    fuzz::fail("encoded event does not read back");
  }
  return 0;
}
