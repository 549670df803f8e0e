// A closed-loop TCP echo load generator on one reactor: N connections, each sends a message
// of S bytes, waits until all S bytes came back, checks them, and sends the next.
// Usage: tcp_echo_load --connections N --size S --seconds T [--host 127.0.0.1] --port P
// Prints messages/s, MB/s (payload echoed, one direction), p50/p99 round-trip latency, and
// one machine-readable line starting with "summary". Exit status 1 on any mismatch or error.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "net/reactor.hpp"
#include "net/socket.hpp"

namespace {

using sluice::net::Clock;
using sluice::net::EventMask;
using sluice::net::IoResult;
using sluice::net::IoStatus;
using sluice::net::Reactor;

struct Totals {
  std::uint64_t messages = 0;
  std::uint64_t errors = 0;
  std::uint64_t mismatches = 0;
  std::vector<std::uint32_t> latency_ns;  // one per completed message
  bool measuring = false;
};

// One connection of the closed loop. Owns its fd and its outgoing message.
class Connection final : public sluice::net::IoWatcher {
 public:
  Connection(Reactor& reactor, Totals& totals, std::size_t size, std::uint32_t id)
      : reactor_(reactor), totals_(totals), out_(size) {
    for (std::size_t i = 0; i < size; ++i) out_[i] = static_cast<std::uint8_t>((i * 31 + id) & 0xff);
  }
  ~Connection() {
    if (fd_ >= 0) {
      reactor_.remove(fd_);
      sluice::net::close_fd(fd_);
    }
  }
  bool open(const std::string& host, std::uint16_t port) {
    fd_ = sluice::net::connect_tcp(host, port);
    if (fd_ < 0) return false;
    sluice::net::set_nodelay(fd_, true);
    return reactor_.add(fd_, sluice::net::kWritable, this);
  }
  bool connected() const { return connected_; }
  bool broken() const { return broken_; }
  void begin() {
    connected_ = true;
    start_message();
  }

  void on_events(EventMask events) noexcept override {
    if (broken_) return;
    if (!connected_) {
      if (sluice::net::socket_error(fd_) != 0) return fail();
      connected_ = true;
      reactor_.modify(fd_, 0, this);  // wait for the start signal
      return;
    }
    if ((events & sluice::net::kWritable) != 0) send();
    if ((events & (sluice::net::kReadable | sluice::net::kHangup | sluice::net::kError)) != 0) receive();
  }

 private:
  void start_message() {
    // The first 8 bytes carry a sequence number, so a stale echo cannot pass for a new one.
    ++sequence_;
    std::memcpy(out_.data(), &sequence_, std::min(sizeof sequence_, out_.size()));
    sent_ = 0;
    received_ = 0;
    started_ = Clock::now();
    send();
  }

  void send() {
    while (sent_ < out_.size()) {
      const IoResult r = sluice::net::write_some(fd_, std::span(out_).subspan(sent_));
      if (r.status == IoStatus::would_block) {
        reactor_.modify(fd_, sluice::net::kReadable | sluice::net::kWritable, this);
        return;
      }
      if (r.status != IoStatus::ok) return fail();
      sent_ += r.bytes;
    }
    reactor_.modify(fd_, sluice::net::kReadable, this);
  }

  void receive() {
    const std::span<std::uint8_t> buffer = reactor_.receive_buffer();
    for (;;) {
      const IoResult r = sluice::net::read_some(fd_, buffer);
      if (r.status == IoStatus::would_block) return;
      if (r.status != IoStatus::ok) return fail();
      if (received_ + r.bytes > sent_) return fail();
      if (std::memcmp(buffer.data(), out_.data() + received_, r.bytes) != 0) ++totals_.mismatches;
      received_ += r.bytes;
      if (received_ < out_.size()) {
        if (r.bytes < buffer.size()) return;  // drained: wait for readiness, not for EAGAIN
        continue;
      }
      if (totals_.measuring) {
        ++totals_.messages;
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count();
        totals_.latency_ns.push_back(static_cast<std::uint32_t>(std::min<long long>(ns, UINT32_MAX)));
      }
      return start_message();
    }
  }

  void fail() {
    broken_ = true;
    ++totals_.errors;
    reactor_.modify(fd_, 0, this);
  }

