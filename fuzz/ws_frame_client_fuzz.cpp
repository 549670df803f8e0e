// fuzz/ws_frame_client_fuzz.cpp — the WebSocket frame parser (proto::WsReceiver) in the client role,
// fed at input-chosen split points. The checks are in fuzz/ws_frame_harness.hpp.
#include "proto/ws_receiver.hpp"

#include "fuzz/ws_frame_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sluice::fuzz::fuzz_receiver(sluice::proto::Role::client, {}, data, size);
}
