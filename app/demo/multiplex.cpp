#include "app/demo/multiplex.hpp"

#include "app/context.hpp"
#include "app/demo/util.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "app/task.hpp"

namespace sluice::demo {
namespace {

std::string command_result(std::string_view command, const json::Writer& result) {
    json::Writer w;
    w.begin_object()
        .field("type", "command_result")
        .field("command", command)
        .key("result")
        .raw(result.str())
        .end_object();
    return w.take();
}

std::string run_command(std::string_view command, const ServerFacts& facts) {
    json::Writer r;
    if (command == "status") {
        const auto uptime =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - facts.started);
        r.begin_object()
            .field("status", "running")
            .field("uptime_ms", std::int64_t{uptime.count()})
            .field("connections", std::uint64_t{facts.connections})
            .field("threads", facts.threads)
            .end_object();
    } else if (command == "time") {
        const std::int64_t now = unix_time_ms();
        r.begin_object().field("unix_ms", now).field("iso8601", iso8601_utc(now)).end_object();
    } else if (command == "memory") {
        const auto rss = resident_memory_kb();
        if (!rss) return Multiplexer::error("memory figures are not available on this system");
        r.begin_object().field("rss_kb", std::uint64_t{*rss}).field("source", "/proc/self/status").end_object();
    } else {
        json::Writer w;
        w.begin_object()
            .field("type", "error")
            .field("message", "unknown command")
            .field("command", command)
            .key("commands")
            .begin_array()
            .value("status")
            .value("time")
            .value("memory")
            .end_array()
            .end_object();
        return w.take();
    }
    return command_result(command, r);
}

Task multiplex_session(Context& ctx, std::chrono::steady_clock::time_point started) {
    if (!ctx.is_websocket()) {
        refuse_plain_http(ctx, "/multiplex is a WebSocket endpoint\n");
        co_return;
    }
    const std::string client_id = next_client_id();
    co_await ctx.send(Multiplexer::welcome(client_id));
    ctx.subscribe(Multiplexer::kTopic);
    while (auto message = co_await ctx.receive()) {
        Multiplexer::Reply reply;
        if (!message->is_text()) {
            reply.text = Multiplexer::error("binary messages are not JSON");
        } else {
            const ServerFacts facts{started, ctx.server().connection_count(), ctx.server().settings().threads};
            reply = Multiplexer::handle(message->text(), client_id, facts);
        }
        if (reply.to_everyone) {
            ctx.publish(Multiplexer::kTopic, reply.text);
        } else {
            co_await ctx.send(reply.text);
        }
    }
}

}  // namespace

Multiplexer::Reply Multiplexer::handle(std::string_view message, std::string_view client_id, const ServerFacts& facts) {
    if (message.size() > kMaxMessage) return {error("message longer than 65536 bytes"), false};
    const json::ParseResult parsed = json::parse(message);
    if (!parsed) {
        json::Writer w;
        w.begin_object()
            .field("type", "error")
            .field("message", "malformed JSON")
            .field("reason", json::to_string(parsed.error))
            .field("offset", std::uint64_t{parsed.offset})
            .end_object();
        return {w.take(), false};
    }
    const json::Value& v = parsed.value;
    if (!v.is_object()) return {error("a message is a JSON object"), false};
    const auto type = v.string_at("type");
    if (!type) return {error("a message needs a string \"type\""), false};
    if (*type == "chat") {
        const auto content = v.string_at("content");
        if (!content) return {error("a chat message needs a string \"content\""), false};
        json::Writer w;
        w.begin_object().field("type", "chat").field("client_id", client_id).field("content", *content).end_object();
        return {w.take(), true};
    }
    if (*type == "command") {
        const auto command = v.string_at("command");
        if (!command) return {error("a command message needs a string \"command\""), false};
        return {run_command(*command, facts), false};
    }
    if (*type == "ping") {
        json::Writer w;
        w.begin_object().field("type", "pong").field("timestamp", unix_time_ms());
        if (const json::Value* id = v.find("id")) {
            w.key("id");
            if (id->is_string()) {
                w.value(id->as_string());
            } else if (id->is_number()) {
                w.value(id->as_number());
            } else {
                w.null();
            }
        }
        w.end_object();
        return {w.take(), false};
    }
    json::Writer w;
    w.begin_object()
        .field("type", "error")
        .field("message", "unknown message type")
        .field("received_type", *type)
        .end_object();
    return {w.take(), false};
}

std::string Multiplexer::welcome(std::string_view client_id) {
    json::Writer w;
    w.begin_object().field("type", "welcome").field("client_id", client_id).end_object();
    return w.take();
}

std::string Multiplexer::error(std::string_view what) {
    json::Writer w;
    w.begin_object().field("type", "error").field("message", what).end_object();
    return w.take();
}

void install_multiplex(Server& server) {
    const auto started = std::chrono::steady_clock::now();
    server.route("/multiplex", [started](Context& ctx) { return multiplex_session(ctx, started); });
}

}  // namespace sluice::demo
