#include "app/demo/util.hpp"

#include "app/context.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace sluice::demo {

void refuse_plain_http(Context& ctx, std::string_view why) {
    ctx.set_header("Upgrade", "websocket");
    ctx.respond(426, why);
}

std::string next_client_id() {
    static std::atomic<std::uint64_t> counter{0};
    return "client_" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::int64_t unix_time_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string iso8601_utc(std::int64_t unix_ms) {
    const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
    return buf;
}

std::optional<std::uint64_t> parse_vmrss_kb(std::string_view status) {
    constexpr std::string_view kKey = "VmRSS:";
    std::size_t at = 0;
    while (at < status.size()) {
        const std::size_t eol = std::min(status.find('\n', at), status.size());
        const std::string_view line = status.substr(at, eol - at);
        if (line.substr(0, kKey.size()) == kKey) {
            std::size_t i = kKey.size();
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            std::uint64_t kb = 0;
            std::size_t digits = 0;
            for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i, ++digits) {
                kb = kb * 10 + static_cast<std::uint64_t>(line[i] - '0');
            }
            if (digits == 0) return std::nullopt;
            return kb;
        }
        at = eol + 1;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> resident_memory_kb() {
    std::ifstream in("/proc/self/status");
    if (!in) return std::nullopt;
    std::ostringstream all;
    all << in.rdbuf();
    return parse_vmrss_kb(all.str());
}

std::uint64_t Random::next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double Random::uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::size_t utf8_length(std::string_view text) noexcept {
    std::size_t n = 0;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::size_t utf8_offset(std::string_view text, std::size_t index) noexcept {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            if (seen == index) return i;
            ++seen;
        }
    }
    return text.size();
}

}  // namespace sluice::demo
