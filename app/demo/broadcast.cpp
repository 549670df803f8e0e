#include "app/demo/broadcast.hpp"

#include <memory>

#include "app/context.hpp"
#include "app/demo/util.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

std::string error(std::string_view what) {
    json::Writer w;
    w.begin_object().field("type", "error").field("message", what).end_object();
    return w.take();
}

Task broadcast_session(Context& ctx, std::shared_ptr<BroadcastGroup> group) {
    if (!ctx.is_websocket()) {
        refuse_plain_http(ctx, "/broadcast is a WebSocket endpoint\n");
        co_return;
    }
    const std::string id = next_client_id();
    const std::size_t members = group->join();
    co_await ctx.send(BroadcastGroup::event("joined", id, members));
    ctx.subscribe(BroadcastGroup::kTopic);
    ctx.publish(BroadcastGroup::kTopic, BroadcastGroup::event("member_joined", id, members));
    while (auto message = co_await ctx.receive()) {
        if (!message->is_text()) {
            co_await ctx.send(error("binary messages are not broadcast"));
        } else if (message->size() > BroadcastGroup::kMaxMessage) {
            co_await ctx.send(error("message longer than 16384 bytes"));
        } else {
            ctx.publish(BroadcastGroup::kTopic, BroadcastGroup::message(id, message->text()));
        }
    }
    ctx.unsubscribe(BroadcastGroup::kTopic);
    ctx.server().publish(BroadcastGroup::kTopic, BroadcastGroup::event("left", id, group->leave()));
}

}  // namespace

std::string BroadcastGroup::event(std::string_view type, std::string_view client_id, std::size_t members) {
    json::Writer w;
    w.begin_object()
        .field("type", type)
        .field("client_id", client_id)
        .field("members", std::uint64_t{members})
        .end_object();
    return w.take();
}

std::string BroadcastGroup::message(std::string_view from, std::string_view text) {
    json::Writer w;
    w.begin_object().field("type", "broadcast").field("from", from).field("message", text).end_object();
    return w.take();
}

void install_broadcast(Server& server) {
    auto group = std::make_shared<BroadcastGroup>();
    server.route("/broadcast", [group](Context& ctx) { return broadcast_session(ctx, group); });
}

}  // namespace sluice::demo
