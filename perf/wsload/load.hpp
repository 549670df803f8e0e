// perf/wsload/load.hpp — the load generator's engine: C connections on one epoll loop.
//
// Every connection is sluice's client role end to end: proto::write_client_request for the
// upgrade, proto::HttpResponseParser + proto::verify_server_response for the 101, and a
// proto::WsSession in Role::client (masked frames, every received frame validated) after it.
// A `tcp://` URL skips the handshake and the session: the same masked frames are written
// raw to a TCP echo server and the identical bytes must come back (the ceiling).
//
//   setup ──► warm-up ──► measured window (--seconds) ──► drain ──► close handshakes
//   (connect and upgrade,   (traffic,       (counted,        (no new sends;
//    at most max_connecting  not counted)    timed)           in-flight finish)
//    at once)
//
// Modes:
//   echo       D messages in flight per connection (closed loop); each carries its sequence
//              number (16 hex digits, then a fixed filler) and its echo is checked byte for
//              byte and in order. Latency: send -> echo received.
//   handshake  C connections at a time: connect, upgrade, [one echo with --echo-once], close
//              handshake, wait for the server's FIN; again. Latency: connect -> 101 verified.
//   idle       open C connections and hold them; the server's VmRSS is read before and after.
//   fanout     C subscribers + 1 publisher on the same URL; the server relays each message to
//              the other connections there. The publisher keeps D messages in flight; one
//              is done when every subscriber has it. Latency: publish -> last delivery.
//              --publisher-port: the publisher connects to another node (topics joined
//              through a broker, perf/redis_fanout.sh), the subscribers to the URL's.
// Only the address given is ever connected to. Owns its sockets and closes them all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "perf/wsload/histogram.hpp"

namespace sluice::wsload {

enum class Mode : std::uint8_t { echo, handshake, idle, fanout };

struct Options {
  std::string host = "127.0.0.1";  // an IPv4 literal
  std::uint16_t port = 0;
  std::string path = "/";
  bool raw_tcp = false;            // tcp:// URL: no handshake, raw echo of the frames
  Mode mode = Mode::echo;
  std::size_t connections = 100;
  std::size_t depth = 1;           // messages in flight per connection (publisher in fanout)
  std::size_t size = 32;           // payload bytes
  bool binary = false;
  double seconds = 5.0;            // the measured window
  double warmup = 1.0;             // traffic before the window, not counted
  double setup_timeout = 60.0;     // to open every connection
  std::size_t max_connecting = 256;  // connections in connect/upgrade at once
  bool echo_once = false;          // handshake mode: one verified echo before each close
  // Offer permessage-deflate (RFC 7692) as browsers do ("permessage-deflate;
  // client_max_window_bits"); if the server accepts, every message is sent compressed
  // (proto::WsDeflate, level fast) and the server's RSV1 messages are inflated and checked.
  bool deflate = false;
  int server_pid = 0;              // when set: CPU time, RSS and core shares are read
  std::uint16_t publisher_port = 0;  // fanout: the publisher on another node (same host, path); 0 = same
  // idle: open and close this many connections before reading the server's RSS-before, so
  // the baseline already holds what first use faults in once (code pages, per-thread
  // buffers, pools' first chunks) and the difference is what the held connections keep.
  std::size_t baseline_warmup = 0;
};

struct Results {
  bool ok = false;                 // every connection opened and nothing failed verification
  std::string error;               // why not, for the report
  std::size_t opened = 0;          // connections that completed the upgrade
  double window_seconds = 0;       // measured window, actual
  std::uint64_t messages = 0;      // echo: echoes received; fanout: deliveries; handshake: upgrades
  std::uint64_t publishes = 0;     // fanout: messages delivered to every subscriber
  std::uint64_t payload_bytes = 0; // payload bytes received in the window
  std::uint64_t verify_errors = 0; // wrong bytes, wrong order, lost messages, protocol errors
  std::uint64_t connect_errors = 0;
  Histogram latency;               // ns
  double server_cpu_seconds = -1;  // within the window
  double client_cpu_seconds = 0;   // this process, within the window
  std::vector<double> core_busy;   // per core, within the window
  std::uint64_t rss_cold_kib = 0;    // idle with baseline_warmup: server VmRSS before the warm-up
  std::uint64_t rss_before_kib = 0;  // idle: server VmRSS before connecting
  std::uint64_t rss_after_kib = 0;   // idle: ... with every connection open
  std::size_t deflate_accepted = 0;  // --deflate: connections whose server accepted it
  std::uint64_t wire_bytes_in = 0;     // --deflate: compressed messages' payload bytes as received
  std::uint64_t inflated_bytes_in = 0; // ... and the same messages inflated
};

// Runs one load as configured; bounded by setup_timeout + warmup + seconds + a few seconds.
Results run(const Options& options);

// Parses "ws://1.2.3.4:PORT/path" or "tcp://1.2.3.4:PORT" into options; false if malformed.
bool parse_url(const std::string& url, Options& options);

}  // namespace sluice::wsload
