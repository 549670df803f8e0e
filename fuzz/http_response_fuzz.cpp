// fuzz/http_response_fuzz.cpp — proto::HttpResponseParser and BodyDecoder in the client role,
// on arbitrary responses (not only the handshake's 101), differential by splits.
//
// Input: [flags] [split header, see fuzz/fuzz_input.hpp] [response bytes]. flags bit 0: every
// response answers a HEAD request (no body, whatever the head says). The bytes are read as
// a keep-alive connection's responses: head, body by its framing (Content-Length, chunked,
// or until the connection closes), reset, next response; once whole, once in input-chosen
// pieces (the parser is given the whole unconsumed input so far, freshly copied each time,
// as the caller may move it). The two transcripts — every response's fields, its decoded
// body, the error that ended it — must be equal. Also asserted: status 100..999, a reason
// without CR/LF, trimmed header values, §6.3 framing (1xx/204/304 carry no body; a body
// until close ends keep-alive), decoded bodies within max_body.
// Small limits make the bad_status_line / 431 / 413 paths reachable within -max_len.
#include "proto/http_response.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "proto/http_body.hpp"

namespace {

using namespace sluice;

constexpr proto::HttpLimits kLimits{.max_request_line = 256,
                                    .max_header_section = 1024,
                                    .max_headers = 16,
                                    .max_body = 2048};
constexpr int kMaxResponses = 8;

bool is_ows(char c) { return c == ' ' || c == '\t'; }

class ClientConnection {
 public:
    explicit ClientConnection(bool head) : head_(head) {}

    void feed(std::span<const std::uint8_t> chunk) {
        pending_.insert(pending_.end(), chunk.begin(), chunk.end());
        while (!stopped_ && (in_body_ ? body_step() : head_step())) {
        }
    }
    std::string finish() {
        if (until_close_) transcript_ += "body until close " + std::to_string(body_.size()) + " [" + body_ + "]\n";
        transcript_ += stopped_ ? "stopped\n" : (in_body_ ? "mid-body\n" : "mid-head\n");
        return transcript_;
    }

 private:
    // An exact-size copy of what is pending: any read past it trips ASan.
    std::unique_ptr<std::uint8_t[]> copy_pending() const {
        std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[pending_.size()]);
        for (std::size_t i = 0; i < pending_.size(); ++i) copy[i] = pending_[i];
        return copy;
    }
    void drop(std::size_t n) { pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n)); }

    bool head_step() {
        const auto copy = copy_pending();
        const std::span<const std::uint8_t> input(copy.get(), pending_.size());
        proto::HttpHeader storage[kLimits.max_headers];
        proto::HttpResponse response;
        const proto::HeadResult r = parser_.parse_head(input, storage, response);
        if (r.status == proto::ParseStatus::need_more) {
            SLUICE_FUZZ_CHECK(r.consumed == 0);
            return false;
        }
        if (r.status == proto::ParseStatus::error) {
            SLUICE_FUZZ_CHECK(r.error != proto::HttpError::none);
            transcript_ += "error " + std::string(proto::http_error_name(r.error)) + "\n";
            stopped_ = true;
            return false;
        }
        SLUICE_FUZZ_CHECK(r.consumed > 0 && r.consumed <= input.size());
        describe(response);
        drop(r.consumed);
        parser_.reset();
        const bool no_body = head_ || response.status < 200 || response.status == 204 || response.status == 304;
        if (no_body) return count_response();
        if (response.body_until_close) {
            until_close_ = true;  // everything from here on is body
            in_body_ = true;
            body_.clear();
            return true;
        }
        decoder_.start(response.body_framing, response.content_length, kLimits);
        body_.clear();
        in_body_ = true;
        return true;
    }

    bool body_step() {
        if (until_close_) {
            body_.append(pending_.begin(), pending_.end());
            pending_.clear();
            return false;
        }
        const auto copy = copy_pending();
        const std::span<std::uint8_t> input(copy.get(), pending_.size());
        const proto::BodyResult r = decoder_.decode(input);
        SLUICE_FUZZ_CHECK(r.consumed <= input.size() && r.produced <= r.consumed);
        body_.append(reinterpret_cast<const char*>(copy.get()), r.produced);
        SLUICE_FUZZ_CHECK(body_.size() <= kLimits.max_body);
        drop(r.consumed);
        if (r.status == proto::ParseStatus::error) {
            transcript_ += "body error " + std::string(proto::http_error_name(r.error)) + "\n";
            stopped_ = true;
            return false;
        }
        if (r.status == proto::ParseStatus::need_more) return r.consumed > 0 && !pending_.empty();
        transcript_ += "body " + std::to_string(body_.size()) + " [" + body_ + "]\n";
        in_body_ = false;
        return count_response();
    }

    bool count_response() {
        if (++responses_ == kMaxResponses) stopped_ = true;
        return !stopped_;
    }

    void describe(const proto::HttpResponse& r) {
        SLUICE_FUZZ_CHECK(r.status >= 100 && r.status <= 999);
        SLUICE_FUZZ_CHECK(r.reason.find_first_of("\r\n") == std::string_view::npos);
        SLUICE_FUZZ_CHECK(r.headers.size() <= kLimits.max_headers);
        if (r.status < 200 || r.status == 204 || r.status == 304)
            SLUICE_FUZZ_CHECK(r.body_framing == proto::BodyFraming::none && !r.body_until_close);
        if (r.body_until_close) SLUICE_FUZZ_CHECK(!r.keep_alive && r.body_framing == proto::BodyFraming::none);
        transcript_ += "response " + std::to_string(r.status) + " [" + std::string(r.reason) + "]" +
                       (r.version == proto::HttpVersion::http11 ? " 1.1" : " 1.0") +
                       " framing=" + std::to_string(static_cast<int>(r.body_framing)) +
                       " length=" + std::to_string(r.content_length) +
                       " until_close=" + std::to_string(r.body_until_close) +
                       " keep_alive=" + std::to_string(r.keep_alive) + "\n";
        for (const proto::HttpHeader& h : r.headers) {
            SLUICE_FUZZ_CHECK(!h.name.empty());
            SLUICE_FUZZ_CHECK(h.value.empty() || (!is_ows(h.value.front()) && !is_ows(h.value.back())));
            SLUICE_FUZZ_CHECK(r.header(h.name).has_value() && r.header_count(h.name) >= 1);
            transcript_ += "  " + std::string(h.name) + ": " + std::string(h.value) + "\n";
        }
    }

    bool head_;
    proto::HttpResponseParser parser_{kLimits};
    proto::BodyDecoder decoder_;
    std::vector<std::uint8_t> pending_;
    std::string transcript_;
    std::string body_;
    bool in_body_ = false;
    bool until_close_ = false;
    bool stopped_ = false;
    int responses_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool head = (data[0] & 1) != 0;
    const fuzz::SplitInput input(data + 1, size - 1);
    ClientConnection whole(head);
    whole.feed(input.payload());
    ClientConnection pieces(head);
    input.for_each_chunk([&](std::span<std::uint8_t> chunk) { pieces.feed(chunk); });
    const std::string a = whole.finish();
    const std::string b = pieces.finish();
    if (a != b) {
        std::fprintf(stderr, "--- whole:\n%s--- in pieces:\n%s", a.c_str(), b.c_str());
        fuzz::fail("whole and split parses differ");
    }
    return 0;
}
