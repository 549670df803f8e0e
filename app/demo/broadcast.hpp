// app/demo/broadcast.hpp — /broadcast: a group channel. Every member gets a client id;
// every message reaches every member through pub/sub (topic "broadcast").
//
//   {"type":"joined","client_id":"client_7","members":3}            to the new member
//   {"type":"member_joined","client_id":"client_7","members":3}     to everyone
//   {"type":"broadcast","from":"client_7","message":"hello"}        to everyone, sender included
//   {"type":"left","client_id":"client_7","members":2}              to everyone left
// Client -> server: the message text (a text frame). Binary frames get an error.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {
class Server;
}

namespace sluice::demo {

class BroadcastGroup {  // Shared by every /broadcast connection; owns the member count.
 public:
    static constexpr std::string_view kTopic = "broadcast";
    static constexpr std::size_t kMaxMessage = 16 * 1024;

    std::size_t join() noexcept { return members_.fetch_add(1) + 1; }
    std::size_t leave() noexcept { return members_.fetch_sub(1) - 1; }

    static std::string event(std::string_view type, std::string_view client_id, std::size_t members);
    static std::string message(std::string_view from, std::string_view text);

 private:
    std::atomic<std::size_t> members_{0};
};

void install_broadcast(Server& server);

}  // namespace sluice::demo
