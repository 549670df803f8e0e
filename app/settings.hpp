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

// permessage-deflate (RFC 7692), server-wide (Server::compression) or for one WebSocket route.
// Only a client that offers it gets it (every browser does; a load generator that does not
// pays nothing). Memory per connection: app/README.md "Compression".
struct Compression {
    enum class Level : std::uint8_t { fast, normal };  // core::DeflateLevel: greedy ~ zlib 1, lazy ~ zlib 6
    // shared: both sides reset per message (server_ and client_no_context_takeover in the
    // answer), so one compressor and inflater per thread serve every connection: an idle
    // connection costs 0 extra bytes. dedicated: context takeover where the client allows it
    // (better ratio on small similar messages), the window kept per connection from its first
    // compressed message on (core::Deflater::memory_bytes(window_bits) + the client's window).
    enum class Memory : std::uint8_t { shared, dedicated };
    bool enabled = true;            // browsers all offer it; off = decline every offer
    std::size_t threshold = 64;     // messages smaller than this go uncompressed (not worth a Huffman header)
    Level level = Level::fast;      // the echo cost of compressing: fast is ~2x quicker for ~10% less ratio
    std::uint8_t window_bits = 15;  // server_max_window_bits, 8..15: our compressor's window (memory above)
    Memory memory = Memory::shared; // zero idle cost by default
};

// A route's own Compression (Server::compression(path, c)), the WebSocket route at `path`.
struct RouteCompression {
    std::string path;
    Compression compression;
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
    std::size_t max_headers = 100;                 // header field lines per request (431 above it, RFC 6585 §5)
    std::size_t max_body_size = 1024 * 1024;       // 413 above it
    std::size_t max_message_size = 16 * 1024 * 1024;   // WebSocket message (1009 above it, RFC 6455 §7.4.1)
    std::size_t max_frame_size = 16 * 1024 * 1024;     // one WebSocket frame's payload (1009 above it), whatever the message
    std::size_t max_backpressure = 1024 * 1024;    // bytes queued per connection before sends are dropped
    // All connections' assembly buffers and output queues together; over it the largest are
    // shed (1009 / 1008). 0 = no budget (the default: max_backpressure bounds each queue).
    std::size_t max_memory = 0;
    // Over it, new incoming connections are closed at once. The server's own client connections
    // (Server::connect) count toward it but are never refused by it: the application chose them.
    std::size_t max_connections = 10000;
    // Per peer IP address; 0 = no limit (the default: behind a proxy every peer is the proxy).
    std::size_t max_connections_per_address = 0;
    std::chrono::milliseconds idle_timeout{60'000};   // keep-alive HTTP between requests
    // WebSocket keep-alive: a ping every ping_interval (30 s: a proxy's read timeout, nginx's
    // 60 s default, always sees a byte); no byte back within pong_timeout -> close 1001.
    std::chrono::milliseconds ping_interval{30'000};
    std::chrono::milliseconds pong_timeout{10'000};
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
    Compression compression;                       // permessage-deflate for every WebSocket route
    std::vector<RouteCompression> route_compression;   // per-route overrides of `compression`
    unsigned threads = 1;
    // Access log (app/detail/access_log.hpp): a line per HTTP request and per WebSocket
    // session, through on_log. off, on, or 1 in access_log_sample of them.
    enum class AccessLog : std::uint8_t { off, on, sampled };
    AccessLog access_log = AccessLog::off;
    unsigned access_log_sample = 100;
    // on_log's line per connection open, upgrade and close; false: those lines are not even
    // made (no string, no getpeername per connection: load runs, very busy servers).
    bool connection_log = true;
};

}  // namespace sluice