  Reactor& reactor_;
  Totals& totals_;
  std::vector<std::uint8_t> out_;
  int fd_ = -1;
  std::uint64_t sequence_ = 0;
  std::size_t sent_ = 0;
  std::size_t received_ = 0;
  Clock::time_point started_;
  bool connected_ = false;
  bool broken_ = false;
};

double percentile(std::vector<std::uint32_t>& values, double p) {
  if (values.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  long port = 0, connections = 1, size = 32;
  double seconds = 5;
  sluice::net::Backend backend = sluice::net::Backend::automatic;  // epoll | io_uring | automatic
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* flag = argv[i];
    const char* value = argv[i + 1];
    if (std::strcmp(flag, "--host") == 0) host = value;
    else if (std::strcmp(flag, "--port") == 0) port = std::strtol(value, nullptr, 10);
    else if (std::strcmp(flag, "--connections") == 0) connections = std::strtol(value, nullptr, 10);
    else if (std::strcmp(flag, "--size") == 0) size = std::strtol(value, nullptr, 10);
    else if (std::strcmp(flag, "--seconds") == 0) seconds = std::strtod(value, nullptr);
    else if (std::strcmp(flag, "--backend") == 0 && sluice::net::backend_from_name(value, backend)) continue;
    else {
      std::fprintf(stderr, "usage: %s --connections N --size S --seconds T [--host H] --port P [--backend B]\n", argv[0]);
      return 2;
    }
  }
  if (port <= 0 || port > 65535 || connections < 1 || connections > 100000 || size < 1 || size > (64 << 20) ||
      seconds <= 0) {
    std::fprintf(stderr, "bad arguments (need --port, and positive N, S, T)\n");
    return 2;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  Reactor reactor(Reactor::Options{.backend = backend});
  if (!reactor.valid()) {
    std::fprintf(stderr, "the %s reactor backend cannot be opened here\n", sluice::net::backend_name(backend));
    return 1;
  }
  Totals totals;
  totals.latency_ns.reserve(1 << 20);
  std::vector<std::unique_ptr<Connection>> pool;
  for (long i = 0; i < connections; ++i) {
    pool.push_back(std::make_unique<Connection>(reactor, totals, static_cast<std::size_t>(size),
                                                static_cast<std::uint32_t>(i)));
    if (!pool.back()->open(host, static_cast<std::uint16_t>(port))) {
      std::perror("connect");
      return 1;
    }
  }
  // Connect everyone before the clock starts.
  const auto connect_deadline = Clock::now() + std::chrono::seconds(30);
  for (;;) {
    std::size_t ready = 0;
    for (const auto& c : pool) ready += c->connected() || c->broken() ? 1u : 0u;
    if (ready == pool.size() || Clock::now() > connect_deadline) break;
    reactor.run_once(std::chrono::milliseconds(100));
  }
  for (const auto& c : pool) {
    if (!c->connected() || c->broken()) {
      std::fprintf(stderr, "not every connection was established\n");
      return 1;
    }
  }

  totals.measuring = true;
  for (const auto& c : pool) c->begin();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) reactor.run_once(std::chrono::milliseconds(10));
  totals.measuring = false;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  const double rate = static_cast<double>(totals.messages) / elapsed;
  const double mb = rate * static_cast<double>(size) / 1e6;
  const double p50 = percentile(totals.latency_ns, 0.50);
  const double p99 = percentile(totals.latency_ns, 0.99);
  std::printf("tcp echo: %ld connections x %ld B for %.2f s\n", connections, size, elapsed);
  std::printf("  messages/s   %.0f\n", rate);
  std::printf("  MB/s         %.2f (payload, each way)\n", mb);
  std::printf("  latency      p50 %.1f us   p99 %.1f us\n", p50, p99);
  std::printf("  errors       %llu   mismatches %llu\n", static_cast<unsigned long long>(totals.errors),
              static_cast<unsigned long long>(totals.mismatches));
  std::printf("summary connections=%ld size=%ld seconds=%.2f messages=%llu msgs_per_s=%.0f mb_per_s=%.2f "
              "p50_us=%.1f p99_us=%.1f errors=%llu mismatches=%llu\n",
              connections, size, elapsed, static_cast<unsigned long long>(totals.messages), rate, mb, p50, p99,
              static_cast<unsigned long long>(totals.errors), static_cast<unsigned long long>(totals.mismatches));
  return totals.errors == 0 && totals.mismatches == 0 ? 0 : 1;
}
