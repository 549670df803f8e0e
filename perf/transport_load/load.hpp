// perf/transport_load/load.hpp — N clients of one push transport on one epoll loop, against
// perf/transport_server (one topic, a publisher at a fixed rate, timestamps in the payload).
//
//   ws        GET /ws upgraded (proto::write_client_request, verify_server_response, a
//             proto::WsSession in the client role); every text message is one payload.
//   sse       GET /sse, Accept: text/event-stream; the chunked body (proto::BodyDecoder)
//             into a proto::SseParser; every "message" event is one payload.
//   longpoll  GET /poll?since=<last id> on one keep-alive connection, re-sent as soon as
//             each answer (app/json.hpp) is in.
//   poll      GET /poll?since=<last id>&wait=0 every interval (default 500 ms; each
//             client's phase random within it). The first request of longpoll and poll
//             has no since: it is held until the next publish, which gives the first id.
//
// Every payload is "<seq> <CLOCK_MONOTONIC ns at publish> xxx...": latency is receive time
// minus publish time (same machine, same clock), and seq must go up by exactly one on each
// client (else a gap or a duplicate is counted). SSE and poll messages also carry the
// topic's ids "<epoch>:<seq>": one epoch, seq up by exactly one, checked the same way.
//
//   setup ──► ready ──► warm-up ──► measured window ──► close
//   (connect, at most       (every client       (counted: messages, latency,
//    max_connecting at once) has a message)      bytes read, server CPU and RSS)
//
// A run is valid when every client connected and every error counter is 0.
// Owns its sockets and closes them all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "perf/wsload/histogram.hpp"

namespace sluice::transport_load {

enum class Transport : std::uint8_t { ws, sse, longpoll, poll };

const char* transport_name(Transport t);
bool transport_from_name(std::string_view name, Transport& out);

struct Options {
  std::string host = "127.0.0.1";   // an IPv4 literal
  std::uint16_t port = 0;
  Transport transport = Transport::ws;
  std::size_t clients = 1000;
  double seconds = 5.0;             // the measured window
  double warmup = 1.0;              // after every client has its first message, not counted
  double interval = 0.5;            // poll: seconds between requests of one client
  double setup_timeout = 30.0;      // to connect every client and get each its first message
  std::size_t max_connecting = 200; // connections in connect/handshake at once
  int server_pid = 0;               // when set: its CPU time and RSS are read
};

struct Errors {  // any of these non-zero makes the run invalid
  std::uint64_t connect = 0;        // connect refused/failed, or closed before its first answer
  std::uint64_t bad_response = 0;   // wrong status, unparsable head/body/frame/event/id, reset, epoch change
  std::uint64_t gaps = 0;           // a payload seq or id seq skipped forward (messages lost)
  std::uint64_t duplicates = 0;     // a payload seq or id seq not above the last one
  std::uint64_t closed = 0;         // the server ended a stream or connection during the run
  std::uint64_t total() const { return connect + bad_response + gaps + duplicates + closed; }
};

struct Results {
  bool valid = false;
  std::string error;                // the first error seen, for the report
  std::size_t connected = 0;        // clients that got their first message
  double window_seconds = 0;
  std::uint64_t messages = 0;       // payloads received in the window (all clients)
  std::uint64_t bytes_read = 0;     // every byte read in the window (heads, framing, heartbeats)
  std::uint64_t bytes_written = 0;  // every byte written in the window (requests, pongs)
  std::uint64_t requests = 0;       // longpoll/poll: answers received in the window
  wsload::Histogram latency;        // ns, publish -> receive, every message of the window
  // Per publish of the window that every client received: its first and its last arrival
  // (ns after the publish). last - first is the fan-out's spread over the clients.
  wsload::Histogram first_arrival;
  wsload::Histogram last_arrival;
  Errors errors;
  double server_cpu_seconds = -1;   // within the window
  double load_cpu_seconds = 0;      // this process, within the window (is the load the bottleneck?)
  std::uint64_t rss_before_kib = 0; // server VmRSS before the first connect
  std::uint64_t rss_kib = 0;        // ... at the end of the window
};

Results run(const Options& options);

}  // namespace sluice::transport_load
