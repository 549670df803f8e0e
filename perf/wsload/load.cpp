#include "perf/wsload/load.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <strings.h>
#include <optional>
#include <span>
#include <string_view>
#include <thread>

#include "perf/wsload/dial.hpp"
#include "perf/wsload/proc_stats.hpp"
#include "proto/http_response.hpp"
#include "core/utf8.hpp"
#include "proto/ws_deflate.hpp"
#include "proto/ws_frame.hpp"
#include "proto/ws_handshake.hpp"
#include "proto/ws_session.hpp"

namespace sluice::wsload {
namespace {

constexpr std::size_t kSeqDigits = 16;          // the sequence number, in hex, starts each payload
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kDrainLimit = 2 * kSecond;  // in-flight messages and closes get this long
constexpr std::int64_t kFanoutWarmInterval = 20'000'000;  // a warm-up publish every 20 ms

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double cpu_self_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

enum class Phase : std::uint8_t { setup, warmup, measure, drain, closing, done };
enum class State : std::uint8_t { unused, connecting, upgrading, open, closing, wait_eof, finished };
enum class Kind : std::uint8_t { echo, subscriber, publisher, handshake, idle };

class Load;
struct Conn;

// The session's hooks: events go back to the Load, outgoing bytes into the connection's
// output buffer (flushed with one write after each read).
struct Hooks {
  Load* load = nullptr;
  Conn* conn = nullptr;
  void on_message(proto::Opcode op, std::span<const std::uint8_t> bytes);
  proto::WsError on_compressed_message(proto::Opcode op, std::span<const std::uint8_t> bytes);
  void on_ping(std::span<const std::uint8_t>) {}
  void on_pong(std::span<const std::uint8_t>) {}
  void on_close(std::uint16_t code, std::string_view reason);
  void on_fail(std::uint16_t code);
  void send(std::span<const std::uint8_t> bytes);
  std::array<std::uint8_t, 4> next_mask();
};

struct Conn {  // Owns its socket (closed by Load::finish) and its buffers.
  int fd = -1;
  std::uint32_t index = 0;         // in Load::conns_
  std::uint32_t generation = 0;    // +1 per socket: stale epoll events are recognised
  State state = State::unused;
  Kind kind = Kind::echo;
  Hooks hooks;
  std::optional<proto::WsSession<Hooks>> session;
  std::unique_ptr<proto::WsDeflate> deflate;  // --deflate, when the server accepted it
  proto::HttpResponseParser response_parser;
  std::vector<std::uint8_t> head;  // the upgrade response so far
  std::array<char, 24> key{};
  std::vector<std::uint8_t> out;   // bytes the socket has not taken yet
  std::size_t out_pos = 0;
  std::uint64_t send_seq = 0;      // next sequence number to send (echo)
  std::uint64_t recv_seq = 0;      // next expected (echo) / last seen + 1 (subscriber)
  bool seen_any = false;           // subscriber: got its first message
  std::vector<std::int64_t> sent_at;  // ring of send times, indexed seq % depth
  std::int64_t started = 0;        // connect time (handshake latency), or EOF deadline
  std::vector<std::uint8_t> expect;   // tcp://: bytes sent and not yet echoed
  std::size_t expect_pos = 0;
  std::uint64_t raw_received = 0;  // tcp://: bytes echoed so far
};

class Load {
 public:
  explicit Load(const Options& options) : o_(options) {}
  Results run();

  void on_message(Conn& c, proto::Opcode op, std::span<const std::uint8_t> bytes);
  proto::WsError on_compressed(Conn& c, proto::Opcode op, std::span<const std::uint8_t> bytes);
  void on_close(Conn& c);
  void on_fail(Conn& c, std::uint16_t code);
  std::array<std::uint8_t, 4> mask() {
    const std::uint64_t v = next_random();
    return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
            static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
  }

