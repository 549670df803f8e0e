// app/demo/chat.hpp — /chat: a chat room where every message reaches every member.
//
// Protocol (server -> client, JSON text messages):
//   {"type":"welcome","client":"127.0.0.1:5000","members":2,"presence":7}   to the new member only
//   {"type":"join","client":"127.0.0.1:5000","members":2,"presence":7}      to every other member
//   {"type":"message","from":"127.0.0.1:5000","text":"hi"}        to everyone, sender included
//   {"type":"leave","client":"127.0.0.1:5000","members":1,"presence":8}     to everyone left
//   {"type":"error","message":"..."}                               to the sender only
// "members" is the room's size right after that join or leave, and "presence" numbers the
// joins and leaves in the order they changed it: with several threads, notices of two
// changes may arrive in either order, so a page shows the count of the highest presence
// it has seen (app/web/chat.js), which is the room's size now.
// Client -> server: the message text itself (a text frame). Binary frames get an error; a
// message over ChatRoom::kMaxText bytes gets an error and is not delivered.
//
// Fan-out is pub/sub on the topic "chat": the frame is encoded once per thread and queued
// by reference on every member (not the seed's echo to the sender).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace sluice {
class Server;
class StaticFiles;
}  // namespace sluice

namespace sluice::demo {

// The room's size after one join or leave, and that change's number (1, 2, ...).
struct Presence {
    std::size_t members = 0;
    std::uint64_t version = 0;
};

class ChatRoom {  // Shared by every /chat connection on every thread; owns the member count.
 public:
    static constexpr std::string_view kTopic = "chat";
    static constexpr std::size_t kMaxText = 4096;

    // Count and version move together, under one lock: two atomics could pair a count with
    // another change's number.
    Presence join();
    Presence leave();

    static std::string welcome(std::string_view client, Presence presence);
    static std::string joined(std::string_view client, Presence presence);
    static std::string left(std::string_view client, Presence presence);
    static std::string message(std::string_view from, std::string_view text);
    static std::string error(std::string_view what);

 private:
    std::mutex mutex_;
    Presence presence_;
};

void install_chat(Server& server, std::shared_ptr<const StaticFiles> pages);

}  // namespace sluice::demo
