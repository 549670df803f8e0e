// app/demo/game.hpp — /game: players move on a shared board; every player sees every move.
//
// Client -> server: {"type":"move","direction":"up"|"down"|"left"|"right"}
//              or   {"type":"move","dx":-1..1,"dy":-1..1}
// Server -> client:
//   {"type":"welcome","player_id":"client_4","board":{"width":16,"height":12},
//    "players":[{"id":"client_4","x":0,"y":0}, ...],"sequence":17}           to the newcomer
//   {"type":"player_joined","player":{"id":..,"x":..,"y":..},"sequence":18} to everyone
//   {"type":"player_moved","player_id":..,"x":..,"y":..,"sequence":19}      to everyone (pub/sub "game")
//   {"type":"player_left","player_id":..,"sequence":20}                     to everyone left
//   {"type":"error","message":".."}                                          to the sender
// Positions are absolute and every event carries the board's sequence number, so a client
// that sees an event twice (the snapshot races a move) or late can ignore the stale one.
// Moves are clamped to the board. The board is shared by every thread (one mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
class Server;
class StaticFiles;
}  // namespace sluice

namespace sluice::demo {

class GameBoard {  // Owns the players' positions; thread-safe.
 public:
    static constexpr std::string_view kTopic = "game";
    struct Player {
        std::string id;
        int x = 0;
        int y = 0;
    };

    explicit GameBoard(int width = 16, int height = 12) noexcept : width_(width), height_(height) {}

    // Adds a player; returns the player_joined event. welcome() then gives the snapshot.
    std::string join(std::string_view id);
    std::string welcome(std::string_view id) const;
    // Applies one client message; the player_moved event, or an error message in `error`.
    std::optional<std::string> handle(std::string_view id, std::string_view message, std::string& error);
    // Removes a player; returns the player_left event.
    std::string leave(std::string_view id);

    std::optional<Player> find(std::string_view id) const;
    std::size_t player_count() const;
    int width() const noexcept { return width_; }
    int height() const noexcept { return height_; }

 private:
    const int width_;
    const int height_;
    mutable std::mutex mutex_;
    std::vector<Player> players_;  // a handful; linear search
    std::uint64_t sequence_ = 0;
    std::uint64_t joins_ = 0;
};

void install_game(Server& server, std::shared_ptr<const StaticFiles> pages);

}  // namespace sluice::demo
