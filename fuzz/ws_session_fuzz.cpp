// fuzz/ws_session_fuzz.cpp — the whole WebSocket session after the handshake (proto::WsSession):
// frames in, events and frames out, the close handshake included.
//
// Input: [flags] [split header + payload, see fuzz/fuzz_input.hpp]. flags bit 0 picks the
// role (0 server, 1 client); the owner's own actions are interleaved between chunks:
//   bit 1: send_close(1000) after the first chunk     bit 2: send_message after each chunk
//   bit 3: send_ping after each chunk                  bit 4: send_close(4000) at the end
//          (an empty close, no status code, after an even number of chunks)
//   bit 5: permessage-deflate agreed (RSV1 allowed; bit 2 then alternates compressed sends)
//   bit 6: hooks with send_frame (gather) and on_compressed_message; else neither, and a
//          compressed message is failed with 1002 (the documented fallback)
//   bit 7: no auto-fragmentation, so messages above kInlineFrame take the large-frame path
// Everything the session sends is parsed back by a WsReceiver of the opposite role, which
// must see a clean stream. Invariants asserted:
//   - nothing is sent after our close frame, and send_* returns false once a close went
//     out or came in, or the connection failed;
//   - close codes we send are valid on the wire (§7.4) — the peer parser fails otherwise —
//     and a failure's code is 1002/1007/1009/1011;
//   - every ping received before our close is answered by a pong with the same payload,
//     in order (§5.5.2);
//   - no event after on_close / on_fail; state() agrees with the events, and is open
//     exactly when can_send() (§6.1);
//   - memory bounded by the limits: the assembly buffer never exceeds max_message_size.
#include "proto/ws_session.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

constexpr proto::WsLimits kLimits{.max_frame_size = 1024, .max_message_size = 2048,
                                  .auto_fragment_size = 100};
bool g_deflate = false;  // this input's limits allow RSV1 (flags bit 5)

struct Hooks {
  std::vector<std::uint8_t> sent;
  std::vector<std::string> expected_pongs;
  const proto::WsReceiver* session = nullptr;  // the session's receiver: its close state
  bool ended = false;  // on_close or on_fail seen

  void on_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
    SLUICE_FUZZ_CHECK(!ended);
    SLUICE_FUZZ_CHECK(op == proto::Opcode::text || op == proto::Opcode::binary);
    SLUICE_FUZZ_CHECK(bytes.size() <= kLimits.max_message_size);
    if (op == proto::Opcode::text) SLUICE_FUZZ_CHECK(core::is_valid_utf8(bytes));
  }
  void on_ping(std::span<const std::uint8_t> bytes) {
    SLUICE_FUZZ_CHECK(!ended);
    // RFC 6455 §5.5.2: every ping read is answered, after our own close too.
    expected_pongs.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  void on_pong(std::span<const std::uint8_t>) { SLUICE_FUZZ_CHECK(!ended); }
  void on_close(std::uint16_t code, std::string_view reason) {
    SLUICE_FUZZ_CHECK(!ended);
    SLUICE_FUZZ_CHECK(code == 1005 || proto::is_valid_wire_close_code(code));
    SLUICE_FUZZ_CHECK(core::is_valid_utf8(reason));
    SLUICE_FUZZ_CHECK(session->close_received() && session->dropping_data());
    ended = true;
  }
  void on_fail(std::uint16_t code) {
    SLUICE_FUZZ_CHECK(!ended);
    SLUICE_FUZZ_CHECK(code == 1002 || code == 1007 || code == 1009 || code == 1011);
    // A compressed message without on_compressed_message is failed by the session, not the
    // receiver: 1002, as if nothing had been negotiated.
    if (!session->failed()) SLUICE_FUZZ_CHECK(g_deflate && code == 1002);
    else SLUICE_FUZZ_CHECK(session->state() == proto::WsState::failed);
    ended = true;
  }
  void send(std::span<const std::uint8_t> bytes) { sent.insert(sent.end(), bytes.begin(), bytes.end()); }
};

// The optional hooks: one call per large frame, and compressed messages handed over.
struct RichHooks : Hooks {
  void send_frame(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload) {
    send(header);
    send(payload);
  }
  // Some messages "fail to inflate" (chosen by their size), so the owner's error path runs too.
  proto::WsError on_compressed_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
    SLUICE_FUZZ_CHECK(!ended && g_deflate);
    SLUICE_FUZZ_CHECK(op == proto::Opcode::text || op == proto::Opcode::binary);
    SLUICE_FUZZ_CHECK(bytes.size() <= kLimits.max_message_size);
    return bytes.size() % 7 == 3 ? proto::WsError::invalid_compressed_data : proto::WsError::none;
  }
};
static_assert(proto::WsGatherSink<RichHooks> && proto::WsCompressedSink<RichHooks>);
static_assert(!proto::WsGatherSink<Hooks> && !proto::WsCompressedSink<Hooks>);

