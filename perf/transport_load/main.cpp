// perf/transport_load — N clients of one push transport against perf/transport_server.
// See perf/transport_load/load.hpp and perf/README.md.
//
//   transport_load --port P --transport ws|sse|longpoll|poll [--clients 1000] [--seconds 5]
//                  [--warmup 1] [--interval 0.5] [--server-pid PID] [--max-connecting 200]
//                  [--setup-timeout 30]
//
// Prints a few readable lines, then one line "RESULT key=value ..." (the line scripts parse).
// Exit status: 0 when the run is valid (every client connected, every error counter 0),
// 1 otherwise, 2 for bad flags.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "perf/transport_load/load.hpp"

namespace {

using sluice::transport_load::Options;
using sluice::transport_load::Results;

constexpr const char* kUsage =
    "usage: transport_load --port P --transport ws|sse|longpoll|poll [--clients N] [--seconds T]\n"
    "                      [--warmup W] [--interval S] [--server-pid PID] [--max-connecting N]\n"
    "                      [--setup-timeout T] [--host 127.0.0.1]\n";

bool parse(int argc, char** argv, Options& o) {
  bool have_port = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const char* value = i + 1 < argc ? argv[++i] : nullptr;
    if (value == nullptr) return false;
    if (flag == "--host") {
      o.host = value;
      continue;
    }
    if (flag == "--transport") {
      if (!sluice::transport_load::transport_from_name(value, o.transport)) return false;
      continue;
    }
    char* end = nullptr;
    const double v = std::strtod(value, &end);
    if (end == value || *end != '\0' || v < 0) return false;
    if (flag == "--port" && v >= 1 && v <= 65535) {
      o.port = static_cast<std::uint16_t>(v);
      have_port = true;
    } else if (flag == "--clients" && v >= 1) {
      o.clients = static_cast<std::size_t>(v);
    } else if (flag == "--seconds" && v > 0) {
      o.seconds = v;
    } else if (flag == "--warmup") {
      o.warmup = v;
    } else if (flag == "--interval" && v > 0) {
      o.interval = v;
    } else if (flag == "--server-pid") {
      o.server_pid = static_cast<int>(v);
    } else if (flag == "--max-connecting" && v >= 1) {
      o.max_connecting = static_cast<std::size_t>(v);
    } else if (flag == "--setup-timeout" && v > 0) {
      o.setup_timeout = v;
    } else {
      return false;
    }
  }
  return have_port;
}

double per_message(double total, std::uint64_t messages) {
  return messages == 0 ? 0 : total / static_cast<double>(messages);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const Results r = sluice::transport_load::run(o);
  const char* name = sluice::transport_load::transport_name(o.transport);
  const double rate = r.window_seconds > 0 ? static_cast<double>(r.messages) / r.window_seconds : 0;
  const double p50 = static_cast<double>(r.latency.quantile(0.50)) / 1e3;
  const double p99 = static_cast<double>(r.latency.quantile(0.99)) / 1e3;
  const double max = static_cast<double>(r.latency.max()) / 1e3;
  const double cpu_per_m = r.server_cpu_seconds >= 0 ? per_message(r.server_cpu_seconds, r.messages) * 1e6 : -1;
  const double rss_per_client =
      r.rss_kib > r.rss_before_kib ? static_cast<double>(r.rss_kib - r.rss_before_kib) / static_cast<double>(o.clients) : 0;
  std::printf("%s: %zu of %zu clients, %.2f s window: %llu messages, %.0f msg/s\n", name, r.connected, o.clients,
              r.window_seconds, static_cast<unsigned long long>(r.messages), rate);
  const double first50 = static_cast<double>(r.first_arrival.quantile(0.50)) / 1e3;
  const double last50 = static_cast<double>(r.last_arrival.quantile(0.50)) / 1e3;
  std::printf("  latency publish->receive: p50 %.1f us, p99 %.1f us, max %.1f us\n", p50, p99, max);
  std::printf("  per publish (%llu reached every client): first arrival p50 %.1f us, last arrival p50 %.1f us\n",
              static_cast<unsigned long long>(r.last_arrival.count()), first50, last50);
  std::printf("  wire: %.1f B read and %.1f B written per message\n",
              per_message(static_cast<double>(r.bytes_read), r.messages),
              per_message(static_cast<double>(r.bytes_written), r.messages));
  std::printf("  server: RSS %llu KiB (%llu before the clients, %.2f KiB per client), CPU %.3f s = %.2f s per million\n",
              static_cast<unsigned long long>(r.rss_kib), static_cast<unsigned long long>(r.rss_before_kib),
              rss_per_client, r.server_cpu_seconds, cpu_per_m);
  std::printf("  load: CPU %.3f s = %.2f s per million\n", r.load_cpu_seconds,
              per_message(r.load_cpu_seconds, r.messages) * 1e6);
  std::printf("  errors: connect %llu, bad response %llu, gaps %llu, duplicates %llu, closed %llu%s%s\n",
              static_cast<unsigned long long>(r.errors.connect), static_cast<unsigned long long>(r.errors.bad_response),
              static_cast<unsigned long long>(r.errors.gaps), static_cast<unsigned long long>(r.errors.duplicates),
              static_cast<unsigned long long>(r.errors.closed), r.error.empty() ? "" : "; first: ", r.error.c_str());
  std::printf("RESULT transport=%s clients=%zu connected=%zu valid=%d window_s=%.3f messages=%llu msg_per_s=%.1f "
              "p50_us=%.1f p99_us=%.1f max_us=%.1f first_p50_us=%.1f last_p50_us=%.1f read_b_per_msg=%.1f written_b_per_msg=%.1f requests=%llu "
              "server_cpu_s=%.3f cpu_s_per_m=%.3f load_cpu_s_per_m=%.3f rss_before_kib=%llu rss_kib=%llu rss_kib_per_client=%.3f "
              "err_connect=%llu err_bad=%llu err_gaps=%llu err_dups=%llu err_closed=%llu errors=%llu\n",
              name, o.clients, r.connected, r.valid ? 1 : 0, r.window_seconds,
              static_cast<unsigned long long>(r.messages), rate, p50, p99, max, first50, last50,
              per_message(static_cast<double>(r.bytes_read), r.messages),
              per_message(static_cast<double>(r.bytes_written), r.messages),
              static_cast<unsigned long long>(r.requests), r.server_cpu_seconds, cpu_per_m,
              per_message(r.load_cpu_seconds, r.messages) * 1e6,
              static_cast<unsigned long long>(r.rss_before_kib), static_cast<unsigned long long>(r.rss_kib),
              rss_per_client, static_cast<unsigned long long>(r.errors.connect),
              static_cast<unsigned long long>(r.errors.bad_response), static_cast<unsigned long long>(r.errors.gaps),
              static_cast<unsigned long long>(r.errors.duplicates), static_cast<unsigned long long>(r.errors.closed),
              static_cast<unsigned long long>(r.errors.total()));
  return r.valid ? 0 : 1;
}
