// app/demo/util.hpp — small helpers shared by the demo applications: client ids, wall
// clock, a seeded PRNG, UTF-8 code point counting, the process's resident memory, and the
// 426 answer of a WebSocket-only route.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {
class Context;
}

namespace sluice::demo {

// A plain HTTP request to a route that speaks only WebSocket: 426 Upgrade Required with
// `Upgrade: websocket` (RFC 9110 §15.5.22: a 426 MUST name the protocol to upgrade to), as
// the router answers a callback route, with `why` as the body.
void refuse_plain_http(Context& ctx, std::string_view why);

// "client_1", "client_2", ... unique in the process, from any thread.
std::string next_client_id();

// Milliseconds since the Unix epoch (the system clock), for "timestamp" fields.
std::int64_t unix_time_ms();

// RFC 3339 / ISO 8601 UTC form of a Unix time in milliseconds: "2026-11-28T01:47:00.123Z".
std::string iso8601_utc(std::int64_t unix_ms);

// The process's resident set size in KiB, read from /proc/self/status (VmRSS). nullopt
// where that file is absent (not Linux) or has no VmRSS line.
std::optional<std::uint64_t> resident_memory_kb();
// The parsing half of resident_memory_kb(), for tests: finds "VmRSS:  1234 kB".
std::optional<std::uint64_t> parse_vmrss_kb(std::string_view proc_status);

// A small deterministic PRNG (SplitMix64): good enough for demo data, seedable for tests.
// Owns its 64-bit state; not thread-safe.
class Random {
 public:
    explicit Random(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next() noexcept;
    // Uniform in [0, 1).
    double uniform() noexcept;

 private:
    std::uint64_t state_;
};

// Number of Unicode code points in valid UTF-8 text (continuation bytes not counted).
std::size_t utf8_length(std::string_view text) noexcept;
// Byte offset of code point `index` in valid UTF-8 text (text.size() when past the end).
std::size_t utf8_offset(std::string_view text, std::size_t index) noexcept;

}  // namespace sluice::demo
