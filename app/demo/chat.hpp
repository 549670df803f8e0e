// app/demo/chat.hpp — /chat: a chat room where every message reaches every member.
//
// Protocol (server -> client, JSON text messages):
//   {"type":"welcome","client":"127.0.0.1:5000","members":2}      to the new member only
//   {"type":"join","client":"127.0.0.1:5000","members":2}         to everyone (pub/sub)
//   {"type":"message","from":"127.0.0.1:5000","text":"hi"}        to everyone, sender included
//   {"type":"leave","client":"127.0.0.1:5000","members":1}        to everyone left
//   {"type":"error","message":"..."}                               to the sender only
// Client -> server: the message text itself (a text frame). Binary frames get an error; a
// message over ChatRoom::kMaxText bytes gets an error and is not delivered.
//
// Fan-out is pub/sub on the topic "chat": the frame is encoded once per thread and queued
// by reference on every member (not the seed's echo to the sender).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sluice {
class Server;
class StaticFiles;
}  // namespace sluice

namespace sluice::demo {

class ChatRoom {  // Shared by every /chat connection on every thread; owns the member count.
 public:
  static constexpr std::string_view kTopic = "chat";
  static constexpr std::size_t kMaxText = 4096;

  std::size_t join() noexcept { return members_.fetch_add(1) + 1; }   // returns the new count
  std::size_t leave() noexcept { return members_.fetch_sub(1) - 1; }
  std::size_t members() const noexcept { return members_.load(); }

  static std::string welcome(std::string_view client, std::size_t members);
  static std::string joined(std::string_view client, std::size_t members);
  static std::string left(std::string_view client, std::size_t members);
  static std::string message(std::string_view from, std::string_view text);
  static std::string error(std::string_view what);

 private:
  std::atomic<std::size_t> members_{0};
};

void install_chat(Server& server, std::shared_ptr<const StaticFiles> pages);

}  // namespace sluice::demo
