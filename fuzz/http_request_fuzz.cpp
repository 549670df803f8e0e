// fuzz/http_request_fuzz.cpp — proto::HttpRequestParser and BodyDecoder, differential by splits.
//
// The same bytes are driven twice through a keep-alive connection's loop (head, body,
// reset, next pipelined request ...): once whole, once arriving in input-chosen pieces (the
// parser is given the whole unconsumed input so far, freshly copied each time, as the
// caller may move it). Each run writes a transcript — every request's fields, its decoded
// body, the error that ended it — and the two transcripts must be equal. Also asserted:
// results within the limits, trimmed header values, statuses in 4xx/5xx.
// Small limits make the 414 / 431 / 413 paths reachable within -max_len.
#include "proto/http_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "proto/http_target.hpp"

namespace {

using namespace sluice;

constexpr proto::HttpLimits kLimits{.max_request_line = 256,
                                    .max_header_section = 1024,
                                    .max_headers = 16,
                                    .max_body = 2048};
constexpr int kMaxRequests = 8;

bool is_ows(char c) { return c == ' ' || c == '\t'; }

class Connection {
 public:
  void feed(std::span<const std::uint8_t> chunk) {
    pending_.insert(pending_.end(), chunk.begin(), chunk.end());
    pump();
  }
  std::string finish() {
    transcript_ += stopped_ ? "stopped\n" : (in_body_ ? "mid-body\n" : "mid-head\n");
    return transcript_;
  }

 private:
  void pump() {
    while (!stopped_) {
      if (!(in_body_ ? body_step() : head_step())) return;
    }
  }

  // Returns true when it made progress and the loop should go on.
  bool head_step() {
    // An exact-size copy: any read past the unconsumed input trips ASan.
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[pending_.size()]);
    for (std::size_t i = 0; i < pending_.size(); ++i) copy[i] = pending_[i];
    const std::span<const std::uint8_t> input(copy.get(), pending_.size());
    proto::HttpHeader storage[kLimits.max_headers];
    proto::HttpRequest request;
    const proto::HeadResult r = parser_.parse_head(input, storage, request);
    if (r.status == proto::ParseStatus::need_more) {
      SLUICE_FUZZ_CHECK(r.consumed == 0);
      return false;
    }
    if (r.status == proto::ParseStatus::error) {
      const int status = proto::http_status(r.error);
      SLUICE_FUZZ_CHECK(status >= 400 && status <= 599);
      transcript_ += "error " + std::string(proto::http_error_name(r.error)) + "\n";
      stopped_ = true;
      return false;
    }
    SLUICE_FUZZ_CHECK(r.consumed > 0 && r.consumed <= input.size());
    SLUICE_FUZZ_CHECK(request.headers.size() <= kLimits.max_headers);
    SLUICE_FUZZ_CHECK(!request.method.empty() && !request.target.empty());
    // The parser checked the target's form (RFC 9112 §3.2); the public check agrees.
    SLUICE_FUZZ_CHECK(proto::check_target_form(request.method, request.target) == proto::HttpError::none);
    describe(request);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(r.consumed));
    decoder_.start(request, kLimits);
    // The decoder has nothing to read exactly when no body follows (RFC 9112 §6.3).
    SLUICE_FUZZ_CHECK(request.body_follows() == !decoder_.done());
    body_.clear();
    in_body_ = true;
    return true;
  }

  bool body_step() {
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[pending_.size()]);
    for (std::size_t i = 0; i < pending_.size(); ++i) copy[i] = pending_[i];
    const std::span<std::uint8_t> input(copy.get(), pending_.size());
    const proto::BodyResult r = decoder_.decode(input);
    SLUICE_FUZZ_CHECK(r.consumed <= input.size() && r.produced <= r.consumed);
    body_.append(reinterpret_cast<const char*>(copy.get()), r.produced);
    SLUICE_FUZZ_CHECK(body_.size() <= kLimits.max_body);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(r.consumed));
    if (r.status == proto::ParseStatus::error) {
      transcript_ += "body error " + std::string(proto::http_error_name(r.error)) + "\n";
      stopped_ = true;
      return false;
    }
    SLUICE_FUZZ_CHECK(decoder_.body_bytes() == body_.size());  // decoded so far
    if (r.status == proto::ParseStatus::need_more) return r.consumed > 0 && !pending_.empty();
    SLUICE_FUZZ_CHECK(decoder_.done());
    transcript_ += "body " + std::to_string(body_.size()) + " [" + body_ + "]\n";
    parser_.reset();
    in_body_ = false;
    if (++requests_ == kMaxRequests) stopped_ = true;
    return true;
  }

  void describe(const proto::HttpRequest& q) {
    std::string& t = transcript_;
    t += "request " + std::string(q.method) + " " + std::string(q.target) + " path=" +
         std::string(q.path) + " query=" + std::string(q.query) +
         (q.version == proto::HttpVersion::http11 ? " 1.1" : " 1.0") +
         " framing=" + std::to_string(static_cast<int>(q.body_framing)) +
         " length=" + std::to_string(q.content_length) + " keep_alive=" +
         std::to_string(q.keep_alive) + " expect=" + std::to_string(q.expect_continue) + "\n";
    for (const proto::HttpHeader& h : q.headers) {
      SLUICE_FUZZ_CHECK(!h.name.empty());
      SLUICE_FUZZ_CHECK(h.value.empty() || (!is_ows(h.value.front()) && !is_ows(h.value.back())));
      SLUICE_FUZZ_CHECK(q.header(h.name).has_value() && q.header_count(h.name) >= 1);
      t += "  " + std::string(h.name) + ": " + std::string(h.value) + "\n";
    }
    if (q.body_framing == proto::BodyFraming::content_length)
      SLUICE_FUZZ_CHECK(q.content_length <= kLimits.max_body);
  }

  proto::HttpRequestParser parser_{kLimits};
  proto::BodyDecoder decoder_;
  std::vector<std::uint8_t> pending_;
  std::string transcript_;
  std::string body_;
  bool in_body_ = false;
  bool stopped_ = false;
  int requests_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::SplitInput input(data, size);
  Connection whole;
  whole.feed(input.payload());
  Connection pieces;
  input.for_each_chunk([&](std::span<std::uint8_t> chunk) { pieces.feed(chunk); });
  const std::string a = whole.finish();
  const std::string b = pieces.finish();
  if (a != b) {
    std::fprintf(stderr, "--- whole:\n%s--- in pieces:\n%s", a.c_str(), b.c_str());
    fuzz::fail("whole and split parses differ");
  }
  return 0;
}
