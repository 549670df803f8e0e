// app/demo/resilient.hpp — /resilient: heartbeats, and a reply to every message whatever
// it holds; a bad message gets an error reply and the connection is kept.
//
//   {"type":"connected","client":"127.0.0.1:5000","heartbeat_ms":30000}     first
//   {"type":"heartbeat","count":3}          every heartbeat interval (count: messages so far)
//   {"type":"processed","original":"..","count":3,"bytes":12}               a valid message
//   {"type":"error","message":"message too long","bytes":2000,"limit":1024} over the limit
//   {"type":"error","message":"empty message"}                             empty or blank
//
// The heartbeat is the seed's select! done properly: `co_await ctx.receive_for(remaining)`
// wakes on a message or at the next heartbeat deadline, whichever comes first; no polling.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {
class Server;
}

namespace sluice::demo {

// The reply to one message (the validation rules above). `count` is the number of messages
// received so far, this one included. A binary message is validated on its size alone and
// its reply carries no "original".
std::string validate_message(std::string_view message, bool is_text, std::uint64_t count, std::size_t max_bytes);
std::string heartbeat(std::uint64_t count);

void install_resilient(Server& server, std::chrono::milliseconds heartbeat_interval, std::size_t max_bytes);

}  // namespace sluice::demo
