// app/detail/access_log.hpp — the access log (Settings::access_log): one line per HTTP
// request and one per WebSocket session, handed to Server::on_log. Off by default; off, the
// WebSocket path pays one null-pointer test per message (no tally is made).
//
//   access http id=3 peer=127.0.0.1:50000 method=GET target="/hello?x=1" status=200 bytes=5 ms=0.210
//   access ws id=4 peer=127.0.0.1:50002 route="/chat" ms=5120.004 in_msgs=3 in_bytes=15 out_msgs=4 out_bytes=31 close=1000
//
// bytes: the response body's bytes (a stream's chunks summed; an error's own text); ms: from
// the request head's first byte to the end of the answer, or from the 101 to the session's end.
// A request the parser refused has method=- target="-".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app/settings.hpp"
#include "net/timer.hpp"

namespace sluice::detail {

struct RequestTally {  // One HTTP request's figures, kept by its HttpExchange.
    net::TimePoint begun{};     // its head's first byte
    int status = 0;             // 0: not answered yet
    std::uint64_t bytes = 0;
    bool routed = false;        // method and target are this request's (not a refused one's)
    void answered(int s, std::size_t body) noexcept { status = s; bytes += body; }
};

struct SessionTally {  // A logged WebSocket session's figures. Owned by its Connection.
    explicit SessionTally(net::TimePoint at) noexcept : begun(at) {}
    net::TimePoint begun;
    std::uint64_t messages_in = 0, bytes_in = 0, messages_out = 0, bytes_out = 0;
    void received(std::size_t n) noexcept { ++messages_in; bytes_in += n; }
    void sent(std::size_t n) noexcept { ++messages_out; bytes_out += n; }
};

class AccessLog {  // One per Worker: the sampling count is its thread's.
 public:
    explicit AccessLog(const Settings& s) noexcept : mode_(s.access_log), one_in_(s.access_log_sample) {}
    // Whether the next request or session is logged: never, always, or 1 in access_log_sample.
    bool enabled() const noexcept { return mode_ != Settings::AccessLog::off; }
    // The clock itself, not the loop's cached time: a request answered within one loop
    // iteration still gets its duration. Read only when enabled().
    static net::TimePoint now() noexcept { return net::Clock::now(); }
    bool pick() noexcept {
        if (mode_ == Settings::AccessLog::off) return false;
        return mode_ == Settings::AccessLog::on || ++seen_ % one_in_ == 0;
    }
    static std::string http_line(std::uint64_t id, std::string_view peer, std::string_view method,
                                 std::string_view target, const RequestTally& t, net::TimePoint now);
    static std::string ws_line(std::uint64_t id, std::string_view peer, std::string_view route, const SessionTally& t,
                               std::uint16_t code, net::TimePoint now);

 private:
    Settings::AccessLog mode_;
    unsigned one_in_;
    std::uint64_t seen_ = 0;
};

}  // namespace sluice::detail