 private:
  std::uint64_t next_random() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }
  bool start_connection(Conn& c);
  void on_connected(Conn& c);
  void on_open(Conn& c);
  void handle(Conn& c, std::uint32_t events);
  void read_ready(Conn& c, bool until_eof);
  void retire(Conn& c);
  void on_bytes(Conn& c, std::span<std::uint8_t> bytes);
  void on_raw_bytes(Conn& c, std::span<const std::uint8_t> bytes);
  void on_eof(Conn& c);
  void flush(Conn& c);
  void finish(Conn& c);
  void error(std::string what);
  void send_echo(Conn& c);
  void publish(std::int64_t now);
  void fill_payload(std::uint64_t seq);
  bool check_payload(std::span<const std::uint8_t> bytes, std::uint64_t& seq) const;
  void advance(std::int64_t now);
  void begin_window(std::int64_t now);
  void end_window(std::int64_t now);
  void begin_closing(std::int64_t now);
  bool drained() const;
  bool counting() const { return phase_ == Phase::measure; }
  bool sending() const { return phase_ == Phase::warmup || phase_ == Phase::measure; }
  std::size_t target_open() const { return o_.connections + (o_.mode == Mode::fanout ? 1 : 0); }

  Options o_;
  Results r_;
  int ep_ = -1;
  sockaddr_in addr_{};
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<std::uint8_t> filler_;   // the payload bytes after the sequence number
  std::vector<std::uint8_t> payload_;  // the message being sent
  std::vector<std::uint8_t> deflated_;  // --deflate: payload_ compressed
  std::vector<std::uint8_t> inflated_;  // --deflate: a message received, inflated
  void send_payload(Conn& c, proto::Opcode op);
  std::vector<std::uint8_t> rbuf_;
  std::uint64_t rng_ = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(now_ns());
  Phase phase_ = Phase::setup;
  std::int64_t phase_end_ = 0;
  std::int64_t window_start_ = 0;
  std::size_t next_slot_ = 0;     // setup: the next connection to start
  std::size_t in_progress_ = 0;   // connections connecting or upgrading
  std::size_t open_ = 0;
  std::size_t raw_frame_ = 0;     // tcp://: bytes per frame
  double server_cpu_start_ = 0;
  double client_cpu_start_ = 0;
  std::vector<CoreTimes> cores_start_;
  // fan-out
  Conn* publisher_ = nullptr;
  std::size_t subscribers_ready_ = 0;
  std::uint64_t pub_seq_ = 0;             // next sequence number to publish
  std::uint64_t first_counted_ = ~0ull;   // first publish of the measured window
  std::int64_t next_warm_publish_ = 0;
  std::size_t pub_in_flight_ = 0;
  struct Slot { std::uint64_t seq = ~0ull; std::size_t remaining = 0; std::int64_t sent_at = 0; };
  std::vector<Slot> slots_;               // in-flight publishes, indexed seq % depth
};

// ---- hooks -------------------------------------------------------------------------------
void Hooks::on_message(proto::Opcode op, std::span<const std::uint8_t> bytes) { load->on_message(*conn, op, bytes); }
proto::WsError Hooks::on_compressed_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
  return load->on_compressed(*conn, op, bytes);
}
void Hooks::on_close(std::uint16_t, std::string_view) { load->on_close(*conn); }
void Hooks::on_fail(std::uint16_t code) { load->on_fail(*conn, code); }
void Hooks::send(std::span<const std::uint8_t> bytes) { conn->out.insert(conn->out.end(), bytes.begin(), bytes.end()); }
std::array<std::uint8_t, 4> Hooks::next_mask() { return load->mask(); }

// ---- payloads ----------------------------------------------------------------------------
void Load::fill_payload(std::uint64_t seq) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t digits = o_.size < kSeqDigits ? o_.size : kSeqDigits;
  for (std::size_t i = 0; i < digits; ++i)
    payload_[i] = static_cast<std::uint8_t>(kHex[(seq >> (4 * (digits - 1 - i))) & 0xF]);
}

bool Load::check_payload(std::span<const std::uint8_t> bytes, std::uint64_t& seq) const {
  if (bytes.size() != o_.size) return false;
  const std::size_t digits = o_.size < kSeqDigits ? o_.size : kSeqDigits;
  seq = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const std::uint8_t ch = bytes[i];
    std::uint64_t v = 0;
    if (ch >= '0' && ch <= '9') v = ch - '0';
    else if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10u;
    else return false;
    seq = seq << 4 | v;
  }
  return std::memcmp(bytes.data() + digits, filler_.data() + digits, o_.size - digits) == 0;
}

