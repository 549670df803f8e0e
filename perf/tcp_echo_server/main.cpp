// A raw TCP echo server on one reactor thread: the ceiling the WebSocket layer is measured
// against. Usage: tcp_echo_server [--host 127.0.0.1] [--port 0] [--backend epoll|io_uring|automatic]
// Prints "listening on HOST:PORT" once ready (and the backend on stderr); SIGINT/SIGTERM stop
// it gracefully.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/resource.h>

#include "net/echo_server.hpp"
#include "net/reactor.hpp"

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  long port = 0;
  sluice::net::Backend backend = sluice::net::Backend::automatic;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[i + 1];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::strtol(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--backend") == 0 && sluice::net::backend_from_name(argv[i + 1], backend)) {
      continue;
    } else {
      std::fprintf(stderr, "usage: %s [--host H] [--port P] [--backend B]\n", argv[0]);
      return 2;
    }
  }
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "bad port\n");
    return 2;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  sluice::net::Reactor reactor(sluice::net::Reactor::Options{.backend = backend});
  if (!reactor.valid()) {
    std::perror("reactor");
    return 1;
  }
  std::fprintf(stderr, "backend %s\n", sluice::net::backend_name(reactor.backend()));
  sluice::net::EchoServer server(reactor);
  if (!server.open({.host = host, .port = static_cast<std::uint16_t>(port)})) {
    std::perror("listen");
    return 1;
  }
  reactor.watch_signals([&](int) { reactor.stop(); });
  std::printf("listening on %s:%u\n", host.c_str(), static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  reactor.run();
  // CPU time is the figure that survives a shared machine: messages per CPU-second.
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("stopped: bytes_echoed=%llu cpu_s=%.3f\n", static_cast<unsigned long long>(server.bytes_echoed()), cpu);
  return 0;
}
