// app/detail/access_log.cpp
#include "app/detail/access_log.hpp"

#include <cstdio>

namespace sluice::detail {

namespace {

// Milliseconds with three decimals (microsecond resolution).
std::string log_millis(net::Clock::duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(us / 1000), static_cast<long long>(us % 1000));
    return buf;
}

// A peer's text quoted: '"', '\' and bytes outside printable ASCII as \xNN, so one
// request is always one line whatever its target holds.
std::string log_quoted(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

}  // namespace

std::string AccessLog::http_line(std::uint64_t id, std::string_view peer, std::string_view method,
                                 std::string_view target, const RequestTally& t, net::TimePoint now) {
    std::string line = "access http id=" + std::to_string(id) + " peer=" + std::string(peer);
    line += " method=" + (t.routed ? std::string(method) : std::string("-"));   // a token (RFC 9110 §9.1)
    line += " target=" + (t.routed ? log_quoted(target) : std::string("\"-\""));
    line += " status=" + std::to_string(t.status) + " bytes=" + std::to_string(t.bytes);
    line += " ms=" + log_millis(now - t.begun);
    return line;
}

std::string AccessLog::ws_line(std::uint64_t id, std::string_view peer, std::string_view route, const SessionTally& t,
                               std::uint16_t code, net::TimePoint now) {
    std::string line = "access ws id=" + std::to_string(id) + " peer=" + std::string(peer);
    line += " route=" + log_quoted(route);
    line += " ms=" + log_millis(now - t.begun);
    line += " in_msgs=" + std::to_string(t.messages_in) + " in_bytes=" + std::to_string(t.bytes_in);
    line += " out_msgs=" + std::to_string(t.messages_out) + " out_bytes=" + std::to_string(t.bytes_out);
    line += " close=" + std::to_string(code);
    return line;
}

}  // namespace sluice::detail