// ---- connections -------------------------------------------------------------------------
bool Load::start_connection(Conn& c) {
  c.started = now_ns();
  c.head.clear();
  c.out.clear();
  c.out_pos = 0;
  c.session.reset();
  c.response_parser.reset();
  c.send_seq = c.recv_seq = 0;
  c.seen_any = false;
  sockaddr_in to = addr_;
  if (c.kind == Kind::publisher && o_.publisher_port != 0) to.sin_port = htons(o_.publisher_port);
  ++c.generation;
  c.fd = dial(ep_, to, std::uint64_t{c.generation} << 32 | c.index);
  if (c.fd < 0) {
    ++r_.connect_errors;
    c.state = State::unused;
    return false;
  }
  c.state = State::connecting;
  ++in_progress_;
  return true;
}

void Load::on_connected(Conn& c) {
  if (const int err = dial_result(c.fd); err != 0) {
    ++r_.connect_errors;
    if (o_.mode != Mode::handshake) error(std::string("connect: ") + std::strerror(err));
    --in_progress_;
    retire(c);
    return;
  }
  if (o_.raw_tcp) {
    on_open(c);
    return;
  }
  std::array<std::uint8_t, 16> nonce{};
  for (std::size_t i = 0; i < nonce.size(); i += 8) {
    const std::uint64_t v = next_random();
    std::memcpy(nonce.data() + i, &v, 8);
  }
  const std::string host = o_.host + ":" + std::to_string(o_.port);
  std::array<char, 1024> request{};
  std::size_t n = proto::write_client_request(host, o_.path, nonce, {}, request, c.key);
  if (o_.deflate && n > 2) {  // RFC 7692 §5: the offer browsers make, before the empty line
    std::array<char, 128> offer{};
    const std::size_t k = proto::write_deflate_offer(proto::DeflateOffer{}, offer);
    const std::string line = std::string(proto::kExtensionsHeader) + ": " + std::string(offer.data(), k) + "\r\n\r\n";
    if (n - 2 + line.size() <= request.size()) {
      std::memcpy(request.data() + n - 2, line.data(), line.size());
      n = n - 2 + line.size();
    }
  }
  c.out.insert(c.out.end(), request.begin(), request.begin() + static_cast<std::ptrdiff_t>(n));
  c.state = State::upgrading;
  flush(c);
}

void Load::on_open(Conn& c) {
  --in_progress_;
  ++open_;
  ++r_.opened;
  c.state = State::open;
  switch (c.kind) {
    case Kind::handshake:
      if (counting()) {
        ++r_.messages;
        r_.latency.record(static_cast<std::uint64_t>(now_ns() - c.started));
      }
      if (o_.echo_once) {  // one verified echo before the close handshake
        c.send_seq = c.recv_seq = 0;
        send_echo(c);
        break;
      }
      c.session->send_close(1000, {});
      c.state = State::closing;
      break;
    case Kind::echo:
      if (sending())
        for (std::size_t i = 0; i < o_.depth; ++i) send_echo(c);
      break;
    case Kind::idle:  // --echo-once: one echo, then silence (the memory a used connection keeps)
      if (o_.echo_once) {
        c.send_seq = c.recv_seq = 0;
        send_echo(c);
      }
      break;
    default:
      break;
  }
}

