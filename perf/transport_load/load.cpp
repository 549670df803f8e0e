#include "perf/transport_load/load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "app/json.hpp"
#include "perf/wsload/dial.hpp"
#include "perf/wsload/proc_stats.hpp"
#include "proto/http_body.hpp"
#include "proto/http_response.hpp"
#include "proto/sse_parser.hpp"
#include "proto/ws_handshake.hpp"
#include "proto/ws_session.hpp"

namespace sluice::transport_load {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::size_t kSseStorage = 4096;   // the SSE parser's id slots, type slot and data buffer

double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kSecond + ts.tv_nsec;
}

enum class Phase : std::uint8_t { setup, warmup, measure, done };
// connecting -> head (a response head awaited) -> stream (ws frames / SSE body) or body
// (a poll answer's body) -> waiting (poll: until next_due) -> head ...
enum class State : std::uint8_t { connecting, head, stream, body, waiting, closed };

class Load;
struct Conn;

struct WsHooks {  // the WebSocket session's hooks: events to the Load, bytes to the connection
  Load* load = nullptr;
  Conn* conn = nullptr;
  void on_message(proto::Opcode op, std::span<const std::uint8_t> bytes);
  void on_ping(std::span<const std::uint8_t>) {}
  void on_pong(std::span<const std::uint8_t>) {}
  void on_close(std::uint16_t code, std::string_view reason);
  void on_fail(std::uint16_t code);
  void send(std::span<const std::uint8_t> bytes);
};

struct Conn {  // Owns its socket (closed by Load::close) and its buffers.
  int fd = -1;
  std::uint32_t index = 0;
  State state = State::connecting;
  std::vector<std::uint8_t> in;   // received bytes not consumed yet (HTTP heads and bodies)
  std::string out;                // bytes the socket has not taken yet
  std::size_t out_pos = 0;
  // ws
  WsHooks hooks;
  std::array<char, 24> key{};
  std::optional<proto::WsSession<WsHooks>> ws;
  // HTTP (sse, longpoll, poll)
  proto::HttpResponseParser head_parser;
  proto::BodyDecoder body_decoder;
  std::string body;               // a poll answer so far
  bool keep_alive = true;
  std::unique_ptr<char[]> sse_storage;
  std::optional<proto::SseParser> sse;
  std::string last_id;            // the last "<epoch>:<seq>" received (the next since)
  std::string epoch;              // sse, poll: of the first id; every later id must keep it
  std::uint64_t id_seq = 0;       // ... and the seq of the last id: each next one is +1
  std::int64_t next_due = 0;      // poll: when to ask again
  // every transport
  bool seen = false;              // got its first payload
  std::uint64_t next_seq = 0;     // the payload seq expected next
};

class Load {
 public:
  explicit Load(const Options& o) : o_(o) {}
  Results run();

  void on_payload(Conn& c, std::string_view payload);
  bool on_id(Conn& c, std::string_view id);
  void bad(Conn& c, const std::string& what);
  void ws_closed(Conn& c);

 private:
  bool connect(Conn& c);
  void on_connected(Conn& c);
  void send_request(Conn& c);
  void handle(Conn& c, std::uint32_t events);
  void read_ready(Conn& c, bool until_eof);
  void on_bytes(Conn& c, std::span<std::uint8_t> bytes);
  bool on_head(Conn& c);
  void on_sse_body(Conn& c);
  void on_poll_body(Conn& c);
  void on_poll_answer(Conn& c);
  void on_eof(Conn& c);
  void flush(Conn& c);
  void close(Conn& c);
  void error(std::string what) {
    if (r_.error.empty()) r_.error = std::move(what);
  }
  bool counting() const { return phase_ == Phase::measure; }
  double random01() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<double>(rng_ >> 11) / 9007199254740992.0;
  }
  void advance(std::int64_t now);

  Options o_;
  Results r_;
  int ep_ = -1;
  sockaddr_in addr_{};
  std::string host_;              // "127.0.0.1:PORT", the Host header
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<std::uint8_t> rbuf_;
  std::int64_t now_ = 0;          // the time of the read being processed
  std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  Phase phase_ = Phase::setup;
  std::int64_t phase_end_ = 0;
  std::int64_t window_start_ = 0;
  std::size_t next_slot_ = 0;     // the next client to connect
  std::size_t connecting_ = 0;    // clients connected but without their first payload
  double server_cpu_start_ = 0;
  double load_cpu_start_ = 0;
  // One slot per recent publish (seq % kSlots): its arrivals so far, for first/last_arrival.
  struct Arrivals {
    std::uint64_t seq = ~std::uint64_t{0};
    std::size_t count = 0;
    std::int64_t first = 0, last = 0;
  };
  static constexpr std::size_t kSlots = 4096;
  std::vector<Arrivals> arrivals_ = std::vector<Arrivals>(kSlots);
  void arrived(std::uint64_t seq, std::int64_t latency);
};

