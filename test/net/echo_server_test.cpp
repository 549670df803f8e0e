#include "net/echo_server.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <sys/resource.h>

using namespace sluice::net;
using namespace std::chrono_literals;

namespace {

// One closed-loop client: send a message, read it back whole, compare, repeat.
// Owns its fd and its two buffers.
class EchoClient final : public IoWatcher {
 public:
  EchoClient(Reactor& reactor, int id, int rounds) : reactor_(reactor), id_(id), rounds_left_(rounds) {}
  ~EchoClient() {
    if (fd_ >= 0) {
      reactor_.remove(fd_);
      close_fd(fd_);
    }
  }

  bool start(std::uint16_t port) {
    fd_ = connect_tcp("127.0.0.1", port);
    if (fd_ < 0) return false;
    next_message();
    return reactor_.add(fd_, kReadable | kWritable, this);
  }
  bool done() const { return rounds_left_ == 0 || failed_; }
  bool failed() const { return failed_; }
  std::size_t mismatches() const { return mismatches_; }

  void on_events(EventMask events) noexcept override {
    if (done()) return;
    if ((events & kWritable) != 0) send();
    if ((events & (kReadable | kHangup | kError)) != 0) receive();
  }

 private:
  // Sizes from 1 byte to 48 KiB, contents unique to (client, round).
  void next_message() {
    seed_ = seed_ * 6364136223846793005ull + static_cast<std::uint64_t>(id_) * 2 + 1;
    const std::size_t size = 1 + static_cast<std::size_t>((seed_ >> 33) % (48 * 1024));
    out_.resize(size);
    for (auto& byte : out_) {
      seed_ = seed_ * 6364136223846793005ull + 1442695040888963407ull;
      byte = static_cast<std::uint8_t>(seed_ >> 56);
    }
    sent_ = 0;
    in_.clear();
  }

  void send() {
    while (sent_ < out_.size()) {
      const IoResult r = write_some(fd_, std::span(out_).subspan(sent_));
      if (r.status == IoStatus::would_block) return;
      if (r.status != IoStatus::ok) return fail();
      sent_ += r.bytes;
    }
    reactor_.modify(fd_, kReadable, this);
  }

  void receive() {
    const std::span<std::uint8_t> buffer = reactor_.receive_buffer();
    for (;;) {
      const IoResult r = read_some(fd_, buffer);
      if (r.status == IoStatus::would_block) return;
      if (r.status != IoStatus::ok) return fail();
      in_.insert(in_.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.bytes));
      if (in_.size() > out_.size()) return fail();
      if (in_.size() < out_.size()) continue;
      if (in_ != out_) ++mismatches_;
      if (--rounds_left_ == 0) {
        reactor_.modify(fd_, 0, this);  // stay connected, quietly, until the test ends
        return;
      }
      next_message();
      reactor_.modify(fd_, kReadable | kWritable, this);
      return;
    }
  }

  void fail() {
    failed_ = true;
    reactor_.modify(fd_, 0, this);
  }

  Reactor& reactor_;
  int id_;
  int rounds_left_;
  int fd_ = -1;
  std::uint64_t seed_ = 0x9e3779b97f4a7c15ull;
  std::vector<std::uint8_t> out_, in_;
  std::size_t sent_ = 0;
  std::size_t mismatches_ = 0;
  bool failed_ = false;
};

// Raises the soft descriptor limit to the hard one for the test's lifetime.
struct RaisedFdLimit {
  rlimit saved{};
  RaisedFdLimit() {
    ::getrlimit(RLIMIT_NOFILE, &saved);
    rlimit raised = saved;
    raised.rlim_cur = saved.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &raised);
  }
  ~RaisedFdLimit() { ::setrlimit(RLIMIT_NOFILE, &saved); }
  static rlim_t current() {
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    return now.rlim_cur;
  }
};

}  // namespace