void Load::handle(Conn& c, std::uint32_t events) {
  if (c.state == State::connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    on_connected(c);
    if (c.state == State::finished || c.state == State::unused) return;
  }
  if ((events & EPOLLOUT) && c.out_pos < c.out.size()) flush(c);
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    read_ready(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
}

// A connection that failed or ended: close it; in handshake mode its slot starts over.
void Load::retire(Conn& c) {
  finish(c);
  if (o_.mode == Mode::handshake && sending()) start_connection(c);
}

void Load::read_ready(Conn& c, bool until_eof) {
  while (c.fd >= 0) {
    const ssize_t n = ::read(c.fd, rbuf_.data(), rbuf_.size());
    if (n > 0) {
      on_bytes(c, std::span<std::uint8_t>(rbuf_.data(), static_cast<std::size_t>(n)));
      if (c.fd >= 0) flush(c);
      // Edge-triggered: a short read emptied the socket; new data raises a new edge.
      if (static_cast<std::size_t>(n) < rbuf_.size() && !until_eof) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (errno == EINTR) continue;
      return;
    }
    on_eof(c);
    return;
  }
}

void Load::on_bytes(Conn& c, std::span<std::uint8_t> bytes) {
  switch (c.state) {
    case State::upgrading: {
      c.head.insert(c.head.end(), bytes.begin(), bytes.end());
      std::array<proto::HttpHeader, 32> storage{};
      proto::HttpResponse response;
      const proto::HeadResult r = c.response_parser.parse_head(c.head, storage, response);
      if (r.status == proto::ParseStatus::need_more) return;
      const std::string_view key(c.key.data(), c.key.size());
      // RFC 7692: the extension's answer is checked here; the rest of the 101 by
      // verify_server_response, which knows no extension (the header is left out for it).
      proto::DeflateAgreement agreed;
      const proto::DeflateAnswerCheck dc = o_.deflate && r.status == proto::ParseStatus::done
                                               ? proto::check_deflate_answer(response.headers, proto::DeflateOffer{}, agreed)
                                               : proto::DeflateAnswerCheck::not_accepted;
      std::array<proto::HttpHeader, 32> others{};
      std::size_t kept = 0;
      for (const proto::HttpHeader& h : response.headers) {
        if (dc == proto::DeflateAnswerCheck::accepted && h.name.size() == proto::kExtensionsHeader.size() &&
            strncasecmp(h.name.data(), proto::kExtensionsHeader.data(), h.name.size()) == 0)
          continue;
        others[kept++] = h;
      }
      proto::HttpResponse checked = response;
      checked.headers = std::span<const proto::HttpHeader>(others.data(), kept);
      if (r.status == proto::ParseStatus::error || response.status != 101 ||
          (dc != proto::DeflateAnswerCheck::accepted && dc != proto::DeflateAnswerCheck::not_accepted) ||
          !proto::verify_server_response(checked, key)) {
        ++r_.verify_errors;
        error("upgrade refused (status " + std::to_string(response.status) + ")");
        --in_progress_;
        retire(c);
        return;
      }
      proto::WsLimits limits;
      if (dc == proto::DeflateAnswerCheck::accepted) {
        c.deflate = std::make_unique<proto::WsDeflate>(proto::Role::client, agreed, core::DeflateLevel::fast);
        limits.permessage_deflate = true;
        ++r_.deflate_accepted;
      }
      c.session.emplace(proto::Role::client, limits, c.hooks);
      on_open(c);
      if (r.consumed < c.head.size() && c.session)
        c.session->feed(std::span<std::uint8_t>(c.head).subspan(r.consumed));
      c.head.clear();
      c.head.shrink_to_fit();
      return;
    }
    case State::open:
    case State::closing:
      if (o_.raw_tcp) on_raw_bytes(c, bytes);
      else if (c.session) c.session->feed(bytes);
      return;
    default:
      return;  // wait_eof: bytes after the close are ignored
  }
}

void Load::on_raw_bytes(Conn& c, std::span<const std::uint8_t> bytes) {
  const std::size_t pending = c.expect.size() - c.expect_pos;
  if (bytes.size() > pending ||
      std::memcmp(bytes.data(), c.expect.data() + c.expect_pos, bytes.size()) != 0) {
    ++r_.verify_errors;
    error("tcp echo returned bytes that were not sent");
    finish(c);
    return;
  }
  c.expect_pos += bytes.size();
  if (c.expect_pos == c.expect.size()) {
    c.expect.clear();
    c.expect_pos = 0;
  } else if (c.expect_pos >= 64 * 1024 && c.expect_pos * 2 >= c.expect.size()) {
    // Deep pipelines never drain to empty: drop the echoed front now and then.
    c.expect.erase(c.expect.begin(), c.expect.begin() + static_cast<std::ptrdiff_t>(c.expect_pos));
    c.expect_pos = 0;
  }
  const std::uint64_t before = c.raw_received / raw_frame_;
  c.raw_received += bytes.size();
  const std::uint64_t after = c.raw_received / raw_frame_;
  const std::int64_t now = after > before ? now_ns() : 0;
  for (std::uint64_t m = before; m < after; ++m) {
    if (counting()) {
      ++r_.messages;
      r_.payload_bytes += o_.size;
      r_.latency.record(static_cast<std::uint64_t>(now - c.sent_at[c.recv_seq % o_.depth]));
    }
    ++c.recv_seq;
    if (sending()) send_echo(c);
  }
}

// RFC 7692 §7.2.2: inflated (at most 2x the payload size: an echo is never larger), then
// checked as any message.
proto::WsError Load::on_compressed(Conn& c, proto::Opcode op, std::span<const std::uint8_t> bytes) {
  if (!c.deflate) return proto::WsError::compressed_bit_misplaced;
  inflated_.resize(std::max<std::size_t>(2 * o_.size, 64));
  const proto::WsDeflateResult r = c.deflate->decompress(bytes, inflated_);
  if (r.status != proto::WsDeflateStatus::ok) return proto::ws_error_of(r.status);
  if (counting()) {
    r_.wire_bytes_in += bytes.size();
    r_.inflated_bytes_in += r.size;
  }
  const std::span<const std::uint8_t> plain(inflated_.data(), r.size);
  if (op == proto::Opcode::text &&
      !core::is_valid_utf8(std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size())))
    return proto::WsError::invalid_utf8;
  on_message(c, op, plain);
  return proto::WsError::none;
}

