// fuzz/sse_parser_fuzz.cpp — proto::SseParser, differential against a reference and by splits.
//
// The payload is parsed three ways and the transcripts (every event, retry and error in
// order, then the last event ID string) must be equal:
//   1. SseParser fed the payload whole;
//   2. SseParser fed input-chosen chunks (each in an exact-size copy: over-reads trip ASan);
//   3. a reference written the other way round from WHATWG HTML §9.2.5/§9.2.6: the whole
//      stream cut into lines first (std::string buffers, no state machine), each line then
//      interpreted, with the same bounds as the parser's storage.
// Small bounds make event_too_large / id_too_long / event_type_too_long reachable.
// Then reset() (a reconnection) and the same bytes again must give the same events and
// errors; and a parser given storage too small for its limits answers storage_too_small,
// before and after reset().
#include "proto/sse_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

constexpr proto::SseParserLimits kLimits{.max_id = 8, .max_event_type = 8};
constexpr std::size_t kDataCapacity = 64;
constexpr std::size_t kStorage = 3 * kLimits.max_id + kLimits.max_event_type + kDataCapacity;

std::string record_event(std::string_view type, std::string_view data, std::string_view id) {
  return "<" + std::string(type) + "|" + std::string(data) + "|" + std::string(id) + ">\n";
}

// ---- the parser -------------------------------------------------------------------------
class Driven {
 public:
  Driven() : storage_(kStorage), parser_(storage_, kLimits) {
    SLUICE_FUZZ_CHECK(parser_.data_capacity() == kDataCapacity);
  }

  void feed(std::span<const std::uint8_t> chunk) {
    while (!stopped_) {
      const proto::SseResult r = parser_.parse(chunk);
      switch (r.status) {
        case proto::SseStatus::need_more:
          SLUICE_FUZZ_CHECK(r.consumed == chunk.size());
          return;
        case proto::SseStatus::error:
          SLUICE_FUZZ_CHECK(r.consumed == 0 && r.error != proto::SseError::none);
          transcript_ += "error=" + std::string(proto::sse_error_name(r.error)) + "\n";
          events_ += "error\n";
          // Sticky: the same error again, whatever comes.
          SLUICE_FUZZ_CHECK(parser_.parse(chunk).error == r.error);
          stopped_ = true;
          return;
        case proto::SseStatus::event:
          SLUICE_FUZZ_CHECK(!r.event.type.empty() && r.event.data.size() < kDataCapacity);
          SLUICE_FUZZ_CHECK(r.event.last_event_id == parser_.last_event_id());
          transcript_ += record_event(r.event.type, r.event.data, r.event.last_event_id);
          events_ += record_event(r.event.type, r.event.data, "");
          break;
        case proto::SseStatus::retry: transcript_ += "retry=" + std::to_string(r.retry_ms) + "\n"; break;
      }
      SLUICE_FUZZ_CHECK(r.consumed > 0 && r.consumed <= chunk.size());
      chunk = chunk.subspan(r.consumed);
    }
  }

  std::string finish() { return transcript_ + "last=" + std::string(parser_.last_event_id()); }

  // reset() starts a new stream (a reconnection): the same bytes again give the same events
  // and errors (the IDs may differ: the last event ID is kept across it).
  void check_reset_replays(std::span<const std::uint8_t> payload) {
    const std::string first = events_;
    parser_.reset();
    events_.clear();
    stopped_ = false;
    feed(payload);
    SLUICE_FUZZ_CHECK(events_ == first);
  }

 private:
  std::vector<char> storage_;
  proto::SseParser parser_;
  std::string transcript_;
  std::string events_;  // types, data and errors only
  bool stopped_ = false;
};

// ---- the reference ----------------------------------------------------------------------
bool all_digits_u64(std::string_view v, std::uint64_t& out) {
  if (v.empty()) return false;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return false;
    n = n * 10 + d;
  }
  out = n;
  return true;
}

std::string reference(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  std::string data, type, id_buffer, id_string, out;
  std::size_t i = 0;
  for (;;) {
    std::size_t end = i;
    while (end < s.size() && s[end] != '\r' && s[end] != '\n') ++end;
    const bool complete = end < s.size();  // the last, unterminated line still hits bounds
    const std::string_view line = s.substr(i, end - i);
    if (line.empty()) {
      if (complete) {  // dispatch
        id_string = id_buffer;
        if (!data.empty()) {
          data.pop_back();
          out += record_event(type.empty() ? "message" : type, data, id_string);
        }
        data.clear();
        type.clear();
      }
    } else if (line[0] != ':') {
      const std::size_t colon = line.find(':');
      const std::string_view name = line.substr(0, colon);
      std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
      const char* error = nullptr;
      if (name == "data") {
        if (data.size() + value.size() + (complete ? 1 : 0) > kDataCapacity) error = "event_too_large";
        else if (complete) (data += value) += '\n';
      } else if (name == "event") {
        if (value.size() > kLimits.max_event_type) error = "event_type_too_long";
        else if (complete) type = value;
      } else if (name == "id") {
        if (value.size() > kLimits.max_id) error = "id_too_long";
        else if (complete && value.find('\0') == std::string_view::npos) id_buffer = value;
      } else if (name == "retry" && complete) {
        std::uint64_t ms = 0;
        if (all_digits_u64(value, ms)) out += "retry=" + std::to_string(ms) + "\n";
      }
      if (error != nullptr) return out + "error=" + error + "\nlast=" + id_string;
    }
    if (!complete) break;
    i = end + 1;
    if (s[end] == '\r' && i < s.size() && s[i] == '\n') ++i;
  }
  return out + "last=" + id_string;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::SplitInput input(data, size);
  Driven whole;
  whole.feed(input.payload());
  Driven pieces;
  input.for_each_chunk([&](std::span<std::uint8_t> chunk) { pieces.feed(chunk); });
  const std::string a = whole.finish();
  const std::string b = pieces.finish();
  const std::string c = reference(fuzz::as_chars(input.payload()));
  if (a != b || a != c) {
    std::fprintf(stderr, "--- whole:\n%s\n--- in pieces:\n%s\n--- reference:\n%s\n", a.c_str(), b.c_str(),
                 c.c_str());
    fuzz::fail("whole, split and reference parses differ");
  }
  whole.check_reset_replays(input.payload());
  // Storage too small for the limits: a sticky error, which reset() keeps.
  char tiny[3 * kLimits.max_id];
  proto::SseParser small(tiny, kLimits);
  SLUICE_FUZZ_CHECK(small.parse(input.payload()).error == proto::SseError::storage_too_small);
  small.reset();
  SLUICE_FUZZ_CHECK(small.parse(input.payload()).error == proto::SseError::storage_too_small);
  return 0;
}
