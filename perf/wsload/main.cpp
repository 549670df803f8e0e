// perf/wsload — sluice's WebSocket load generator. See perf/wsload/load.hpp and perf/README.md.
//
//   wsload --url ws://127.0.0.1:9001/ws --mode echo --connections 100 --depth 16 --size 32
//          [--binary] [--seconds 5] [--warmup 1] [--server-pid PID] [--max-connecting 256]
//          [--echo-once]   (handshake mode: one verified echo on each connection before its close;
//                           idle mode: one verified echo on each connection, then silence)
//          [--deflate]     (offer permessage-deflate as browsers do; compress with sluice's codec)
//          [--baseline-warmup N]  (idle mode: open and close N connections before reading the
//                           server's RSS-before; the cold figure is reported beside it)
//
// Prints a readable table, then one line of key=value pairs (the line scripts parse).
// Exit status: 0 when every connection opened and every message verified, 1 otherwise,
// 2 for bad flags.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "perf/wsload/load.hpp"

namespace {

using sluice::wsload::Mode;
using sluice::wsload::Options;
using sluice::wsload::Results;

constexpr const char* kUsage =
    "usage: wsload --url ws://127.0.0.1:PORT/path|tcp://127.0.0.1:PORT [--mode echo|handshake|idle|fanout]\n"
    "              [--connections C] [--depth D] [--size S] [--binary] [--seconds T] [--warmup W]\n"
    "              [--server-pid PID] [--max-connecting N] [--setup-timeout T] [--echo-once] [--deflate]\n"
    "              [--publisher-port P]   (fanout: the publisher on another node)\n"
    "              [--baseline-warmup N]  (idle: open and close N connections before the baseline)\n";

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::echo: return "echo";
    case Mode::handshake: return "handshake";
    case Mode::idle: return "idle";
    case Mode::fanout: return "fanout";
  }
  return "?";
}

bool parse(int argc, char** argv, Options& o) {
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    auto number = [&](double& out) {
      if (!value) return false;
      char* end = nullptr;
      out = std::strtod(value, &end);
      ++i;
      return *end == '\0' && out >= 0;
    };
    double v = 0;
    if (flag == "--binary") {
      o.binary = true;
    } else if (flag == "--echo-once") {
      o.echo_once = true;
    } else if (flag == "--deflate") {
      o.deflate = true;
    } else if (flag == "--url") {
      if (!value || !sluice::wsload::parse_url(value, o)) return false;
      have_url = true;
      ++i;
    } else if (flag == "--mode") {
      if (!value) return false;
      const std::string_view m = value;
      ++i;
      if (m == "echo") o.mode = Mode::echo;
      else if (m == "handshake") o.mode = Mode::handshake;
      else if (m == "idle") o.mode = Mode::idle;
      else if (m == "fanout") o.mode = Mode::fanout;
      else return false;
    } else if (flag == "--connections" && number(v) && v >= 1) {
      o.connections = static_cast<std::size_t>(v);
    } else if (flag == "--depth" && number(v) && v >= 1) {
      o.depth = static_cast<std::size_t>(v);
    } else if (flag == "--size" && number(v) && v >= 1) {
      o.size = static_cast<std::size_t>(v);
    } else if (flag == "--seconds" && number(v) && v > 0) {
      o.seconds = v;
    } else if (flag == "--warmup" && number(v)) {
      o.warmup = v;
    } else if (flag == "--setup-timeout" && number(v) && v > 0) {
      o.setup_timeout = v;
    } else if (flag == "--server-pid" && number(v)) {
      o.server_pid = static_cast<int>(v);
    } else if (flag == "--publisher-port" && number(v) && v >= 1 && v <= 65535) {
      o.publisher_port = static_cast<std::uint16_t>(v);
    } else if (flag == "--baseline-warmup" && number(v)) {
      o.baseline_warmup = static_cast<std::size_t>(v);
    } else if (flag == "--max-connecting" && number(v) && v >= 1) {
      o.max_connecting = static_cast<std::size_t>(v);
    } else {
      return false;
    }
  }
  return have_url;
}

