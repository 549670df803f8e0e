#include "app/demo/chat.hpp"

#include "app/context.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "app/static_files.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

std::string member_event(std::string_view type, std::string_view client, Presence presence) {
    json::Writer w;
    w.begin_object().field("type", type).field("client", client).field("members", std::uint64_t{presence.members});
    w.field("presence", presence.version).end_object();
    return w.take();
}

// One chat member, from the upgrade to the close. `room` is shared with every member.
Task chat_session(Context& ctx, std::shared_ptr<ChatRoom> room, std::shared_ptr<const StaticFiles> pages) {
    if (!ctx.is_websocket()) {
        pages->serve(ctx, "/chat.html");
        co_return;
    }
    const std::string client(ctx.peer_address());
    const Presence joined = room->join();
    co_await ctx.send(ChatRoom::welcome(client, joined));
    // Published before subscribing, so the new member gets its welcome and not its own join.
    ctx.publish(ChatRoom::kTopic, ChatRoom::joined(client, joined));
    ctx.subscribe(ChatRoom::kTopic);
    while (auto message = co_await ctx.receive()) {
        if (!message->is_text()) {
            co_await ctx.send(ChatRoom::error("binary messages are not chat"));
        } else if (message->size() > ChatRoom::kMaxText) {
            co_await ctx.send(ChatRoom::error("message longer than 4096 bytes"));
        } else {
            ctx.publish(ChatRoom::kTopic, ChatRoom::message(client, message->text()));
        }
    }
    ctx.unsubscribe(ChatRoom::kTopic);
    ctx.server().publish(ChatRoom::kTopic, ChatRoom::left(client, room->leave()));
}

}  // namespace

Presence ChatRoom::join() {
    std::lock_guard lock(mutex_);
    ++presence_.members;
    ++presence_.version;
    return presence_;
}

Presence ChatRoom::leave() {
    std::lock_guard lock(mutex_);
    --presence_.members;
    ++presence_.version;
    return presence_;
}

std::string ChatRoom::welcome(std::string_view client, Presence presence) {
    return member_event("welcome", client, presence);
}
std::string ChatRoom::joined(std::string_view client, Presence presence) {
    return member_event("join", client, presence);
}
std::string ChatRoom::left(std::string_view client, Presence presence) {
    return member_event("leave", client, presence);
}

std::string ChatRoom::message(std::string_view from, std::string_view text) {
    json::Writer w;
    w.begin_object().field("type", "message").field("from", from).field("text", text).end_object();
    return w.take();
}

std::string ChatRoom::error(std::string_view what) {
    json::Writer w;
    w.begin_object().field("type", "error").field("message", what).end_object();
    return w.take();
}

void install_chat(Server& server, std::shared_ptr<const StaticFiles> pages) {
    auto room = std::make_shared<ChatRoom>();
    server.route("/chat", [room, pages](Context& ctx) { return chat_session(ctx, room, pages); });
}

}  // namespace sluice::demo
