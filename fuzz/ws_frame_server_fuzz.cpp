// fuzz/ws_frame_server_fuzz.cpp — the WebSocket frame parser (proto::WsReceiver) in the server
// role as production runs it: assembly buffers lent by a buffer source, input held until
// need_more (as WsSession feeds it), limits small enough for every 1009 path, and our own
// close sent after an input-chosen number of events. Input: four config bytes (read_config
// in fuzz/ws_frame_harness.hpp, where the checks are), then the split header and the frames.
#include "proto/ws_receiver.hpp"

#include "fuzz/ws_frame_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sluice::fuzz::ReceiverConfig config = sluice::fuzz::read_config(data, size);
  return sluice::fuzz::fuzz_receiver(sluice::proto::Role::server, config, data, size);
}
