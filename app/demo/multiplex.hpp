// app/demo/multiplex.hpp — /multiplex: several kinds of JSON message over one socket.
//
// Client -> server                              Server -> client
//   {"type":"chat","content":"hi"}                {"type":"chat","client_id":"client_3","content":"hi"}
//                                                 (to every /multiplex client, pub/sub topic "multiplex")
//   {"type":"command","command":"status"}         {"type":"command_result","command":"status","result":
//                                                   {"status":"running","uptime_ms":..,"connections":..,"threads":..}}
//   {"type":"command","command":"time"}           ... "result":{"unix_ms":..,"iso8601":"2026-...Z"}
//   {"type":"command","command":"memory"}         ... "result":{"rss_kb":..,"source":"/proc/self/status"}
//   {"type":"ping"} (an "id" member is echoed)    {"type":"pong","timestamp":..,"id":..}
//   anything else                                 {"type":"error","message":"...",...} (connection kept)
// On connect: {"type":"welcome","client_id":"client_3"}.
// Memory is the process's own resident set (VmRSS), read at the moment of the command.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sluice {
class Server;
class StaticFiles;
}  // namespace sluice

namespace sluice::demo {

// What a command reports about the server; the route fills it from the Server.
struct ServerFacts {
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::size_t connections = 0;
    unsigned threads = 1;
};

class Multiplexer {  // Stateless: one reply per message. Does not own anything.
 public:
    static constexpr std::string_view kTopic = "multiplex";
    static constexpr std::size_t kMaxMessage = 64 * 1024;

    struct Reply {
        std::string text;
        bool to_everyone = false;  // chat: publish to the topic rather than answer the sender
    };
    static Reply handle(std::string_view message, std::string_view client_id, const ServerFacts& facts);
    static std::string welcome(std::string_view client_id);
    static std::string error(std::string_view what);
};

void install_multiplex(Server& server);

}  // namespace sluice::demo
