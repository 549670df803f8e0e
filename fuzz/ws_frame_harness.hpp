// fuzz/ws_frame_harness.hpp — the body of ws_frame_server_fuzz.cpp and ws_frame_client_fuzz.cpp:
// proto::WsReceiver (the frame parser and message assembler) in one role, configured as
// ReceiverConfig says (the server harness reads it from the input; see read_config).
//
// The payload is received twice — whole, and in the input-chosen chunks — and each run
// writes a transcript of events (kind, opcode, payload bytes, close code and reason, the
// error). WsReceiver promises "any split of the bytes gives the same events in the same
// order", so the two transcripts must be equal. Also asserted on every event:
//   - consumed <= input, and progress (an event that consumes nothing is terminal);
//   - text messages and close reasons are valid UTF-8; messages within max_message_size,
//     control payloads within 125 bytes;
//   - a peer's close code is valid on the wire (§7.4) or 1005 for an empty body;
//     our failure codes are 1002 / 1007 / 1009 / 1011;
//   - the assembly buffer never exceeds max_message_size;
//   - after stopped, nothing more is read.
// Small limits make the 1009 paths reachable within -max_len.
// With a config that lends assembly buffers (fuzz/lending_source.hpp, as production does),
// the source checks its side of the contract, and the receiver's assembly_capacity() is
// the lent block's. With close_after, both runs tell the receiver that our own close went
// out after that many events (mark_close_sent), so the data that follows must be dropped:
// no message event after it. A refused block ends its run with fail 1011; the events
// before it must be a prefix of the other run's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/utf8.hpp"
#include "fuzz/fuzz_input.hpp"
#include "fuzz/lending_source.hpp"
#include "proto/ws_close.hpp"
#include "proto/ws_receiver.hpp"

namespace sluice::fuzz {

inline constexpr proto::WsLimits kFrameFuzzLimits{.max_frame_size = 1024,
                                                  .max_message_size = 2048,
                                                  .auto_fragment_size = 0};

inline constexpr std::size_t kNever = SIZE_MAX;

struct ReceiverConfig {
  proto::WsLimits limits = kFrameFuzzLimits;
  proto::WsInput input = proto::WsInput::returned_after_each_event;
  bool lend = false;                // assembly buffers from a LendingSource
  std::size_t refuse_at = kNever;   // that acquisition (0 = the first) is refused
  std::size_t close_after = kNever; // our own close goes out after this many events
  std::uint8_t seed = 0;            // the lent blocks' capacities
};

// The server harness's config, from the input's first four bytes (then the split header):
//   [0] bit 0: lend buffers; bit 1: WsInput::held_until_need_more (as WsSession feeds it);
//       bits 2-7: 0 = never close, n = our close goes out after n - 1 events
//   [1] max_message_size: 0 = 2048, else 8 x [1]        (8 .. 2040: the 1009 paths)
//   [2] max_frame_size:   0 = 1024, else 8 x [2]
//   [3] with lending: below 4, that acquisition is refused; also seeds block capacities
inline ReceiverConfig read_config(const std::uint8_t*& data, std::size_t& size) {
  ReceiverConfig c;
  if (size < 4) return c;
  c.lend = (data[0] & 1) != 0;
  if (data[0] & 2) c.input = proto::WsInput::held_until_need_more;
  if (data[0] >> 2) c.close_after = (data[0] >> 2) - 1u;
  if (data[1] != 0) c.limits.max_message_size = 8u * data[1];
  if (data[2] != 0) c.limits.max_frame_size = 8u * data[2];
  if (c.lend && data[3] < 4) c.refuse_at = data[3];
  c.seed = data[3];
  data += 4;
  size -= 4;
  return c;
}

class ReceiverRun {
 public:
  ReceiverRun(proto::Role role, const ReceiverConfig& config)
      : config_(config),
        lender_(config.limits.max_message_size, config.refuse_at, config.seed),
        receiver_(role, config.limits, config.input, config.lend ? lender_.source() : nullptr) {}

  void feed(std::span<std::uint8_t> input) {
    std::size_t idle_events = 0;
    while (true) {
      const proto::WsEvent ev = receiver_.next(input);
      SLUICE_FUZZ_CHECK(ev.consumed <= input.size());
      SLUICE_FUZZ_CHECK(receiver_.assembly_capacity() <= config_.limits.max_message_size);
      if (config_.lend) {
        SLUICE_FUZZ_CHECK(lender_.lent() <= 1 && receiver_.assembly_capacity() == lender_.lent_capacity());
      }
      input = input.subspan(ev.consumed);
      if (ev.kind == proto::WsEventKind::need_more) {
        SLUICE_FUZZ_CHECK(input.empty());
        return;
      }
      if (ev.kind == proto::WsEventKind::stopped) {
        SLUICE_FUZZ_CHECK(ev.consumed == 0);
        SLUICE_FUZZ_CHECK(receiver_.close_received() || receiver_.failed());
        stopped_ = true;
        return;
      }
      record(ev);
      if (ev.consumed == 0) SLUICE_FUZZ_CHECK(++idle_events < 4);
      if (++events_ == config_.close_after) {
        receiver_.drop_data_frames();   // what WsSession does when our close goes out
        transcript_ += "our close\n";
      }
    }
  }

