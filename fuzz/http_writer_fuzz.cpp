// fuzz/http_writer_fuzz.cpp — proto::ResponseWriter, write_response, write_error_response
// and DateCache, against a model and read back by HttpResponseParser.
//
// Input: [status: 2 bytes LE][flags][capacity / 8] then ops, each [op][len][len bytes...]:
//   status_line, header(name: value), header(name, number), date, content_length, chunked,
//   fields(lines), end_head, body, chunk, chunk_size, chunk_end, last_chunk, continue_100,
//   write_response, write_error_response. A string's first ':' splits it into name and value.
// Checked:
//   - the writer's bytes equal the model's (the same calls applied to a std::string, with the
//     writer's documented validity rules written out here: token names, field-value bytes,
//     1xx/204/304 and HEAD writing no content); when the model's bytes do not fit the
//     capacity or a call was invalid, ok() is false and stays false, never a partial success;
//   - a head that was ended parses back (HttpResponseParser) with the same status and as many
//     field lines as were written: no string can inject a header line;
//   - DateCache's text equals strftime's IMF-fixdate for any second of the years 1000-9999;
//   - write_response / write_error_response return 0 or a response that fits, parses with
//     its status, and carries Connection: close exactly for error_closes_connection statuses.
#include "proto/http_writer.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "proto/http_response.hpp"

namespace {

using namespace sluice;

bool is_tchar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}
bool model_name(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(static_cast<unsigned char>(c))) return false;
    return true;
}
bool model_value(std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
}
bool model_lines(std::string_view s) {
    while (!s.empty()) {
        const std::size_t end = s.find("\r\n");
        if (end == std::string_view::npos) return false;
        const std::string_view line = s.substr(0, end);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !model_name(line.substr(0, colon)) ||
            !model_value(line.substr(colon + 1)))
            return false;
        s.remove_prefix(end + 2);
    }
    return true;
}

class Reader {
 public:
    Reader(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    bool empty() const { return at_ >= n_; }
    std::uint8_t byte() { return at_ < n_ ? d_[at_++] : 0; }
    std::string_view str() {
        std::size_t len = byte();
        if (len > n_ - at_) len = n_ - at_;
        std::string_view s(reinterpret_cast<const char*>(d_ + at_), len);
        at_ += len;
        return s;
    }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
        return v;
    }

 private:
    const std::uint8_t* d_;
    std::size_t n_;
    std::size_t at_ = 0;
};

std::pair<std::string_view, std::string_view> split_colon(std::string_view s) {
    const std::size_t c = s.find(':');
    if (c == std::string_view::npos) return {s, {}};
    return {s.substr(0, c), s.substr(c + 1)};
}

std::string hex(std::size_t v) {
    std::string s;
    do {
        s.insert(s.begin(), "0123456789abcdef"[v & 15]);
        v >>= 4;
    } while (v != 0);
    return s;
}

