// app/detail/metrics.hpp — one thread's counters, and the Prometheus text exposition
// (version 0.0.4) of all threads' counters summed (Server::metrics(path) serves it).
//
//   Worker 0: Metrics { Counter ... }  ─┐
//   Worker 1: Metrics { Counter ... }  ─┼─ render_metrics(): summed at scrape time
//   ServerState: publishes             ─┘
//
// Lock-free on the hot path: each Counter has exactly one writer, its worker's thread, which
// adds with a relaxed load and store (a plain add on x86: no lock prefix, no shared cache line
// with another thread's counters); a scrape reads them with relaxed loads from any thread. A
// gauge is two counters (opened, closed), so a reader never sees a torn decrement.
//
// Every counting site in app/ is one short line calling a method here, so the connection
// files stay readable (and merges easy).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sluice::detail {

// What a connection is serving now: each open connection is counted under exactly one kind.
// A connection starts as http; the upgrade makes it websocket; an SSE or long-poll adapter
// calls Connection::set_kind() when its stream or hold begins (and back to http after).
enum class ConnectionKind : std::uint8_t { http, websocket, sse, long_poll };
inline constexpr std::size_t kConnectionKinds = 4;

// Why an accepted socket was closed at once instead of served.
enum class Rejection : std::uint8_t { max_connections, per_address, shutting_down };
inline constexpr std::size_t kRejections = 3;

// Why the memory budget shed a connection (app/detail/memory_budget.hpp).
enum class Shed : std::uint8_t { message_1009, queue_1008 };

class Counter {  // One writer thread (its worker), any number of readers.
 public:
    void add(std::uint64_t n = 1) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
    std::atomic<std::uint64_t> v_{0};
};

// The status codes a WebSocket handshake answer is counted by (the rest under "other").
inline constexpr std::array<int, 8> kHandshakeStatuses = {101, 400, 401, 403, 404, 426, 429, 431};
// The close codes counted one by one (the rest under "other"); 1006 = no close frame.
inline constexpr std::array<int, 11> kCloseCodes = {1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011};

struct Metrics {  // One per Worker, written only by its thread.
    std::array<Counter, kConnectionKinds> opened;   // open now = opened - closed, per kind
    std::array<Counter, kConnectionKinds> closed;
    Counter accepted;
    std::array<Counter, kRejections> rejected;
    std::array<Counter, kHandshakeStatuses.size() + 1> handshakes;   // last: other
    std::array<Counter, 5> http_responses;                            // 1xx .. 5xx
    Counter messages_in, messages_out, bytes_in, bytes_out;           // WebSocket payload bytes
    Counter sends_dropped;                                            // over max_backpressure
    Counter publishes_missed;                                         // a slow subscriber's lost publish
    Counter publish_deliveries;                                       // a published frame queued to a subscriber
    std::array<Counter, kCloseCodes.size() + 1> closes;               // last: other
    Counter subscribed, unsubscribed;                                 // subscriptions now = subscribed - unsubscribed
    Counter pings_sent, pongs_received;                               // keep-alive
    std::array<Counter, 2> shed;                                      // memory budget: 1009, 1008

    void open(ConnectionKind k) noexcept { opened[static_cast<std::size_t>(k)].add(); }
    void close(ConnectionKind k) noexcept { closed[static_cast<std::size_t>(k)].add(); }
    void reject(Rejection r) noexcept { rejected[static_cast<std::size_t>(r)].add(); }
    void handshake(int status) noexcept;
    void http_response(int status) noexcept {
        if (status >= 100 && status < 600) http_responses[static_cast<std::size_t>(status / 100 - 1)].add();
    }
    void received(std::size_t bytes) noexcept { messages_in.add(); bytes_in.add(bytes); }
    void sent(std::size_t bytes) noexcept { messages_out.add(); bytes_out.add(bytes); }
    void ws_close(std::uint16_t code) noexcept;
    void shed_one(Shed why) noexcept { shed[static_cast<std::size_t>(why)].add(); }
};

// Counted once per publish (any thread may publish): not per worker.
struct ServerMetrics {
    std::atomic<std::uint64_t> publishes{0};
};

// The exposition: every metric with its HELP and TYPE lines, the workers' counters summed.
std::string render_metrics(std::span<const Metrics* const> workers, const ServerMetrics& server);

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace sluice::detail