// ---- hooks -------------------------------------------------------------------------------
void WsHooks::on_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
  if (op != proto::Opcode::text) {
    load->bad(*conn, "a binary WebSocket message");
    return;
  }
  load->on_payload(*conn, {reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}
void WsHooks::on_close(std::uint16_t, std::string_view) { load->ws_closed(*conn); }
void WsHooks::on_fail(std::uint16_t code) { load->bad(*conn, "WebSocket protocol error, failed with " + std::to_string(code)); }
void WsHooks::send(std::span<const std::uint8_t> bytes) { conn->out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size()); }

// ---- payloads ----------------------------------------------------------------------------
// "<seq> <publish ns> ...": latency, and the seq must advance by exactly one per client.
void Load::on_payload(Conn& c, std::string_view payload) {
  std::uint64_t seq = 0;
  std::int64_t sent = 0;
  const char* end = payload.data() + payload.size();
  const auto a = std::from_chars(payload.data(), end, seq);
  const auto b = a.ec == std::errc() && a.ptr != end && *a.ptr == ' ' ? std::from_chars(a.ptr + 1, end, sent)
                                                                     : std::from_chars_result{end, std::errc::invalid_argument};
  if (b.ec != std::errc()) {
    bad(c, "a payload that is not \"<seq> <ns> ...\"");
    return;
  }
  if (!c.seen) {
    c.seen = true;
    --connecting_;
    ++r_.connected;
  } else if (seq > c.next_seq) {
    r_.errors.gaps += seq - c.next_seq;
    error("messages lost (a gap in the payload seqs)");
  } else if (seq < c.next_seq) {
    ++r_.errors.duplicates;
    error("a message received twice or out of order");
    return;
  }
  c.next_seq = seq + 1;
  if (!counting()) return;
  const std::int64_t latency = now_ > sent ? now_ - sent : 0;
  ++r_.messages;
  r_.latency.record(static_cast<std::uint64_t>(latency));
  arrived(seq, latency);
}

void Load::arrived(std::uint64_t seq, std::int64_t latency) {
  Arrivals& a = arrivals_[seq % kSlots];
  if (a.seq != seq) a = Arrivals{seq, 0, latency, latency};
  if (latency < a.first) a.first = latency;
  if (latency > a.last) a.last = latency;
  if (++a.count != o_.clients) return;
  r_.first_arrival.record(static_cast<std::uint64_t>(a.first));
  r_.last_arrival.record(static_cast<std::uint64_t>(a.last));
}

// SSE and poll messages carry the topic's id "<epoch>:<seq>": the same epoch throughout, and
// seq up by exactly one per message (the server's own numbering, checked beside the payload's).
bool Load::on_id(Conn& c, std::string_view id) {
  const std::size_t colon = id.find(':');
  std::uint64_t seq = 0;
  const char* end = id.data() + id.size();
  if (colon == std::string_view::npos || colon == 0 ||
      std::from_chars(id.data() + colon + 1, end, seq).ptr != end) {
    bad(c, "a message id that is not <epoch>:<seq>");
    return false;
  }
  const std::string_view epoch = id.substr(0, colon);
  if (c.epoch.empty()) {
    c.epoch = std::string(epoch);
  } else if (epoch != c.epoch) {
    bad(c, "a message id from another epoch");
    return false;
  } else if (seq > c.id_seq + 1) {
    r_.errors.gaps += seq - c.id_seq - 1;
    error("message ids skipped");
  } else if (seq <= c.id_seq) {
    ++r_.errors.duplicates;
    error("a message id received twice or out of order");
  }
  c.id_seq = seq;
  return true;
}

void Load::bad(Conn& c, const std::string& what) {
  ++r_.errors.bad_response;
  error(what);
  close(c);
}

void Load::ws_closed(Conn& c) {
  ++r_.errors.closed;
  error("the server closed a WebSocket");
  c.state = State::closed;  // closed after feed() returns (on_eof or the next read)
}

// ---- connections -------------------------------------------------------------------------
bool Load::connect(Conn& c) {
  c.fd = wsload::dial(ep_, addr_, c.index);
  if (c.fd < 0) return false;
  c.state = State::connecting;
  ++connecting_;
  return true;
}

