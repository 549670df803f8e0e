// app/settings.hpp — every setting of a Server, with its default (README "Settings and their
// defaults"). Server's chained setters write these; Server::validate() checks them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

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
    std::vector<std::string> allowed_origins;      // empty = any Origin (RFC 6455 §10.2)
    Compression compression;                       // permessage-deflate for every WebSocket route
    std::vector<RouteCompression> route_compression;   // per-route overrides of `compression`
    unsigned threads = 1;
};

}  // namespace sluice
