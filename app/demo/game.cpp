#include "app/demo/game.hpp"

#include <algorithm>
#include <memory>

#include "app/context.hpp"
#include "app/demo/util.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "app/static_files.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

void write_player(json::Writer& w, const GameBoard::Player& p) {
    w.begin_object().field("id", p.id).field("x", p.x).field("y", p.y).end_object();
}

std::string error_json(std::string_view what) {
    json::Writer w;
    w.begin_object().field("type", "error").field("message", what).end_object();
    return w.take();
}

Task game_session(Context& ctx, std::shared_ptr<GameBoard> board, std::shared_ptr<const StaticFiles> pages) {
    if (!ctx.is_websocket()) {
        pages->serve(ctx, "/game.html");
        co_return;
    }
    const std::string id = next_client_id();
    // Subscribe before the snapshot: a move racing the join is then seen twice at worst
    // (the sequence number tells), never missed.
    ctx.subscribe(GameBoard::kTopic);
    const std::string joined = board->join(id);
    co_await ctx.send(board->welcome(id));
    ctx.publish(GameBoard::kTopic, joined);
    while (auto message = co_await ctx.receive()) {
        std::string error;
        if (!message->is_text()) {
            co_await ctx.send(error_json("binary messages are not moves"));
        } else if (auto moved = board->handle(id, message->text(), error)) {
            ctx.publish(GameBoard::kTopic, *moved);
        } else {
            co_await ctx.send(error);
        }
    }
    ctx.unsubscribe(GameBoard::kTopic);
    ctx.server().publish(GameBoard::kTopic, board->leave(id));
}

}  // namespace

std::string GameBoard::join(std::string_view id) {
    std::lock_guard lock(mutex_);
    // Spawn points walk the board diagonally so new players are spread out.
    const auto n = static_cast<int>(joins_++ % static_cast<std::uint64_t>(width_ * height_));
    Player p{std::string(id), (n * 5) % width_, (n * 3) % height_};
    players_.push_back(p);
    json::Writer w;
    w.begin_object().field("type", "player_joined").key("player");
    write_player(w, p);
    w.field("sequence", ++sequence_).end_object();
    return w.take();
}

std::string GameBoard::welcome(std::string_view id) const {
    std::lock_guard lock(mutex_);
    json::Writer w;
    w.begin_object().field("type", "welcome").field("player_id", id);
    w.key("board").begin_object().field("width", width_).field("height", height_).end_object();
    w.key("players").begin_array();
    for (const auto& p : players_) write_player(w, p);
    w.end_array().field("sequence", sequence_).end_object();
    return w.take();
}

std::optional<std::string> GameBoard::handle(std::string_view id, std::string_view message, std::string& error) {
    const auto parsed = json::parse(message);
    if (!parsed || !parsed.value.is_object()) {
        error = error_json("a move is a JSON object");
        return std::nullopt;
    }
    const json::Value& v = parsed.value;
    if (v.string_at("type") != "move") {
        error = error_json("unknown message type (expected \"move\")");
        return std::nullopt;
    }
    int dx = 0, dy = 0;
    if (const auto dir = v.string_at("direction")) {
        if (*dir == "up") dy = -1;
        else if (*dir == "down") dy = 1;
        else if (*dir == "left") dx = -1;
        else if (*dir == "right") dx = 1;
        else {
            error = error_json("direction is up, down, left or right");
            return std::nullopt;
        }
    } else {
        const auto jx = v.find("dx") ? v.find("dx")->as_int() : std::optional<std::int64_t>(0);
        const auto jy = v.find("dy") ? v.find("dy")->as_int() : std::optional<std::int64_t>(0);
        if (!jx || !jy || *jx < -1 || *jx > 1 || *jy < -1 || *jy > 1) {
            error = error_json("dx and dy are integers from -1 to 1");
            return std::nullopt;
        }
        dx = static_cast<int>(*jx);
        dy = static_cast<int>(*jy);
    }
    std::lock_guard lock(mutex_);
    auto it = std::find_if(players_.begin(), players_.end(), [&](const Player& p) { return p.id == id; });
    if (it == players_.end()) {
        error = error_json("not on the board");
        return std::nullopt;
    }
    it->x = std::clamp(it->x + dx, 0, width_ - 1);
    it->y = std::clamp(it->y + dy, 0, height_ - 1);
    json::Writer w;
    w.begin_object()
        .field("type", "player_moved")
        .field("player_id", id)
        .field("x", it->x)
        .field("y", it->y)
        .field("sequence", ++sequence_)
        .end_object();
    return w.take();
}

std::string GameBoard::leave(std::string_view id) {
    std::lock_guard lock(mutex_);
    std::erase_if(players_, [&](const Player& p) { return p.id == id; });
    json::Writer w;
    w.begin_object().field("type", "player_left").field("player_id", id).field("sequence", ++sequence_).end_object();
    return w.take();
}

std::optional<GameBoard::Player> GameBoard::find(std::string_view id) const {
    std::lock_guard lock(mutex_);
    for (const auto& p : players_) {
        if (p.id == id) return p;
    }
    return std::nullopt;
}

std::size_t GameBoard::player_count() const {
    std::lock_guard lock(mutex_);
    return players_.size();
}

void install_game(Server& server, std::shared_ptr<const StaticFiles> pages) {
    auto board = std::make_shared<GameBoard>();
    server.route("/game", [board, pages](Context& ctx) { return game_session(ctx, board, pages); });
}

}  // namespace sluice::demo
