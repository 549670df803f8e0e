// app/settings.hpp — every setting of a Server, with its default (README "Settings and their
// defaults"). Server's chained setters write these; Server::validate() checks them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

// A topic's bounded history (Server::topic_history): the last messages kept so that a client
// coming back with the last id it saw gets what it missed. Every bound that is not 0 applies.
struct TopicHistoryLimits {
    std::size_t max_messages = 100;          // 0 = no count bound
    std::size_t max_bytes = 0;               // payload bytes kept; 0 = no byte bound
    std::chrono::milliseconds max_age{0};    // older messages are forgotten; 0 = no age bound
};

// Every setting with its default. Server's chained setters write these; validate() checks them.
struct Settings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 60000;                    // 0 = any free port (tests), see bound_port()
    bool nodelay = true;                           // TCP_NODELAY on accepted sockets
    bool linger = false;                           // see Server::linger()
    std::size_t output_block_size = 16 * 1024;     // block size of the output pool (one block per queued burst)
    std::size_t http_buffer_size = 16 * 1024;      // largest HTTP request header section (431 above it)
    std::size_t max_request_line = 8 * 1024;       // 414 above it
    std::size_t max_body_size = 1024 * 1024;       // 413 above it
    std::size_t max_message_size = 16 * 1024 * 1024;   // WebSocket message (1009 above it, RFC 6455 §7.4.1)
    std::size_t max_backpressure = 1024 * 1024;    // bytes queued per connection before sends are dropped
    std::size_t max_connections = 10000;           // over it, new connections are closed at once
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds handshake_timeout{15'000};
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
    std::chrono::milliseconds response_timeout{60'000};
    std::chrono::milliseconds message_timeout{60'000};
    std::chrono::milliseconds close_timeout{5'000};
    std::chrono::milliseconds backpressure_timeout{30'000};
    std::chrono::milliseconds shutdown_timeout{10'000};
    std::chrono::milliseconds sse_heartbeat{15'000};   // SSE comment this often: proxies drop silent streams
    std::chrono::milliseconds poll_timeout{25'000};    // a held long-poll is answered empty after this (under proxies' 30 s)
    std::vector<std::string> allowed_origins;      // empty = any Origin (RFC 6455 §10.2)
    // Topics that keep a history (and so number their messages): name -> bounds.
    std::vector<std::pair<std::string, TopicHistoryLimits>> topic_histories;
    // Peers (addresses, CIDR ranges) whose X-Forwarded-For / Forwarded / X-Forwarded-Proto are
    // believed (app/trusted_proxies.hpp); empty = none: a client could write those itself.
    std::vector<std::string> trusted_proxies;
    unsigned threads = 1;
};

}  // namespace sluice