void Load::on_connected(Conn& c) {
  if (const int err = wsload::dial_result(c.fd); err != 0) {
    ++r_.errors.connect;
    error(std::string("connect: ") + std::strerror(err));
    close(c);
    return;
  }
  if (o_.transport == Transport::ws) {
    std::array<std::uint8_t, 16> nonce{};
    for (auto& byte : nonce) byte = static_cast<std::uint8_t>(random01() * 256);
    std::array<char, 512> request{};
    const std::size_t n = proto::write_client_request(host_, "/ws", nonce, {}, request, c.key);
    c.out.append(request.data(), n);
    c.state = State::head;
    flush(c);
    return;
  }
  send_request(c);
}

// An HTTP request: the SSE stream, or the next (long-)poll from the last id seen.
void Load::send_request(Conn& c) {
  if (o_.transport == Transport::sse) {
    c.out += "GET /sse HTTP/1.1\r\nHost: " + host_ + "\r\nAccept: text/event-stream\r\n\r\n";
  } else {
    c.out += "GET /poll";
    if (!c.last_id.empty()) {
      c.out += "?since=" + c.last_id;
      if (o_.transport == Transport::poll) c.out += "&wait=0";
    }
    c.out += " HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n";
  }
  c.state = State::head;
  c.head_parser.reset();
  flush(c);
}

void Load::handle(Conn& c, std::uint32_t events) {
  if (c.state == State::connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    on_connected(c);
    if (c.fd < 0) return;
  }
  if ((events & EPOLLOUT) && c.out_pos < c.out.size()) flush(c);
  if (c.fd >= 0 && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
    read_ready(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
}

void Load::read_ready(Conn& c, bool until_eof) {
  while (c.fd >= 0) {
    const ssize_t n = ::read(c.fd, rbuf_.data(), rbuf_.size());
    if (n > 0) {
      now_ = monotonic_ns();
      if (counting()) r_.bytes_read += static_cast<std::uint64_t>(n);
      on_bytes(c, std::span<std::uint8_t>(rbuf_.data(), static_cast<std::size_t>(n)));
      if (c.fd >= 0 && c.state == State::closed) {
        close(c);
        return;
      }
      if (c.fd >= 0) flush(c);
      // Edge-triggered: a short read emptied the socket (new bytes raise a new edge), so the
      // read that would only say EAGAIN is saved: one read per message at low rates.
      if (static_cast<std::size_t>(n) < rbuf_.size() && !until_eof) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    on_eof(c);
    return;
  }
}

void Load::on_bytes(Conn& c, std::span<std::uint8_t> bytes) {
  if (c.state == State::stream && c.ws) {
    c.ws->feed(bytes);
    return;
  }
  c.in.insert(c.in.end(), bytes.begin(), bytes.end());
  if (c.state == State::head && !on_head(c)) return;
  if (c.state == State::stream) on_sse_body(c);
  else if (c.state == State::body) on_poll_body(c);
  else if (!c.in.empty()) bad(c, "bytes from the server that nobody asked for");
}

// A response head: the 101 (ws), 200 text/event-stream (sse) or 200 application/json (poll).
bool Load::on_head(Conn& c) {
  std::array<proto::HttpHeader, 32> storage{};
  proto::HttpResponse response;
  const proto::HeadResult r = c.head_parser.parse_head(c.in, storage, response);
  if (r.status == proto::ParseStatus::need_more) return false;
  if (r.status == proto::ParseStatus::error) {
    bad(c, "an unparsable response head");
    return false;
  }
  proto::HttpLimits limits;
  limits.max_body = ~std::uint64_t{0};  // a stream's body has no end (clamped to 1 GiB)
  switch (o_.transport) {
    case Transport::ws:
      if (response.status != 101 || !proto::verify_server_response(response, {c.key.data(), c.key.size()})) {
        bad(c, "the upgrade was refused (status " + std::to_string(response.status) + ")");
        return false;
      }
      c.state = State::stream;
      c.hooks = WsHooks{this, &c};
      c.ws.emplace(proto::Role::client, proto::WsLimits{}, c.hooks);
      c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      if (!c.in.empty()) c.ws->feed(c.in);
      c.in.clear();
      c.in.shrink_to_fit();
      return false;
    case Transport::sse: {
      const auto type = response.header("Content-Type");
      if (response.status != 200 || !type || type->rfind("text/event-stream", 0) != 0 ||
          response.body_framing != proto::BodyFraming::chunked) {
        bad(c, "the SSE stream was refused (status " + std::to_string(response.status) + ")");
        return false;
      }
      c.body_decoder.start(response.body_framing, response.content_length, limits);
      c.sse_storage = std::make_unique<char[]>(kSseStorage);
      c.sse.emplace(std::span<char>(c.sse_storage.get(), kSseStorage));
      c.state = State::stream;
      break;
    }
    case Transport::longpoll:
    case Transport::poll:
      if (response.status != 200 || response.body_framing != proto::BodyFraming::content_length) {
        bad(c, "a poll answered with status " + std::to_string(response.status));
        return false;
      }
      c.keep_alive = response.keep_alive;
      c.body_decoder.start(response.body_framing, response.content_length, limits);
      c.body.clear();
      c.state = State::body;
      break;
  }
  c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(r.consumed));
  return true;
}

void Load::on_sse_body(Conn& c) {
  const proto::BodyResult r = c.body_decoder.decode(c.in);
  if (r.status == proto::ParseStatus::error) {
    bad(c, "a broken chunked SSE body");
    return;
  }
  std::span<const std::uint8_t> data(c.in.data(), r.produced);
  while (!data.empty()) {
    const proto::SseResult e = c.sse->parse(data);
    if (e.status == proto::SseStatus::error) {
      bad(c, "an unparsable SSE event");
      return;
    }
    data = data.subspan(e.consumed);
    if (e.status != proto::SseStatus::event) continue;
    if (e.event.type != "message") {
      bad(c, "an SSE event of type " + std::string(e.event.type) + " (history lost?)");
      return;
    }
    if (!on_id(c, e.event.last_event_id)) return;
    on_payload(c, e.event.data);
    if (c.fd < 0) return;
  }
  c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(r.consumed));
  if (r.status == proto::ParseStatus::done) {
    ++r_.errors.closed;
    error("the server ended an SSE stream");
    close(c);
  }
}

void Load::on_poll_body(Conn& c) {
  const proto::BodyResult r = c.body_decoder.decode(c.in);
  if (r.status == proto::ParseStatus::error) {
    bad(c, "a broken poll body");
    return;
  }
  c.body.append(reinterpret_cast<const char*>(c.in.data()), r.produced);
  c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(r.consumed));
  if (r.status != proto::ParseStatus::done) return;
  if (!c.in.empty()) {
    bad(c, "bytes after a poll answer");
    return;
  }
  on_poll_answer(c);
}