// One message of payload_: compressed when the server accepted permessage-deflate.
void Load::send_payload(Conn& c, proto::Opcode op) {
  if (!c.deflate) {
    c.session->send_message(op, payload_);
    return;
  }
  deflated_.resize(c.deflate->compress_bound(payload_.size()));
  const proto::WsDeflateResult r = c.deflate->compress(payload_, deflated_);
  if (r.status == proto::WsDeflateStatus::ok) {
    c.session->send_compressed_message(op, std::span<const std::uint8_t>(deflated_.data(), r.size));
  } else {
    ++r_.verify_errors;
    error("our compressor failed");
  }
}

void Load::on_message(Conn& c, proto::Opcode op, std::span<const std::uint8_t> bytes) {
  std::uint64_t seq = 0;
  const proto::Opcode want = o_.binary ? proto::Opcode::binary : proto::Opcode::text;
  if (c.kind == Kind::publisher) return;  // servers that relay to the sender too
  if (op != want || !check_payload(bytes, seq)) {
    ++r_.verify_errors;
    error("a message's bytes differ from what was sent");
    return;
  }
  if (c.kind == Kind::idle) {  // --echo-once: the one echo
    if (seq != 0 || c.recv_seq++ != 0) {
      ++r_.verify_errors;
      error("an idle-mode echo came back twice or out of order");
    }
    return;
  }
  if (c.kind == Kind::handshake) {  // --echo-once: the one echo came back; now close
    if (seq != 0 || c.recv_seq++ != 0) {
      ++r_.verify_errors;
      error("a handshake-mode echo came back twice or out of order");
      return;
    }
    c.session->send_close(1000, {});
    c.state = State::closing;
    return;
  }
  if (c.kind == Kind::echo) {
    const std::uint64_t mask = o_.size >= kSeqDigits ? ~0ull : (1ull << (4 * o_.size)) - 1;
    if (seq != (c.recv_seq & mask)) {
      ++r_.verify_errors;
      error("echo out of order");
      return;
    }
    if (counting()) {
      ++r_.messages;
      r_.payload_bytes += bytes.size();
      r_.latency.record(static_cast<std::uint64_t>(now_ns() - c.sent_at[c.recv_seq % o_.depth]));
    }
    ++c.recv_seq;
    if (sending()) send_echo(c);
    return;
  }
  if (c.kind != Kind::subscriber) return;
  if (c.seen_any && seq != c.recv_seq) {
    ++r_.verify_errors;
    error("fan-out message lost or reordered");
  }
  if (!c.seen_any) {
    c.seen_any = true;
    ++subscribers_ready_;
  }
  c.recv_seq = seq + 1;
  if (seq < first_counted_) return;
  Slot& slot = slots_[seq % o_.depth];
  if (slot.seq != seq || slot.remaining == 0) return;
  if (counting()) {
    ++r_.messages;
    r_.payload_bytes += bytes.size();
  }
  if (--slot.remaining == 0) {
    const std::int64_t now = now_ns();
    if (counting()) {
      ++r_.publishes;
      r_.latency.record(static_cast<std::uint64_t>(now - slot.sent_at));
    }
    --pub_in_flight_;
    if (sending()) publish(now);
  }
}