  std::string finish() {
    // A stopped receiver stays stopped.
    if (stopped_) {
      std::uint8_t byte = 0x81;
      const proto::WsEvent ev = receiver_.next(std::span<std::uint8_t>(&byte, 1));
      SLUICE_FUZZ_CHECK(ev.kind == proto::WsEventKind::stopped && ev.consumed == 0);
    }
    transcript_ += stopped_ ? "stopped\n" : "open\n";
    transcript_ += "state " + std::to_string(static_cast<int>(receiver_.state())) + "\n";
    return transcript_;
  }

  bool refused() const noexcept { return lender_.refused(); }
  // After the receiver is gone: every lent block came back.
  void check_returned() {
    receiver_ = proto::WsReceiver(receiver_.role(), config_.limits);
    lender_.finish();
  }

 private:
  void record(const proto::WsEvent& ev) {
    using proto::WsEventKind;
    const std::string bytes(reinterpret_cast<const char*>(ev.payload.data()), ev.payload.size());
    switch (ev.kind) {
      case WsEventKind::message:
        SLUICE_FUZZ_CHECK(ev.opcode == proto::Opcode::text || ev.opcode == proto::Opcode::binary);
        SLUICE_FUZZ_CHECK(ev.payload.size() <= config_.limits.max_message_size);
        SLUICE_FUZZ_CHECK(!receiver_.dropping_data());  // §7.1.2: data after our close is dropped
        if (ev.opcode == proto::Opcode::text) SLUICE_FUZZ_CHECK(core::is_valid_utf8(ev.payload));
        // A whole message delivered: none is being assembled now.
        SLUICE_FUZZ_CHECK(!receiver_.message_in_progress());
        transcript_ += (ev.opcode == proto::Opcode::text ? "text [" : "binary [") + bytes + "]\n";
        break;
      case WsEventKind::ping:
      case WsEventKind::pong:
        SLUICE_FUZZ_CHECK(ev.payload.size() <= proto::kMaxControlPayload);
        transcript_ += (ev.kind == WsEventKind::ping ? "ping [" : "pong [") + bytes + "]\n";
        break;
      case WsEventKind::close:
        SLUICE_FUZZ_CHECK(ev.code == 1005 ? ev.payload.empty()
                                           : proto::is_valid_wire_close_code(ev.code));
        SLUICE_FUZZ_CHECK(core::is_valid_utf8(ev.reason));
        SLUICE_FUZZ_CHECK(receiver_.close_received());
        transcript_ += "close " + std::to_string(ev.code) + " " + std::string(ev.reason) + "\n";
        break;
      case WsEventKind::fail:
        SLUICE_FUZZ_CHECK(ev.code == 1002 || ev.code == 1007 || ev.code == 1009 || ev.code == 1011);
        SLUICE_FUZZ_CHECK(ev.error != proto::WsError::none && ev.code == proto::close_code(ev.error));
        SLUICE_FUZZ_CHECK(receiver_.failed() && receiver_.error() == ev.error);
        transcript_ += "fail " + std::to_string(ev.code) + " " +
                       std::string(proto::ws_error_name(ev.error)) + "\n";
        break;
      default:
        fail("unexpected event kind");
    }
  }

  ReceiverConfig config_;
  LendingSource lender_;  // declared before the receiver: outlives it
  proto::WsReceiver receiver_;
  std::string transcript_;
  std::size_t events_ = 0;
  bool stopped_ = false;
};

// The transcript's lines before a refused block's "fail 1011" (or all of them).
inline std::string before_refusal(const std::string& transcript, bool refused) {
  if (!refused) return transcript;
  const std::size_t at = transcript.rfind("fail 1011 ");  // the last event: payloads come before
  SLUICE_FUZZ_CHECK(at != std::string::npos);  // a refused block fails the connection
  return transcript.substr(0, at);
}

inline int fuzz_receiver(proto::Role role, const ReceiverConfig& config, const std::uint8_t* data,
                         std::size_t size) {
  const SplitInput input(data, size);
  ReceiverRun whole(role, config);
  {
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[input.payload().size()]);
    for (std::size_t i = 0; i < input.payload().size(); ++i) copy[i] = input.payload()[i];
    whole.feed(std::span<std::uint8_t>(copy.get(), input.payload().size()));
  }
  ReceiverRun pieces(role, config);
  input.for_each_chunk([&](std::span<std::uint8_t> chunk) { pieces.feed(chunk); });
  std::string a = whole.finish();
  std::string b = pieces.finish();
  whole.check_returned();
  pieces.check_returned();
  bool same = a == b;
  if (whole.refused() || pieces.refused()) {
    // Only the events before a refusal are comparable: a refused run's must be a prefix of
    // the other's (of the shorter one's, when both were refused).
    a = before_refusal(a, whole.refused());
    b = before_refusal(b, pieces.refused());
    const bool a_prefix = whole.refused() && (!pieces.refused() || a.size() <= b.size());
    same = a_prefix ? b.starts_with(a) : a.starts_with(b);
  }
  if (!same) {
    std::fprintf(stderr, "--- whole:\n%s--- in pieces:\n%s", a.c_str(), b.c_str());
    fail("whole and split receptions differ");
  }
  return 0;
}

}  // namespace sluice::fuzz