// Parses a response head; returns the status (or -1) and the field count.
std::pair<int, std::size_t> parse_back(std::string_view bytes, bool* has_close = nullptr) {
    proto::HttpResponseParser parser;
    std::array<proto::HttpHeader, 128> storage{};
    proto::HttpResponse response;
    const proto::HeadResult r = parser.parse_head(
        {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, storage, response);
    if (r.status != proto::ParseStatus::done) return {-1, 0};
    if (has_close != nullptr) *has_close = response.header_has_token("Connection", "close");
    return {response.status, response.headers.size()};
}

void check_date(std::int64_t t) {
    proto::DateCache dates;
    dates.update(t);
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    SLUICE_FUZZ_CHECK(gmtime_r(&tt, &tm) != nullptr);
    char want[64];
    const std::size_t n = std::strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    SLUICE_FUZZ_CHECK(dates.value() == std::string_view(want, n));
    SLUICE_FUZZ_CHECK(dates.seconds() == t);
}

void check_simple(Reader& in, bool error_form) {
    const int status = 100 + in.byte() * 4 % 900;
    std::vector<char> out(in.byte() * 4u);
    std::size_t n = 0;
    if (error_form) {
        const std::string_view extra = in.str(), body = in.str();
        n = proto::write_error_response(status, out, extra, body);
    } else {
        proto::SimpleResponse r;
        r.status = status;
        r.content_type = in.str();
        r.body = in.str();
        r.extra_headers = in.str();
        r.head_request = (in.byte() & 1) != 0;
        r.close = (in.byte() & 1) != 0;
        proto::DateCache dates;
        dates.update(1719912345);
        r.date = (in.byte() & 1) != 0 ? &dates : nullptr;
        n = proto::write_response(r, out);
    }
    SLUICE_FUZZ_CHECK(n <= out.size());
    if (n == 0) return;
    bool close = false;
    const auto [parsed, fields] = parse_back({out.data(), n}, &close);
    SLUICE_FUZZ_CHECK(parsed == status);
    (void)fields;
    if (error_form) SLUICE_FUZZ_CHECK(close == proto::error_closes_connection(status));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in(data, size);
    const int code = in.byte() | (in.byte() << 8);
    const int status = (code & 0x8000) != 0 ? code % 1100 : 100 + code % 900;
    const std::uint8_t flags = in.byte();
    std::vector<char> out(in.byte() * 8u);
    proto::ResponseWriter w{std::span<char>(out)};
    const bool head = (flags & 1) != 0;
    w.set_head_request(head);

    std::string model;
    bool valid = true, bodiless = false, ended = false, started = false, raw = false;
    std::size_t field_lines = 0, head_fields = 0;
    auto add = [&](bool ok_call, const std::string& bytes) {
        if (!valid) return;
        if (!ok_call) valid = false;
        else model += bytes;
    };
    while (!in.empty()) {
        const std::uint8_t op = in.byte();
        switch (op % 16) {
            case 0: {  // status_line with an optional reason
                const std::string_view reason = in.str();
                w.status_line(status, reason);
                const std::string_view phrase = reason.empty() ? proto::http_reason_phrase(status) : reason;
                const bool ok_call = status >= 100 && status <= 999 && model_value(phrase);
                if (ok_call && valid) bodiless = !proto::status_has_body(status), started = model.empty();
                add(ok_call, "HTTP/1.1 " + std::to_string(status) + " " + std::string(phrase) + "\r\n");
                break;
            }
            case 1: {
                const auto [name, value] = split_colon(in.str());
                w.header(name, value);
                add(model_name(name) && model_value(value), std::string(name) + ": " + std::string(value) + "\r\n");
                ++field_lines;
                break;
            }
            case 2: {
                const std::string_view name = in.str();
                const std::uint64_t v = in.u64();
                w.header(name, v);
                add(model_name(name), std::string(name) + ": " + std::to_string(v) + "\r\n");
                ++field_lines;
                break;
            }
            case 3: {
                proto::DateCache dates;
                // Seconds of the years 1000..9999 (IMF-fixdate has a 4-digit year).
                const std::int64_t t = -30610224000LL + static_cast<std::int64_t>(in.u64() % 284012524800ULL);
                dates.update(t);
                w.date(dates);
                check_date(t);
                add(true, "Date: " + std::string(dates.value()) + "\r\n");
                ++field_lines;
                break;
            }
            case 4: {
                const std::uint64_t n = in.u64();
                w.content_length(n);
                if (!bodiless) add(true, "Content-Length: " + std::to_string(n) + "\r\n"), ++field_lines;
                break;
            }
            case 5:
                w.chunked();
                add(true, "Transfer-Encoding: chunked\r\n");
                ++field_lines;
                break;
            case 6: {  // complete lines: '\n' in the input stands for CRLF
                std::string lines(in.str());
                std::string crlf;
                for (char c : lines) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
                w.fields(crlf);
                add(model_lines(crlf), crlf);
                for (std::size_t i = 0; i + 1 < crlf.size(); ++i) field_lines += crlf[i] == '\r' && crlf[i + 1] == '\n';
                break;
            }
            case 7:
                w.end_head();
                if (valid && started && !ended) ended = true, head_fields = field_lines;
                add(true, "\r\n");
                break;
            case 8: {
                raw = raw || !ended;
                const std::string_view b = in.str();
                w.body(b);
                if (!head && !bodiless) add(true, std::string(b));
                break;
            }
            case 9: {
                raw = raw || !ended;
                const std::string_view b = in.str();
                w.chunk(b);
                if (!head && !b.empty()) add(true, hex(b.size()) + "\r\n" + std::string(b) + "\r\n");
                break;
            }
            case 10: {
                raw = raw || !ended;
                const std::size_t n = static_cast<std::size_t>(in.byte()) << 4 | in.byte();
                w.chunk_size(n);
                if (!head && n != 0) add(true, hex(n) + "\r\n");
                break;
            }
            case 11:
                raw = raw || !ended;
                w.chunk_end();
                if (!head) add(true, "\r\n");
                break;
            case 12:
                raw = raw || !ended;
                w.last_chunk();
                if (!head) add(true, "0\r\n\r\n");
                break;
            case 13:
                raw = raw || !ended;
                w.continue_100();
                add(true, "HTTP/1.1 100 Continue\r\n\r\n");
                if (valid) bodiless = true;
                break;
            case 14: check_simple(in, false); break;
            default: check_simple(in, true); break;
        }
        // Sticky: one refused call (invalid or too big) and nothing counts any more.
        if (!valid || model.size() > out.size()) SLUICE_FUZZ_CHECK(!w.ok());
        else SLUICE_FUZZ_CHECK(w.ok() && w.view() == model);
    }
    // A head that was written whole, from its status line, parses back with every field line.
    if (valid && w.ok() && ended && status != 100) {
        const auto [parsed, fields] = parse_back(w.view());
        if (parsed != -1) SLUICE_FUZZ_CHECK(parsed == status && (raw || fields == head_fields));
    }
    return 0;
}