// {"epoch":"..","messages":[{"id":"<e>:<seq>","data":".."}...],"reset":false}
void Load::on_poll_answer(Conn& c) {
  const json::ParseResult p = json::parse(c.body);
  const json::Value* messages = p ? p.value.find("messages") : nullptr;
  const json::Value* reset = p ? p.value.find("reset") : nullptr;
  if (messages == nullptr || !messages->is_array() || reset == nullptr || !reset->is_bool()) {
    bad(c, "a poll answer that is not {epoch, messages, reset}");
    return;
  }
  if (reset->as_bool()) {
    bad(c, "a poll answered reset: the history did not reach back");
    return;
  }
  if (counting()) ++r_.requests;
  for (const json::Value& m : messages->array()) {
    const auto id = m.string_at("id");
    const auto data = m.string_at("data");
    if (!id || !data) {
      bad(c, "a poll message without id or data");
      return;
    }
    if (!on_id(c, *id)) return;
    c.last_id = std::string(*id);
    on_payload(c, *data);
  }
  if (!c.keep_alive) {
    ++r_.errors.closed;
    error("the server closed a keep-alive poll connection");
    close(c);
    return;
  }
  if (o_.transport == Transport::longpoll || c.last_id.empty()) {
    send_request(c);
    return;
  }
  // poll: every interval; the first wait starts at a random phase so clients spread out.
  const auto interval = static_cast<std::int64_t>(o_.interval * 1e9);
  c.next_due = c.next_due == 0 ? now_ + static_cast<std::int64_t>(random01() * static_cast<double>(interval))
                               : c.next_due + interval;
  if (c.next_due < now_) c.next_due = now_;
  c.state = State::waiting;
}

void Load::on_eof(Conn& c) {
  if (!c.seen) {
    ++r_.errors.connect;
    error("the server closed a connection before its first message");
  } else {
    ++r_.errors.closed;
    error("the server closed a connection");
  }
  close(c);
}

