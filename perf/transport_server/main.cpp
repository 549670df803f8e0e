// perf/transport_server — one topic over every push transport, for perf/transport_load.
//
//   transport_server --port P [--rate R] [--size S] [--history N] [--backend automatic|epoll|io_uring]
//
//   GET /ws      WebSocket, subscribed on open (plain frames: the payload as published)
//   GET /sse     Server-Sent Events (Server::sse), events with ids <epoch>:<seq>
//   GET /poll    long-poll (Server::poll): held until a message; ?since=<id> resumes,
//                ?wait=0 answers at once (plain polling)
//
// The topic keeps the last N messages (default 1,000: 100 s at 10/s), so a polling client
// that comes back with its last id loses nothing. A publisher thread publishes R messages
// per second (default 10) at fixed instants; each payload is
//   "<seq> <CLOCK_MONOTONIC ns at publish> xxxx..."   padded to S bytes (default 64)
// so the client (same machine) measures publish-to-receive latency and sees gaps by seq.
// One server thread (the load pins it to a core); SIGINT/SIGTERM stop it (Server::run).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>

#include "app/context.hpp"
#include "app/server.hpp"
#include "net/reactor.hpp"

namespace {

constexpr std::string_view kTopic = "bench";

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// "<seq> <now ns> " then 'x' up to `size` bytes (never shorter than the two numbers).
std::string payload(std::uint64_t seq, std::size_t size) {
  std::string p = std::to_string(seq) + ' ' + std::to_string(monotonic_ns()) + ' ';
  if (p.size() < size) p.append(size - p.size(), 'x');
  return p;
}

// Publishes at fixed instants (start + k/rate), never catching up in bursts after a stall.
void publish_loop(sluice::Server& server, const std::atomic<bool>& stop, double rate, std::size_t size) {
  while (!stop.load() && !server.running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto period = static_cast<std::int64_t>(1e9 / rate);
  std::int64_t next = monotonic_ns() + period;
  std::uint64_t seq = 0;
  while (!stop.load()) {
    const timespec at{static_cast<time_t>(next / 1'000'000'000), static_cast<long>(next % 1'000'000'000)};
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr);
    if (stop.load()) break;
    server.publish(kTopic, payload(seq++, size));
    next += period;
    const std::int64_t now = monotonic_ns();
    if (next < now) next = now + period;  // overran: skip, do not burst
  }
}

bool number(const char* text, double& out) {
  char* end = nullptr;
  out = std::strtod(text, &end);
  return end != text && *end == '\0' && out > 0;
}

int usage(const char* name) {
  std::fprintf(stderr, "usage: %s --port P [--rate PUBLISHES_PER_S] [--size BYTES] [--history N] [--backend B]\n", name);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double port = 60000, rate = 10, size = 64, history = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const char* value = i + 1 < argc ? argv[++i] : nullptr;
    if (flag == "--backend" && value != nullptr) {
      sluice::net::Backend backend = sluice::net::Backend::automatic;
      if (!sluice::net::backend_from_name(value, backend)) return usage(argv[0]);
      sluice::net::Reactor::set_default_backend(backend);  // every reactor made from now on
      continue;
    }
    double* target = flag == "--port" ? &port : flag == "--rate" ? &rate : flag == "--size" ? &size
                   : flag == "--history" ? &history : nullptr;
    if (target == nullptr || value == nullptr || !number(value, *target) || port > 65535) {
      return usage(argv[0]);
    }
  }

  sluice::Server server;
  server.host("127.0.0.1").port(static_cast<std::uint16_t>(port)).threads(1).max_connections(20'000);
  server.topic_history(kTopic, {.max_messages = static_cast<std::size_t>(history)});
  sluice::WsCallbacks ws;
  ws.on_open = [](sluice::Context& c) { c.subscribe(kTopic); };
  server.route("/ws", std::move(ws));
  server.sse("/sse", [](sluice::Context& c) { c.subscribe(kTopic); });
  server.poll("/poll", [](sluice::Context& c) {
    if (c.method() == "GET") c.subscribe(kTopic);  // POST: nothing to take; 204
  });
  std::atomic<bool> stop{false};
  std::thread publisher(publish_loop, std::ref(server), std::cref(stop), rate, static_cast<std::size_t>(size));
  const int status = server.run();  // until SIGINT/SIGTERM
  stop.store(true);
  publisher.join();
  return status;
}
