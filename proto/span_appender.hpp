// proto/span_appender.hpp — text appended to a caller's fixed span, all or nothing: the
// writers of proto/ (handshake requests and answers, extension answers) return the bytes
// written, or 0 when anything did not fit. Owns nothing; the span is the caller's.
#pragma once

#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>

namespace sluice::proto {

class SpanAppender {
 public:
    explicit SpanAppender(std::span<char> out) noexcept : out_(out) {}

    void put(std::string_view s) noexcept {
        if (!ok_ || s.size() > out_.size() - used_) {
            ok_ = false;
            return;
        }
        if (!s.empty()) std::memcpy(out_.data() + used_, s.data(), s.size());
        used_ += s.size();
    }
    // A number below 100 in decimal (window bits, small counts).
    void put_small_number(unsigned n) noexcept {
        const char digits[2] = {static_cast<char>('0' + n / 10 % 10), static_cast<char>('0' + n % 10)};
        put(n >= 10 ? std::string_view(digits, 2) : std::string_view(digits + 1, 1));
    }
    // The bytes written, or 0 if anything did not fit (then nothing is to be sent).
    std::size_t result() const noexcept { return ok_ ? used_ : 0; }

 private:
    std::span<char> out_;
    std::size_t used_ = 0;
    bool ok_ = true;
};

}  // namespace sluice::proto
