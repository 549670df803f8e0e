// The demo server: `make run ARGS="--host 127.0.0.1 --port 60000 --threads 2"`.
// Parses the flags, installs the demo applications (app/demo/demo.hpp) and runs until
// SIGINT/SIGTERM. Prints the address and the demo list, then one line per connection open
// and close.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>

#include "app/demo/demo.hpp"
#include "app/server.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: sluice-demo [--host 127.0.0.1] [--port 60000] [--threads 1] [--web-root app/web]\n"
    "                   [--heartbeat-ms 30000]\n";

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  std::uint16_t port = 60000;
  unsigned threads = 1;
  long long heartbeat_ms = 30'000;
  sluice::demo::DemoOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "sluice-demo: " << flag << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string_view value = argv[++i];
    bool ok = true;
    if (flag == "--host") {
      host = value;
    } else if (flag == "--port") {
      ok = parse_number(value, port);
    } else if (flag == "--threads") {
      ok = parse_number(value, threads) && threads > 0;
    } else if (flag == "--web-root") {
      options.web_root = value;
    } else if (flag == "--heartbeat-ms") {
      ok = parse_number(value, heartbeat_ms) && heartbeat_ms > 0;
    } else {
      std::cerr << "sluice-demo: unknown flag " << flag << "\n" << kUsage;
      return 2;
    }
    if (!ok) {
      std::cerr << "sluice-demo: bad value for " << flag << ": " << value << "\n" << kUsage;
      return 2;
    }
  }
  options.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);

  sluice::Server server;
  server.host(host).port(port).threads(threads).nodelay(true).linger(false);
  std::mutex log_mutex;
  server.on_log([&log_mutex](std::string_view line) {
    std::lock_guard lock(log_mutex);
    std::cout << line << '\n' << std::flush;
  });
  sluice::demo::install(server, options);
  if (const std::string problem = server.validate(); !problem.empty()) {
    std::cerr << "sluice-demo: " << problem << "\n";
    return 2;
  }
  const std::string base = "http://" + host + ":" + std::to_string(port);
  {
    std::lock_guard lock(log_mutex);
    std::cout << "sluice demo on " << base << "  (threads " << threads << ", pages from " << options.web_root
              << ")\n";
    for (const auto& d : sluice::demo::demo_list()) {
      std::cout << "  " << base << d.path << std::string(d.path.size() < 12 ? 12 - d.path.size() : 1, ' ')
                << d.description << "\n";
    }
    std::cout << "Ctrl-C stops it (graceful: close 1001 to every WebSocket).\n" << std::flush;
  }
  return server.run();
}
