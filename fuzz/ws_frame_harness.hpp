// fuzz/ws_frame_harness.hpp — the body of ws_frame_server_fuzz.cpp and ws_frame_client_fuzz.cpp:
// proto::WsReceiver (the frame parser and message assembler) in one role.
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
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/utf8.hpp"
#include "fuzz/fuzz_input.hpp"
#include "proto/ws_close.hpp"
#include "proto/ws_receiver.hpp"

namespace sluice::fuzz {

inline constexpr proto::WsLimits kFrameFuzzLimits{.max_frame_size = 1024,
                                                  .max_message_size = 2048,
                                                  .auto_fragment_size = 0};

class ReceiverRun {
 public:
  explicit ReceiverRun(proto::Role role) : receiver_(role, kFrameFuzzLimits) {}

  void feed(std::span<std::uint8_t> input) {
    std::size_t idle_events = 0;
    while (true) {
      const proto::WsEvent ev = receiver_.next(input);
      SLUICE_FUZZ_CHECK(ev.consumed <= input.size());
      SLUICE_FUZZ_CHECK(receiver_.assembly_capacity() <= kFrameFuzzLimits.max_message_size);
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

 private:
  void record(const proto::WsEvent& ev) {
    using proto::WsEventKind;
    const std::string bytes(reinterpret_cast<const char*>(ev.payload.data()), ev.payload.size());
    switch (ev.kind) {
      case WsEventKind::message:
        SLUICE_FUZZ_CHECK(ev.opcode == proto::Opcode::text || ev.opcode == proto::Opcode::binary);
        SLUICE_FUZZ_CHECK(ev.payload.size() <= kFrameFuzzLimits.max_message_size);
        if (ev.opcode == proto::Opcode::text) SLUICE_FUZZ_CHECK(core::is_valid_utf8(ev.payload));
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
        SLUICE_FUZZ_CHECK(receiver_.failed());
        transcript_ += "fail " + std::to_string(ev.code) + " " +
                       std::string(proto::ws_error_name(ev.error)) + "\n";
        break;
      default:
        fail("unexpected event kind");
    }
  }

  proto::WsReceiver receiver_;
  std::string transcript_;
  bool stopped_ = false;
};

inline int fuzz_receiver(proto::Role role, const std::uint8_t* data, std::size_t size) {
  const SplitInput input(data, size);
  ReceiverRun whole(role);
  {
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[input.payload().size()]);
    for (std::size_t i = 0; i < input.payload().size(); ++i) copy[i] = input.payload()[i];
    whole.feed(std::span<std::uint8_t>(copy.get(), input.payload().size()));
  }
  ReceiverRun pieces(role);
  input.for_each_chunk([&](std::span<std::uint8_t> chunk) { pieces.feed(chunk); });
  const std::string a = whole.finish();
  const std::string b = pieces.finish();
  if (a != b) {
    std::fprintf(stderr, "--- whole:\n%s--- in pieces:\n%s", a.c_str(), b.c_str());
    fail("whole and split receptions differ");
  }
  return 0;
}

}  // namespace sluice::fuzz