void Load::on_close(Conn& c) {
  if (phase_ < Phase::closing && c.kind != Kind::handshake) error("the server closed a connection");
  c.state = State::wait_eof;
  c.started = now_ns() + kDrainLimit;  // EOF deadline
}

void Load::on_fail(Conn& c, std::uint16_t code) {
  ++r_.verify_errors;
  error("the server broke RFC 6455; we failed the connection with " + std::to_string(code));
  c.state = State::wait_eof;
  c.started = now_ns() + kDrainLimit;
}

void Load::on_eof(Conn& c) {
  if (c.state == State::upgrading || c.state == State::connecting) {
    --in_progress_;
    ++r_.connect_errors;
    if (o_.mode != Mode::handshake) error("connection closed during the upgrade");
  } else if (c.state == State::open && phase_ < Phase::closing) {
    error("the server closed a connection");
  }
  if (c.state == State::open || c.state == State::closing || c.state == State::wait_eof) --open_;
  retire(c);
}

void Load::flush(Conn& c) {
  while (c.out_pos < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_pos += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // EPOLLOUT (edge) resumes
    return;                                // the read side reports the error
  }
  c.out.clear();
  c.out_pos = 0;
}

void Load::finish(Conn& c) {
  if (c.fd >= 0) {
    ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
  }
  c.fd = -1;
  c.state = State::finished;
  c.session.reset();
}

void Load::error(std::string what) {
  if (r_.error.empty()) r_.error = std::move(what);
}

// ---- traffic -------------------------------------------------------------------------------
void Load::send_echo(Conn& c) {
  const std::uint64_t seq = c.send_seq++;
  fill_payload(seq);
  c.sent_at[seq % o_.depth] = now_ns();
  if (!o_.raw_tcp) {
    send_payload(c, o_.binary ? proto::Opcode::binary : proto::Opcode::text);
    return;
  }
  // tcp://: the same masked frame a WebSocket client sends, expected back unchanged.
  const std::array<std::uint8_t, 4> key = mask();
  std::array<std::uint8_t, proto::kMaxFrameHeader> header{};
  const std::size_t h = proto::encode_frame_header(
      header.data(), o_.binary ? proto::Opcode::binary : proto::Opcode::text, true, o_.size, &key);
  const std::size_t at = c.out.size();
  c.out.insert(c.out.end(), header.begin(), header.begin() + static_cast<std::ptrdiff_t>(h));
  c.out.insert(c.out.end(), payload_.begin(), payload_.end());
  proto::unmask(std::span<std::uint8_t>(c.out.data() + at + h, o_.size), key, 0);
  c.expect.insert(c.expect.end(), c.out.begin() + static_cast<std::ptrdiff_t>(at), c.out.end());
}

void Load::publish(std::int64_t now) {
  const auto op = o_.binary ? proto::Opcode::binary : proto::Opcode::text;
  if (phase_ == Phase::warmup && first_counted_ == ~0ull) {
    fill_payload(pub_seq_++);
    send_payload(*publisher_, op);
    flush(*publisher_);
    return;
  }
  while (pub_in_flight_ < o_.depth) {
    Slot& slot = slots_[pub_seq_ % o_.depth];
    if (slot.remaining != 0) break;  // completions out of order: wait for this slot
    slot = Slot{pub_seq_, o_.connections, now};
    fill_payload(pub_seq_++);
    send_payload(*publisher_, op);
    ++pub_in_flight_;
  }
  flush(*publisher_);
}

// ---- phases --------------------------------------------------------------------------------
void Load::begin_window(std::int64_t now) {
  phase_ = Phase::measure;
  window_start_ = now;
  phase_end_ = now + static_cast<std::int64_t>(o_.seconds * 1e9);
  server_cpu_start_ = process_cpu_seconds(o_.server_pid);
  client_cpu_start_ = cpu_self_seconds();
  cores_start_ = core_times();
  if (o_.mode == Mode::idle) r_.rss_after_kib = process_rss_kib(o_.server_pid);
  if (o_.mode == Mode::fanout) {
    first_counted_ = pub_seq_;
    publish(now);
  }
}