// Parses what the session sent, as its peer would; returns the pongs it carried.
std::vector<std::string> check_output(proto::Role role, std::vector<std::uint8_t>& out) {
  const proto::Role peer = role == proto::Role::server ? proto::Role::client : proto::Role::server;
  const proto::WsLimits peer_limits{.permessage_deflate = g_deflate};
  proto::WsReceiver receiver(peer, peer_limits);
  std::vector<std::string> pongs;
  std::span<std::uint8_t> rest(out);
  while (true) {
    const proto::WsEvent ev = receiver.next(rest);
    rest = rest.subspan(ev.consumed);
    switch (ev.kind) {
      case proto::WsEventKind::need_more: return pongs;
      case proto::WsEventKind::fail: fuzz::fail("the session sent an invalid frame stream");
      case proto::WsEventKind::close: {
        // After our close frame only pongs (RFC 6455 §5.5.2: a ping read later is still
        // answered; §5.5.1: no data frame, no second close).
        proto::WsReceiver after(peer, peer_limits);
        for (;;) {
          const proto::WsEvent e = after.next(rest);
          rest = rest.subspan(e.consumed);
          if (e.kind == proto::WsEventKind::need_more) return pongs;
          SLUICE_FUZZ_CHECK(e.kind == proto::WsEventKind::pong);
          pongs.emplace_back(reinterpret_cast<const char*>(e.payload.data()), e.payload.size());
        }
      }
      case proto::WsEventKind::pong:
        pongs.emplace_back(reinterpret_cast<const char*>(ev.payload.data()), ev.payload.size());
        break;
      case proto::WsEventKind::stopped: fuzz::fail("peer parser stopped without a close");
      default: break;
    }
  }
}

template <class H>
void run(std::uint8_t flags, const fuzz::SplitInput& input) {
  const proto::Role role = (flags & 1) ? proto::Role::client : proto::Role::server;
  proto::WsLimits limits = kLimits;
  limits.permessage_deflate = g_deflate;
  if (flags & 128) limits.auto_fragment_size = 0;
  H hooks;
  proto::WsSession<H> session(role, limits, hooks);
  hooks.session = &session.receiver();

  static constexpr std::uint8_t kHello[] = {'h', 'e', 'l', 'l', 'o'};
  std::size_t chunk_index = 0;
  auto act = [&] {
    const bool could_send = !session.close_sent() && !session.close_received() && !session.failed();
    if ((flags & 2) && chunk_index == 1) SLUICE_FUZZ_CHECK(session.send_close(1000, "bye") == could_send);
    if (flags & 4) {
      std::vector<std::uint8_t> big(chunk_index * 37 % 300, 'm');
      const bool can = !session.close_sent() && !session.close_received() && !session.failed();
      if (g_deflate && chunk_index % 2 == 1) {
        SLUICE_FUZZ_CHECK(session.send_compressed_message(proto::Opcode::text, big) == can);
      } else {
        SLUICE_FUZZ_CHECK(session.send_message(proto::Opcode::binary, big) == can);
      }
    }
    if (flags & 8) SLUICE_FUZZ_CHECK(session.send_ping(kHello) == (!session.close_sent() && !session.close_received() && !session.failed()));
  };
  input.for_each_chunk([&](std::span<std::uint8_t> chunk) {
    // The session's own refusal of a compressed message ends it for its owner (no more input).
    if (hooks.ended && !session.failed() && !session.close_received()) return;
    session.feed(chunk);
    SLUICE_FUZZ_CHECK(session.receiver().assembly_capacity() <= kLimits.max_message_size);
    SLUICE_FUZZ_CHECK(session.can_send() == (session.state() == proto::WsState::open));
    ++chunk_index;
    act();
  });
  // Refused arguments send nothing and change nothing: §7.4.1 (1006 is never sent), §8.1 (a
  // UTF-8 reason), §5.5 (a control payload, close code and reason included, is <= 125 bytes).
  const proto::WsState before = session.state();
  const std::size_t sent_before = hooks.sent.size();
  SLUICE_FUZZ_CHECK(!session.send_close(1006, "x"));
  SLUICE_FUZZ_CHECK(!session.send_close(proto::kCloseNoStatus, "x"));  // no code, so no reason
  SLUICE_FUZZ_CHECK(!session.send_close(1000, "\xff"));
  SLUICE_FUZZ_CHECK(!session.send_close(1000, std::string(124, 'r')));
  SLUICE_FUZZ_CHECK(!session.send_ping(std::vector<std::uint8_t>(126, 'p')));
  SLUICE_FUZZ_CHECK(session.state() == before && hooks.sent.size() == sent_before);
  if (flags & 16) {
    // With an even number of chunks, the empty close (no status code, §5.5.1) instead.
    const bool could = !session.close_sent() && !session.failed();
    if (chunk_index % 2 == 0) SLUICE_FUZZ_CHECK(session.send_close(proto::kCloseNoStatus, "") == could);
    else SLUICE_FUZZ_CHECK(session.send_close(4000, "done") == could);
  }
  if (session.close_sent() || session.failed()) {
    SLUICE_FUZZ_CHECK(!session.send_message(proto::Opcode::text, std::string_view("late")));
    SLUICE_FUZZ_CHECK(!session.send_ping(kHello));
  }
  if (session.close_received() && session.close_sent()) SLUICE_FUZZ_CHECK(session.state() == proto::WsState::closed);

  const std::vector<std::string> pongs = check_output(role, hooks.sent);
  SLUICE_FUZZ_CHECK(pongs == hooks.expected_pongs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const fuzz::SplitInput input(data + 1, size - 1);
  g_deflate = (flags & 32) != 0;
  if (flags & 64) {
    run<RichHooks>(flags, input);
  } else {
    run<Hooks>(flags, input);
  }
  return 0;
}