TEST_SUITE("net") {

TEST_CASE("echo server: a client that does not read is backpressured, then gets every byte back in order") {
  Reactor reactor;
  EchoServer server(reactor);
  REQUIRE(server.open({.port = 0}));
  const int client = connect_tcp("127.0.0.1", server.port());
  REQUIRE(client >= 0);
  for (int i = 0; i < 500 && server.connections() == 0; ++i) reactor.run_once(10ms);
  REQUIRE(server.connections() == 1);

  // Write without reading until both directions' buffers are full and the server has
  // stopped reading: then our writes are refused for good.
  std::vector<std::uint8_t> sent;
  std::uint8_t chunk[8192];
  int refused_in_a_row = 0;
  while (refused_in_a_row < 20 && sent.size() < (64u << 20)) {
    for (std::size_t i = 0; i < sizeof chunk; ++i) chunk[i] = static_cast<std::uint8_t>((sent.size() + i) * 7 + 3);
    const IoResult w = write_some(client, chunk);
    if (w.status == IoStatus::ok) {
      sent.insert(sent.end(), chunk, chunk + w.bytes);
      refused_in_a_row = 0;
    } else {
      REQUIRE(w.status == IoStatus::would_block);
      ++refused_in_a_row;
    }
    reactor.run_once(0ms);
  }
  CHECK(sent.size() > 64 * 1024);
  REQUIRE(refused_in_a_row == 20);  // the server stopped reading: backpressure reached us
  CHECK(server.bytes_echoed() < sent.size());  // the rest waits in kernel buffers and the backlog

  std::vector<std::uint8_t> echoed;
  for (int i = 0; i < 100000 && echoed.size() < sent.size(); ++i) {
    const IoResult r = read_some(client, chunk);
    if (r.status == IoStatus::ok) {
      echoed.insert(echoed.end(), chunk, chunk + r.bytes);
    } else {
      REQUIRE(r.status == IoStatus::would_block);
    }
    reactor.run_once(0ms);
  }
  CHECK(echoed.size() == sent.size());
  CHECK(echoed == sent);
  CHECK(server.bytes_echoed() == sent.size());
  close_fd(client);
  for (int i = 0; i < 500 && server.connections() == 1; ++i) reactor.run_once(10ms);
  CHECK(server.connections() == 0);
}

TEST_CASE("integration: the reactor alone echoes for 1,000 concurrent TCP clients, byte for byte") {
  constexpr std::size_t kClients = 1000;
  constexpr int kRounds = 3;
  RaisedFdLimit limit;
  REQUIRE_MESSAGE(RaisedFdLimit::current() >= 2 * kClients + 64,
                  "the hard RLIMIT_NOFILE is too low for 1,000 clients and their server ends");

  // The server: its own reactor on its own thread.
  std::promise<std::uint16_t> port_promise;
  std::atomic<Reactor*> server_reactor{nullptr};
  std::atomic<std::size_t> server_connections{0};
  std::thread server_thread([&] {
    Reactor reactor;
    EchoServer server(reactor);
    const bool opened = reactor.valid() && server.open({.host = "127.0.0.1", .port = 0});
    server_reactor = &reactor;
    port_promise.set_value(opened ? server.port() : 0);
    if (!opened) return;
    reactor.run();
    server_connections = server.connections();
  });
  const std::uint16_t port = port_promise.get_future().get();
  REQUIRE(port != 0);

  // The clients: another reactor, on this thread.
  Reactor reactor;
  std::vector<std::unique_ptr<EchoClient>> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<EchoClient>(reactor, static_cast<int>(i), kRounds));
    REQUIRE(clients.back()->start(port));
  }
  const auto give_up = Clock::now() + 120s;
  auto all_done = [&] {
    for (const auto& c : clients) {
      if (!c->done()) return false;
    }
    return true;
  };
  while (!all_done() && Clock::now() < give_up) reactor.run_once(100ms);

  std::size_t finished = 0, failed = 0, mismatches = 0;
  for (const auto& c : clients) {
    finished += c->done() && !c->failed() ? 1u : 0u;
    failed += c->failed() ? 1u : 0u;
    mismatches += c->mismatches();
  }
  CHECK(finished == kClients);
  CHECK(failed == 0);
  CHECK(mismatches == 0);

  // Every client is still connected: the server holds 1,000 connections at once.
  server_reactor.load()->stop_from_any_thread();
  server_thread.join();
  CHECK(server_connections.load() == kClients);
}

}  // TEST_SUITE