void Load::end_window(std::int64_t now) {
  r_.window_seconds = static_cast<double>(now - window_start_) / 1e9;
  const double server_cpu = process_cpu_seconds(o_.server_pid);
  if (o_.server_pid > 0 && server_cpu >= 0 && server_cpu_start_ >= 0)
    r_.server_cpu_seconds = server_cpu - server_cpu_start_;
  r_.client_cpu_seconds = cpu_self_seconds() - client_cpu_start_;
  r_.core_busy = busy_shares(cores_start_, core_times());
  phase_ = Phase::drain;
  phase_end_ = now + kDrainLimit;
}

void Load::begin_closing(std::int64_t now) {
  phase_ = Phase::closing;
  phase_end_ = now + kDrainLimit;
  for (auto& c : conns_) {
    if (c->fd < 0) continue;
    if (c->state == State::open && c->session) {
      c->session->send_close(1000, {});
      c->state = State::closing;
      flush(*c);
    } else if (c->state == State::open || c->state == State::connecting || c->state == State::upgrading) {
      finish(*c);  // tcp:// or not yet open: nothing to hand-shake
    }
  }
}

bool Load::drained() const {
  switch (o_.mode) {
    case Mode::echo:
      for (const auto& c : conns_)
        if (c->fd >= 0 && c->state == State::open && c->recv_seq != c->send_seq) return false;
      return true;
    case Mode::fanout: return pub_in_flight_ == 0;
    case Mode::handshake:
      for (const auto& c : conns_)
        if (c->fd >= 0) return false;
      return true;
    case Mode::idle: return true;
  }
  return true;
}

void Load::advance(std::int64_t now) {
  switch (phase_) {
    case Phase::setup:
      while (next_slot_ < conns_.size() && in_progress_ < o_.max_connecting) {
        Conn& c = *conns_[next_slot_++];
        if (!start_connection(c)) error("socket/connect failed (file descriptors? ports?)");
      }
      if (open_ == target_open() && in_progress_ == 0) {
        phase_ = Phase::warmup;
        phase_end_ = now + static_cast<std::int64_t>(o_.warmup * 1e9);
        for (auto& c : conns_)
          if (c->kind == Kind::echo)
            for (std::size_t i = 0; i < o_.depth; ++i) send_echo(*c);
        for (auto& c : conns_) flush(*c);
      } else if (now > phase_end_ || !r_.error.empty()) {
        error("only " + std::to_string(open_) + " of " + std::to_string(target_open()) +
              " connections opened in time");
        begin_closing(now);
      }
      return;
    case Phase::warmup:
      if (o_.mode == Mode::fanout && now >= next_warm_publish_) {
        publish(now);
        next_warm_publish_ = now + kFanoutWarmInterval;
      }
      if (now >= phase_end_) {
        if (o_.mode == Mode::fanout && subscribers_ready_ < o_.connections) {
          if (now > phase_end_ + 10 * kSecond) {
            error("only " + std::to_string(subscribers_ready_) + " subscribers received messages");
            begin_closing(now);
          }
          return;
        }
        begin_window(now);
      }
      return;
    case Phase::measure:
      if (now >= phase_end_) end_window(now);
      return;
    case Phase::drain:
      if (drained()) {
        begin_closing(now);
      } else if (now >= phase_end_) {
        ++r_.verify_errors;  // a closed loop that stalls: something was never answered
        error(o_.mode == Mode::fanout ? "publishes never reached every subscriber"
                                      : "messages sent were never echoed");
        begin_closing(now);
      }
      return;
    case Phase::closing: {
      bool all = true;
      for (auto& c : conns_) {
        if (c->fd < 0) continue;
        if (now >= phase_end_ || (c->state == State::wait_eof && now >= c->started)) finish(*c);
        else all = false;
      }
      if (all) phase_ = Phase::done;
      return;
    }
    case Phase::done: return;
  }
}