void Load::flush(Conn& c) {
  while (c.out_pos < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
    if (n > 0) {
      if (counting()) r_.bytes_written += static_cast<std::uint64_t>(n);
      c.out_pos += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;  // EAGAIN: EPOLLOUT resumes; an error: the read side reports it
  }
  c.out.clear();
  c.out_pos = 0;
}

void Load::close(Conn& c) {
  if (c.fd >= 0) {
    ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    if (!c.seen) --connecting_;
  }
  c.fd = -1;
  c.state = State::closed;
}

// ---- phases --------------------------------------------------------------------------------
void Load::advance(std::int64_t now) {
  if (o_.transport == Transport::poll) {
    for (auto& c : conns_) {
      if (c->state == State::waiting && now >= c->next_due) {
        now_ = now;
        send_request(*c);
      }
    }
  }
  switch (phase_) {
    case Phase::setup:
      while (next_slot_ < conns_.size() && connecting_ < o_.max_connecting) {
        if (!connect(*conns_[next_slot_++])) {
          ++r_.errors.connect;
          error(std::string("socket/connect: ") + std::strerror(errno));
        }
      }
      if (r_.connected == o_.clients) {
        phase_ = Phase::warmup;
        phase_end_ = now + static_cast<std::int64_t>(o_.warmup * 1e9);
      } else if (now > phase_end_ || r_.errors.total() != 0) {
        error("only " + std::to_string(r_.connected) + " of " + std::to_string(o_.clients) +
              " clients connected and received a message in time");
        phase_ = Phase::done;
      }
      return;
    case Phase::warmup:
      if (now < phase_end_) return;
      phase_ = Phase::measure;
      window_start_ = now;
      phase_end_ = now + static_cast<std::int64_t>(o_.seconds * 1e9);
      server_cpu_start_ = wsload::process_cpu_seconds(o_.server_pid);
      load_cpu_start_ = own_cpu_seconds();
      return;
    case Phase::measure:
      if (now < phase_end_) return;
      r_.window_seconds = static_cast<double>(now - window_start_) / 1e9;
      r_.load_cpu_seconds = own_cpu_seconds() - load_cpu_start_;
      if (o_.server_pid > 0) {
        const double cpu = wsload::process_cpu_seconds(o_.server_pid);
        if (cpu >= 0 && server_cpu_start_ >= 0) r_.server_cpu_seconds = cpu - server_cpu_start_;
        r_.rss_kib = wsload::process_rss_kib(o_.server_pid);
      }
      phase_ = Phase::done;
      return;
    case Phase::done: return;
  }
}

Results Load::run() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  addr_.sin_family = AF_INET;
  addr_.sin_port = htons(o_.port);
  if (::inet_pton(AF_INET, o_.host.c_str(), &addr_.sin_addr) != 1) {
    r_.error = "host must be an IPv4 address";
    return r_;
  }
  host_ = o_.host + ":" + std::to_string(o_.port);
  rng_ ^= static_cast<std::uint64_t>(monotonic_ns());
  ep_ = ::epoll_create1(EPOLL_CLOEXEC);
  rbuf_.resize(64 * 1024);
  for (std::size_t i = 0; i < o_.clients; ++i) {
    auto c = std::make_unique<Conn>();
    c->index = static_cast<std::uint32_t>(i);
    conns_.push_back(std::move(c));
  }
  if (o_.server_pid > 0) r_.rss_before_kib = wsload::process_rss_kib(o_.server_pid);
  phase_end_ = monotonic_ns() + static_cast<std::int64_t>(o_.setup_timeout * 1e9);

  // poll: wake every millisecond for the due requests; else the phases need only 5 ms.
  const int tick_ms = o_.transport == Transport::poll ? 1 : 5;
  std::array<epoll_event, 512> events{};
  while (phase_ != Phase::done) {
    const int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), tick_ms);
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events[static_cast<std::size_t>(i)];
      Conn& c = *conns_[ev.data.u32];
      if (c.fd >= 0) handle(c, ev.events);
    }
    advance(monotonic_ns());
  }
  for (auto& c : conns_) close(*c);
  ::close(ep_);
  r_.valid = r_.errors.total() == 0 && r_.connected == o_.clients && r_.messages > 0 && r_.error.empty();
  return r_;
}

}  // namespace

const char* transport_name(Transport t) {
  switch (t) {
    case Transport::ws: return "ws";
    case Transport::sse: return "sse";
    case Transport::longpoll: return "longpoll";
    case Transport::poll: return "poll";
  }
  return "?";
}

bool transport_from_name(std::string_view name, Transport& out) {
  for (const Transport t : {Transport::ws, Transport::sse, Transport::longpoll, Transport::poll}) {
    if (name == transport_name(t)) {
      out = t;
      return true;
    }
  }
  return false;
}

Results run(const Options& options) {
  Load load(options);
  return load.run();
}

}  // namespace sluice::transport_load
