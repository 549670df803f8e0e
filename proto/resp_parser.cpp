#include "proto/resp_parser.hpp"

namespace sluice::proto {

namespace {

// Open arrays are tracked on the stack of the call; max_depth is clamped to this.
constexpr std::uint32_t kMaxDepth = 32;

constexpr bool is_digit(std::uint8_t c) noexcept { return c >= '0' && c <= '9'; }

std::size_t saturating_add(std::size_t a, std::uint64_t b) noexcept {
    return b > SIZE_MAX - a ? SIZE_MAX : a + static_cast<std::size_t>(b);
}

struct Step {  // the outcome of reading one piece; `at_least` only for need_more
    RespStatus status;
    RespError error;
    std::size_t at_least;
};
constexpr Step kOk{RespStatus::done, RespError::none, 0};
constexpr Step failed(RespError e) noexcept { return {RespStatus::error, e, 0}; }
constexpr Step more(std::size_t at_least) noexcept { return {RespStatus::need_more, RespError::none, at_least}; }

// The line from p[from] to its CRLF: `end` is the CR's index. Checked byte by byte, so the
// first bad byte decides the error however much of the input is present.
Step scan_line(const std::uint8_t* p, std::size_t n, std::size_t from, std::uint32_t max_line,
               std::size_t& end) noexcept {
    for (std::size_t i = from; i < n; ++i) {
        if (p[i] == '\n') return failed(RespError::bare_lf);
        if (p[i] == '\r') {
            if (i + 1 == n) return more(n + 1);
            if (p[i + 1] != '\n') return failed(RespError::bad_line_end);
            end = i;
            return kOk;
        }
        if (i - from == max_line) return failed(RespError::line_too_long);
    }
    return more(n + 1);
}

// "Integers": [ "+" | "-" ] 1*DIGIT, within signed 64 bits.
RespError read_integer(std::string_view s, std::int64_t& out) noexcept {
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return RespError::bad_integer;
    for (char c : s) {
        if (!is_digit(static_cast<std::uint8_t>(c))) return RespError::bad_integer;
    }
    const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
    std::uint64_t magnitude = 0;
    for (char c : s) {
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (magnitude > (limit - d) / 10) return RespError::integer_out_of_range;
        magnitude = magnitude * 10 + d;
    }
    // Negating in unsigned arithmetic, then converting, is exact for INT64_MIN too.
    out = negative ? static_cast<std::int64_t>(~magnitude + 1) : static_cast<std::int64_t>(magnitude);
    return RespError::none;
}

// A length: "-1" (is_null), or 1*DIGIT with no leading zero; saturates at UINT64_MAX
// (the caller's limit then refuses it).
RespError read_length(std::string_view s, std::uint64_t& out, bool& is_null) noexcept {
    is_null = false;
    if (!s.empty() && s[0] == '-') {
        s.remove_prefix(1);
        if (s.empty() || s[0] == '0') return RespError::bad_length;
        for (char c : s) {
            if (!is_digit(static_cast<std::uint8_t>(c))) return RespError::bad_length;
        }
        if (s != "1") return RespError::negative_length;
        is_null = true;
        return RespError::none;
    }
    if (s.empty() || (s[0] == '0' && s.size() > 1)) return RespError::bad_length;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(static_cast<std::uint8_t>(c))) return RespError::bad_length;
        const auto d = static_cast<std::uint64_t>(c - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    out = v;
    return RespError::none;
}

struct Open {
    std::uint32_t remaining;  // elements still to come
    std::uint32_t index;      // the array's own value
};

RespResult error_result(RespError e) noexcept { return {RespStatus::error, 0, 0, 0, e}; }

}  // namespace

RespResult parse_resp(std::span<const std::uint8_t> input, std::span<RespValue> values,
                      const RespLimits& limits) noexcept {
    const std::uint8_t* p = input.data();
    const std::size_t n = input.size();
    const std::uint32_t max_depth = limits.max_depth < kMaxDepth ? limits.max_depth : kMaxDepth;
    Open open[kMaxDepth];
    std::uint32_t depth = 0;
    std::size_t pos = 0;
    std::uint32_t count = 0;
    for (;;) {
        if (pos >= n) return {RespStatus::need_more, 0, 0, pos + 1, RespError::none};
        const std::uint8_t type = p[pos];
        if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*' && type != '>')
            return error_result(RespError::unknown_type);
        std::size_t end = 0;
        const Step line = scan_line(p, n, pos + 1, limits.max_line, end);
        if (line.status == RespStatus::error) return error_result(line.error);
        if (line.status == RespStatus::need_more) return {RespStatus::need_more, 0, 0, line.at_least, RespError::none};
        if (count == values.size()) return error_result(RespError::too_many_values);
        RespValue& v = values[count];
        const std::uint32_t index = count++;
        v = RespValue{};
        const std::string_view header(reinterpret_cast<const char*>(p) + pos + 1, end - pos - 1);
        pos = end + 2;
        switch (type) {
            case '+': v.type = RespType::simple_string; v.text = header; break;
            case '-': v.type = RespType::error; v.text = header; break;
            case ':': {
                v.type = RespType::integer;
                const RespError e = read_integer(header, v.integer);
                if (e != RespError::none) return error_result(e);
                break;
            }
            case '$': {
                std::uint64_t length = 0;
                bool is_null = false;
                const RespError e = read_length(header, length, is_null);
                if (e != RespError::none) return error_result(e);
                if (is_null) break;  // null_bulk, the default
                if (length > limits.max_bulk_length) return error_result(RespError::bulk_too_long);
                const std::size_t data_end = saturating_add(pos, length);
                if (data_end < n && p[data_end] != '\r') return error_result(RespError::bad_bulk_end);
                if (data_end + 1 < n && p[data_end + 1] != '\n') return error_result(RespError::bad_bulk_end);
                // The next byte that can change the answer: the CR (which may be wrong), then the LF.
                if (data_end >= n) return {RespStatus::need_more, 0, 0, saturating_add(data_end, 1), RespError::none};
                if (data_end + 1 == n) return {RespStatus::need_more, 0, 0, n + 1, RespError::none};
                v.type = RespType::bulk_string;
                v.text = {reinterpret_cast<const char*>(p) + pos, data_end - pos};
                pos = data_end + 2;
                break;
            }
            default: {  // '*' and '>'
                std::uint64_t length = 0;
                bool is_null = false;
                const RespError e = read_length(header, length, is_null);
                if (e != RespError::none) return error_result(e);
                if (is_null) {
                    if (type == '>') return error_result(RespError::null_push);
                    v.type = RespType::null_array;
                    break;
                }
                if (length > limits.max_array_length) return error_result(RespError::array_too_long);
                if (depth + 1 > max_depth) return error_result(RespError::too_deep);
                v.type = type == '>' ? RespType::push : RespType::array;
                v.integer = static_cast<std::int64_t>(length);
                if (length == 0) break;
                open[depth++] = {static_cast<std::uint32_t>(length), index};
                continue;  // its elements come next
            }
        }
        // A value is complete: it may complete the arrays that hold it.
        while (depth > 0 && --open[depth - 1].remaining == 0) {
            const Open& done = open[--depth];
            values[done.index].size = count - done.index;
        }
        if (depth == 0) return {RespStatus::done, pos, count, 0, RespError::none};
    }
}

std::string_view resp_error_name(RespError e) noexcept {
    switch (e) {
        case RespError::none: return "none";
        case RespError::unknown_type: return "unknown_type";
        case RespError::bare_lf: return "bare_lf";
        case RespError::bad_line_end: return "bad_line_end";
        case RespError::bad_integer: return "bad_integer";
        case RespError::integer_out_of_range: return "integer_out_of_range";
        case RespError::bad_length: return "bad_length";
        case RespError::negative_length: return "negative_length";
        case RespError::null_push: return "null_push";
        case RespError::bad_bulk_end: return "bad_bulk_end";
        case RespError::line_too_long: return "line_too_long";
        case RespError::bulk_too_long: return "bulk_too_long";
        case RespError::array_too_long: return "array_too_long";
        case RespError::too_deep: return "too_deep";
        case RespError::too_many_values: return "too_many_values";
    }
    return "unknown";
}

}  // namespace sluice::proto