Results Load::run() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;  // 10,000 connections need 10,000 descriptors
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  addr_.sin_family = AF_INET;
  addr_.sin_port = htons(o_.port);
  if (::inet_pton(AF_INET, o_.host.c_str(), &addr_.sin_addr) != 1) {
    r_.error = "host must be an IPv4 address";
    return r_;
  }
  if (o_.mode == Mode::fanout && o_.size < kSeqDigits) {
    r_.error = "fanout needs --size >= 16 (the sequence number)";
    return r_;
  }
  if (o_.raw_tcp && o_.mode != Mode::echo) {
    r_.error = "tcp:// supports --mode echo only";
    return r_;
  }
  if (o_.depth == 0) o_.depth = 1;
  ep_ = ::epoll_create1(EPOLL_CLOEXEC);
  filler_.resize(o_.size);
  for (std::size_t i = 0; i < o_.size; ++i) filler_[i] = static_cast<std::uint8_t>('a' + i % 26);
  payload_ = filler_;
  rbuf_.resize(256 * 1024);
  raw_frame_ = proto::frame_header_size(o_.size, true) + o_.size;
  slots_.resize(o_.depth);

  const Kind kind = o_.mode == Mode::echo        ? Kind::echo
                    : o_.mode == Mode::handshake ? Kind::handshake
                    : o_.mode == Mode::idle      ? Kind::idle
                                                 : Kind::subscriber;
  for (std::size_t i = 0; i < target_open(); ++i) {
    auto c = std::make_unique<Conn>();
    c->kind = i < o_.connections ? kind : Kind::publisher;
    c->index = static_cast<std::uint32_t>(i);
    c->hooks = Hooks{this, c.get()};
    c->sent_at.resize(o_.depth);
    conns_.push_back(std::move(c));
  }
  if (o_.mode == Mode::fanout) publisher_ = conns_.back().get();

  std::int64_t now = now_ns();
  if (o_.mode == Mode::handshake) {
    // No setup: every slot loops connect -> upgrade -> close from the warm-up on.
    phase_ = Phase::warmup;
    phase_end_ = now + static_cast<std::int64_t>(o_.warmup * 1e9);
    for (auto& c : conns_) start_connection(*c);
  } else {
    r_.rss_before_kib = process_rss_kib(o_.server_pid);
    phase_end_ = now + static_cast<std::int64_t>(o_.setup_timeout * 1e9);
  }

  std::array<epoll_event, 512> events{};
  while (phase_ != Phase::done) {
    const int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 5);
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events[static_cast<std::size_t>(i)];
      Conn& c = *conns_[ev.data.u64 & 0xFFFFFFFFu];
      if (c.fd >= 0 && c.generation == ev.data.u64 >> 32) handle(c, ev.events);
    }
    now = now_ns();
    advance(now);
  }
  for (auto& c : conns_) finish(*c);
  ::close(ep_);
  r_.ok = r_.error.empty() && r_.verify_errors == 0 &&
          (o_.mode == Mode::idle || r_.messages > 0) &&
          (o_.mode == Mode::handshake || r_.opened >= target_open());
  return r_;
}

}  // namespace

bool parse_url(const std::string& url, Options& options) {
  std::string_view rest(url);
  if (rest.rfind("ws://", 0) == 0) {
    rest.remove_prefix(5);
    options.raw_tcp = false;
  } else if (rest.rfind("tcp://", 0) == 0) {
    rest.remove_prefix(6);
    options.raw_tcp = true;
  } else {
    return false;
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  options.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return false;
  options.host = std::string(authority.substr(0, colon));
  const std::string port(authority.substr(colon + 1));
  char* end = nullptr;
  const unsigned long p = std::strtoul(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p == 0 || p > 65535) return false;
  options.port = static_cast<std::uint16_t>(p);
  return true;
}

Results run(const Options& options) {
  std::uint64_t cold_kib = 0;
  if (options.mode == Mode::idle && options.baseline_warmup > 0) {
    cold_kib = process_rss_kib(options.server_pid);
    Options warm = options;
    warm.connections = options.baseline_warmup;
    warm.warmup = 0;
    warm.seconds = 0.1;
    warm.server_pid = 0;
    {
      Load load(warm);
      if (const Results w = load.run(); !w.ok) {
        Results failed;
        failed.error = "the baseline warm-up failed: " + w.error;
        return failed;
      }
    }
    // Closed abruptly (finish()): give the server a moment to see every EOF and tear down.
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  Load load(options);
  Results r = load.run();
  r.rss_cold_kib = cold_kib;
  return r;
}

}  // namespace sluice::wsload
