// fuzz/resp_parser_fuzz.cpp — proto::parse_resp as the broker drives it, differential by splits.
//
// The payload arrives in input-chosen chunks into a growing buffer (each call gets an
// exact-size copy of it, so an over-read trips ASan); replies are read one at a time and
// the consumed bytes dropped. Three drivers must write the same transcript (every reply
// as a tree, then the error or the bytes left over):
//   1. the payload whole;
//   2. input-chosen chunks, parsing after every chunk;
//   3. the same chunks, but calling only once the buffer holds `at_least` bytes (so
//      at_least must never overshoot: a call it skipped could not have succeeded).
// Also checked: need_more consumes nothing and asks for more than the buffer holds; the
// value tree is consistent (sizes, counts, views inside the input); a reply that is an
// array of bulk strings re-encodes with encode_resp_command to exactly its bytes (both
// sides write the one canonical form).
#include "proto/resp_parser.hpp"
#include "proto/resp_encoder.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

constexpr proto::RespLimits kLimits{.max_bulk_length = 256, .max_array_length = 16, .max_depth = 4, .max_line = 64};
constexpr std::size_t kStorage = 48;
constexpr int kMaxReplies = 64;

// Describes values[i] and its subtree; checks the tree's shape on the way.
std::string describe(const std::vector<proto::RespValue>& v, std::size_t& i, std::size_t count) {
  SLUICE_FUZZ_CHECK(i < count);
  const proto::RespValue& x = v[i];
  const std::size_t end = i + x.size;
  SLUICE_FUZZ_CHECK(x.size >= 1 && end <= count);
  ++i;
  switch (x.type) {
    case proto::RespType::simple_string: return "+" + std::string(x.text);
    case proto::RespType::error: return "-" + std::string(x.text);
    case proto::RespType::integer: return ":" + std::to_string(x.integer);
    case proto::RespType::bulk_string: return "$" + std::to_string(x.text.size()) + ":" + std::string(x.text);
    case proto::RespType::null_bulk: return "$nil";
    case proto::RespType::null_array: return "*nil";
    case proto::RespType::array:
    case proto::RespType::push: {
      SLUICE_FUZZ_CHECK(x.integer >= 0 && x.integer <= kLimits.max_array_length);
      std::string out = (x.type == proto::RespType::push ? ">[" : "*[");
      for (std::int64_t k = 0; k < x.integer; ++k) out += describe(v, i, count) + ",";
      SLUICE_FUZZ_CHECK(i == end);
      return out + "]";
    }
  }
  fuzz::fail("unknown RespType");
}

// The broker's loop over a growing buffer.
class Broker {
 public:
  explicit Broker(bool wait_for_at_least) : wait_(wait_for_at_least) {}

  void feed(std::span<const std::uint8_t> chunk) {
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
    while (!stopped_ && !(wait_ && buffer_.size() < at_least_)) {
      std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[buffer_.size()]);
      if (!buffer_.empty()) std::memcpy(copy.get(), buffer_.data(), buffer_.size());
      const std::span<const std::uint8_t> input(copy.get(), buffer_.size());
      std::vector<proto::RespValue> values(kStorage);
      const proto::RespResult r = proto::parse_resp(input, values, kLimits);
      if (r.status == proto::RespStatus::need_more) {
        SLUICE_FUZZ_CHECK(r.consumed == 0 && r.values == 0 && r.at_least > input.size());
        at_least_ = r.at_least;
        return;
      }
      if (r.status == proto::RespStatus::error) {
        SLUICE_FUZZ_CHECK(r.consumed == 0 && r.error != proto::RespError::none);
        transcript_ += "error " + std::string(proto::resp_error_name(r.error)) + "\n";
        stopped_ = true;
        return;
      }
      check_reply(input, values, r);
      buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      at_least_ = 0;
      if (++replies_ == kMaxReplies) stopped_ = true;
    }
  }

  std::string finish() { return transcript_ + (stopped_ ? "stopped" : "left " + std::to_string(buffer_.size())); }

 private:
  void check_reply(std::span<const std::uint8_t> input, const std::vector<proto::RespValue>& values,
                   const proto::RespResult& r) {
    SLUICE_FUZZ_CHECK(r.consumed >= 3 && r.consumed <= input.size());
    SLUICE_FUZZ_CHECK(r.values >= 1 && r.values <= kStorage && values[0].size == r.values);
    const char* begin = reinterpret_cast<const char*>(input.data());
    bool command_shape = values[0].type == proto::RespType::array && values[0].integer > 0;
    std::vector<std::string_view> args;
    for (std::size_t i = 0; i < r.values; ++i) {
      const proto::RespValue& v = values[i];
      if (!v.text.empty()) SLUICE_FUZZ_CHECK(v.text.data() >= begin && v.text.data() + v.text.size() <= begin + r.consumed);
      if (v.type == proto::RespType::bulk_string) SLUICE_FUZZ_CHECK(v.text.size() <= kLimits.max_bulk_length);
      if (v.type == proto::RespType::simple_string || v.type == proto::RespType::error)
        SLUICE_FUZZ_CHECK(v.text.find_first_of("\r\n") == std::string_view::npos);
      if (i > 0) {
        command_shape = command_shape && v.type == proto::RespType::bulk_string;
        args.push_back(v.text);
      }
    }
    std::size_t i = 0;
    transcript_ += describe(values, i, r.values) + "\n";
    SLUICE_FUZZ_CHECK(i == r.values);
    if (command_shape) {
      std::vector<std::uint8_t> wire(proto::resp_command_size(args));
      SLUICE_FUZZ_CHECK(proto::encode_resp_command(args, wire) == wire.size());
      SLUICE_FUZZ_CHECK(wire.size() == r.consumed && std::memcmp(wire.data(), input.data(), r.consumed) == 0);
    }
  }

  std::vector<std::uint8_t> buffer_;
  std::string transcript_;
  std::size_t at_least_ = 0;
  bool wait_;
  bool stopped_ = false;
  int replies_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::SplitInput input(data, size);
  Broker whole(false);
  whole.feed(input.payload());
  Broker pieces(false);
  Broker waiting(true);
  input.for_each_chunk([&](std::span<std::uint8_t> chunk) {
    pieces.feed(chunk);
    waiting.feed(chunk);
  });
  const std::string a = whole.finish();
  const std::string b = pieces.finish();
  const std::string c = waiting.finish();
  if (a != b || a != c) {
    std::fprintf(stderr, "--- whole:\n%s\n--- in pieces:\n%s\n--- waiting for at_least:\n%s\n", a.c_str(),
                 b.c_str(), c.c_str());
    fuzz::fail("whole, split and waiting parses differ");
  }
  return 0;
}