void report(const Options& o, const Results& r) {
  const double window = r.window_seconds > 0 ? r.window_seconds : 1.0;
  const double rate = static_cast<double>(r.messages) / window;
  const double mb = static_cast<double>(r.payload_bytes) / window / 1e6;
  const double us = 1e3;
  const auto q = [&](double quantile) { return static_cast<double>(r.latency.quantile(quantile)) / us; };
  const double max_us = static_cast<double>(r.latency.max()) / us;
  const double cpu_per_m = r.server_cpu_seconds >= 0 && r.messages > 0
                               ? r.server_cpu_seconds / (static_cast<double>(r.messages) / 1e6)
                               : -1;
  const double kib_per_conn =
      r.rss_after_kib > 0 && r.opened > 0
          ? (static_cast<double>(r.rss_after_kib) - static_cast<double>(r.rss_before_kib)) /
                static_cast<double>(o.connections)
          : -1;
  const double kib_per_conn_cold =
      r.rss_after_kib > 0 && r.rss_cold_kib > 0 && r.opened > 0
          ? (static_cast<double>(r.rss_after_kib) - static_cast<double>(r.rss_cold_kib)) /
                static_cast<double>(o.connections)
          : -1;
  const char* unit = o.mode == Mode::handshake ? "handshakes" : o.mode == Mode::fanout ? "deliveries" : "messages";

  std::printf("wsload %s %s://%s:%u%s  C=%zu D=%zu S=%zu %s  window %.2f s\n", mode_name(o.mode),
              o.raw_tcp ? "tcp" : "ws", o.host.c_str(), o.port, o.raw_tcp ? "" : o.path.c_str(),
              o.connections, o.depth, o.size, o.binary ? "binary" : "text", r.window_seconds);
  std::printf("  %-22s %14.0f /s  (%llu in the window)\n", unit, rate,
              static_cast<unsigned long long>(r.messages));
  if (o.mode == Mode::fanout)
    std::printf("  %-22s %14.0f /s\n", "publishes (all got it)", static_cast<double>(r.publishes) / window);
  if (o.mode == Mode::echo || o.mode == Mode::fanout) std::printf("  %-22s %14.1f MB/s\n", "payload", mb);
  if (r.latency.count() > 0)
    std::printf("  %-22s p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f us\n", "latency", q(0.5), q(0.99),
                q(0.999), max_us);
  if (r.server_cpu_seconds >= 0)
    std::printf("  %-22s %.2f s  (%.2f s per million %s)\n", "server CPU", r.server_cpu_seconds,
                cpu_per_m, unit);
  std::printf("  %-22s %.2f s\n", "wsload CPU", r.client_cpu_seconds);
  for (std::size_t i = 0; i < r.core_busy.size(); ++i)
    std::printf("  core %-17zu %.0f%% busy\n", i, r.core_busy[i] * 100);
  if (o.mode == Mode::idle)
    std::printf("  %-22s %llu -> %llu KiB  (%.2f KiB per connection)\n", "server VmRSS",
                static_cast<unsigned long long>(r.rss_before_kib),
                static_cast<unsigned long long>(r.rss_after_kib), kib_per_conn);
  if (o.mode == Mode::idle && r.rss_cold_kib > 0)
    std::printf("  %-22s %llu KiB before the %zu warm-up connections  (%.2f KiB per connection from it)\n",
                "server VmRSS cold", static_cast<unsigned long long>(r.rss_cold_kib), o.baseline_warmup,
                kib_per_conn_cold);
  const double deflate_ratio = r.inflated_bytes_in > 0
                                   ? static_cast<double>(r.wire_bytes_in) / static_cast<double>(r.inflated_bytes_in)
                                   : -1;
  if (o.deflate)
    std::printf("  %-22s accepted by %zu of %zu; received compressed %.3f of the payload\n", "permessage-deflate",
                r.deflate_accepted, r.opened, deflate_ratio);
  std::printf("  %-22s %zu opened, %llu connect errors, %llu verify errors%s%s\n", "connections", r.opened,
              static_cast<unsigned long long>(r.connect_errors),
              static_cast<unsigned long long>(r.verify_errors), r.error.empty() ? "" : "; ",
              r.error.c_str());

  std::printf("RESULT mode=%s url=%s://%s:%u%s connections=%zu depth=%zu size=%zu binary=%d "
              "window_s=%.3f count=%llu rate=%.0f mb_s=%.2f p50_us=%.1f p99_us=%.1f p999_us=%.1f "
              "max_us=%.1f server_cpu_s=%.3f cpu_s_per_m=%.3f client_cpu_s=%.3f",
              mode_name(o.mode), o.raw_tcp ? "tcp" : "ws", o.host.c_str(), o.port,
              o.raw_tcp ? "" : o.path.c_str(), o.connections, o.depth, o.size, o.binary ? 1 : 0,
              r.window_seconds, static_cast<unsigned long long>(r.messages), rate, mb, q(0.5), q(0.99),
              q(0.999), max_us, r.server_cpu_seconds, cpu_per_m, r.client_cpu_seconds);
  for (std::size_t i = 0; i < r.core_busy.size(); ++i) std::printf(" core%zu_busy=%.3f", i, r.core_busy[i]);
  std::printf(" rss_cold_kib=%llu kib_per_conn_cold=%.3f", static_cast<unsigned long long>(r.rss_cold_kib),
              kib_per_conn_cold);
  std::printf(" rss_before_kib=%llu rss_after_kib=%llu kib_per_conn=%.3f opened=%zu verify_errors=%llu "
              "connect_errors=%llu ok=%d deflate=%d deflate_accepted=%zu deflate_ratio=%.3f\n",
              static_cast<unsigned long long>(r.rss_before_kib),
              static_cast<unsigned long long>(r.rss_after_kib), kib_per_conn, r.opened,
              static_cast<unsigned long long>(r.verify_errors),
              static_cast<unsigned long long>(r.connect_errors), r.ok ? 1 : 0, o.deflate ? 1 : 0,
              r.deflate_accepted, deflate_ratio);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const Results results = sluice::wsload::run(options);
  report(options, results);
  return results.ok ? 0 : 1;
}
