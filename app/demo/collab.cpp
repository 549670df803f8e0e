#include "app/demo/collab.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "app/context.hpp"
#include "app/demo/util.hpp"
#include "app/json.hpp"
#include "app/server.hpp"
#include "app/static_files.hpp"
#include "app/task.hpp"

namespace sluice::demo {

Splice transform(Splice edit, const Splice& applied, std::size_t applied_inserted) {
    const std::size_t a_end = edit.pos + edit.del;
    const std::size_t b_end = applied.pos + applied.del;
    if (a_end < applied.pos || (a_end == applied.pos && edit.pos < applied.pos)) {
        return edit;  // entirely before: unchanged
    }
    if (edit.pos >= b_end) {
        edit.pos = edit.pos - applied.del + applied_inserted;  // entirely after: shifted
        return edit;
    }
    // The ranges overlap: what `applied` deleted is not deleted twice, and its insert is kept.
    if (edit.pos < applied.pos) {
        edit.del = applied.pos - edit.pos;  // keep the part before
    } else {
        edit.del = a_end > b_end ? a_end - b_end : 0;  // the part after, past the insert
        edit.pos = applied.pos + applied_inserted;
    }
    return edit;
}

Document::Document(std::string initial) : text_(std::move(initial)), length_(utf8_length(text_)) {}

Document::Applied Document::apply(std::uint64_t base, Splice edit) {
    Applied out;
    if (base > version_) {
        out.error = Error::base_in_future;
        return out;
    }
    if (version_ - base > history_.size()) {
        out.error = Error::base_too_old;
        return out;
    }
    for (std::size_t i = history_.size() - static_cast<std::size_t>(version_ - base); i < history_.size(); ++i) {
        edit = transform(std::move(edit), history_[i].splice, history_[i].inserted);
    }
    edit.pos = std::min(edit.pos, length_);
    edit.del = std::min(edit.del, length_ - edit.pos);
    const std::size_t from = utf8_offset(text_, edit.pos);
    const std::size_t to = utf8_offset(text_, edit.pos + edit.del);
    if (text_.size() - (to - from) + edit.text.size() > kMaxBytes) {
        out.error = Error::too_large;
        return out;
    }
    text_.replace(from, to - from, edit.text);
    const std::size_t inserted = utf8_length(edit.text);
    length_ = length_ - edit.del + inserted;
    ++version_;
    history_.push_back({edit, inserted});
    if (history_.size() > kHistory) history_.pop_front();
    out.splice = std::move(edit);
    out.version = version_;
    return out;
}

namespace {

// The document and everything that must be ordered with it (one mutex).
struct CollabRoom {  // Shared by every /collab connection; owns the document.
    std::mutex mutex;
    Document document;
    std::atomic<std::size_t> editors{0};
    static constexpr std::string_view kTopic = "collab";
};

std::string error_json(std::string_view what) {
    json::Writer w;
    w.begin_object().field("type", "error").field("message", what).end_object();
    return w.take();
}

std::string snapshot(const Document& doc, std::string_view client_id, std::size_t editors) {
    json::Writer w;
    w.begin_object()
        .field("type", "snapshot")
        .field("version", doc.version())
        .field("text", doc.text())
        .field("client_id", client_id)
        .field("editors", std::uint64_t{editors})
        .end_object();
    return w.take();
}

std::string editor_event(std::string_view type, std::string_view client_id, std::size_t editors) {
    json::Writer w;
    w.begin_object()
        .field("type", type)
        .field("client_id", client_id)
        .field("editors", std::uint64_t{editors})
        .end_object();
    return w.take();
}

// Reads a non-negative integer member; nullopt if absent, fractional or negative.
std::optional<std::uint64_t> count_at(const json::Value& v, std::string_view name) {
    const json::Value* m = v.find(name);
    if (m == nullptr) return std::nullopt;
    const auto i = m->as_int();
    if (!i || *i < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*i);
}

// Handles one message; returns the reply for the sender ("" if none). An accepted edit is
// published under the room's lock so every editor receives edits in version order.
std::string handle(Context& ctx, CollabRoom& room, std::string_view client_id, std::string_view message) {
    const auto parsed = json::parse(message);
    if (!parsed || !parsed.value.is_object()) return error_json("a message is a JSON object");
    const json::Value& v = parsed.value;
    const auto type = v.string_at("type");
    if (type == "sync") {
        std::lock_guard lock(room.mutex);
        return snapshot(room.document, client_id, room.editors.load());
    }
    if (type != "edit") return error_json("unknown message type (expected \"edit\" or \"sync\")");
    const auto base = count_at(v, "base");
    const auto pos = count_at(v, "pos");
    const auto del = count_at(v, "del").value_or(0);
    const auto text = v.string_at("text").value_or("");
    if (!base || !pos) return error_json("an edit needs integer \"base\" and \"pos\"");
    std::lock_guard lock(room.mutex);
    const Document::Applied r = room.document.apply(*base, Splice{*pos, del, std::string(text)});
    switch (r.error) {
        case Document::Error::none: break;
        case Document::Error::base_in_future: return error_json("base version is ahead of the document");
        case Document::Error::base_too_old: return error_json("base version is too old; send {\"type\":\"sync\"}");
        case Document::Error::too_large: return error_json("the document would exceed 65536 bytes");
    }
    json::Writer w;
    w.begin_object()
        .field("type", "edit")
        .field("version", r.version)
        .field("pos", std::uint64_t{r.splice.pos})
        .field("del", std::uint64_t{r.splice.del})
        .field("text", r.splice.text)
        .field("by", client_id);
    if (const json::Value* id = v.find("id"); id != nullptr && id->is_number()) w.field("id", id->as_number());
    w.end_object();
    ctx.server().publish(CollabRoom::kTopic, w.str());
    return {};
}

Task collab_session(Context& ctx, std::shared_ptr<CollabRoom> room, std::shared_ptr<const StaticFiles> pages) {
    if (!ctx.is_websocket()) {
        pages->serve(ctx, "/collab.html");
        co_return;
    }
    const std::string client_id = next_client_id();
    const std::size_t editors = room->editors.fetch_add(1) + 1;
    {
        // Subscribe and snapshot under the lock: every edit after the snapshot's version
        // arrives after it, none before.
        std::lock_guard lock(room->mutex);
        ctx.subscribe(CollabRoom::kTopic);
        ctx.send_now(snapshot(room->document, client_id, editors));
    }
    ctx.publish(CollabRoom::kTopic, editor_event("editor_joined", client_id, editors));
    while (auto message = co_await ctx.receive()) {
        const std::string reply = message->is_text() ? handle(ctx, *room, client_id, message->text())
                                                     : error_json("binary messages are not edits");
        if (!reply.empty()) co_await ctx.send(reply);
    }
    ctx.unsubscribe(CollabRoom::kTopic);
    ctx.server().publish(CollabRoom::kTopic, editor_event("editor_left", client_id, room->editors.fetch_sub(1) - 1));
}

}  // namespace

void install_collab(Server& server, std::shared_ptr<const StaticFiles> pages) {
    auto room = std::make_shared<CollabRoom>();
    server.route("/collab", [room, pages](Context& ctx) { return collab_session(ctx, room, pages); });
}

}  // namespace sluice::demo
