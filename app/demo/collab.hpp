// app/demo/collab.hpp — /collab: one shared text document. Edits are ordered by the server,
// versioned, broadcast to every editor, and a late joiner gets the current text.
//
// An edit is a splice in Unicode code points: at `pos`, delete `del` code points, insert
// `text`. The client names the version it edited (`base`); the server applies edits one at
// a time (one mutex), so the order it applies them in IS the document's history:
//   version v  --edit-->  version v+1  --edit-->  ...
// An edit based on an older version is first transformed against the edits applied since
// (positions shifted past earlier inserts/deletes; an overlapping delete is trimmed), so
// concurrent edits both land. Every editor applies the server's edits in version order and
// so holds the same text. (Intent is kept as far as one splice can: when another edit
// inserted inside a range being deleted, the part after that insert is kept.)
//
// Client -> server                                       Server -> client
//   {"type":"edit","base":3,"pos":5,"del":0,"text":"x"}    {"type":"edit","version":4,"pos":5,"del":0,
//     (an "id" member is echoed back)                        "text":"x","by":"client_2","id":..} to everyone
//   {"type":"sync"}                                        {"type":"snapshot","version":4,"text":"...",
//                                                            "client_id":"client_2","editors":2} to the sender
// On connect the snapshot is sent first; then {"type":"editor_joined"/"editor_left",...}.
// Errors ({"type":"error",...}) go to the sender; an edit too old to transform (more than
// kHistory versions behind) is refused and the client resyncs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {
class Server;
class StaticFiles;
}  // namespace sluice

namespace sluice::demo {

struct Splice {
    std::size_t pos = 0;  // code points
    std::size_t del = 0;  // code points
    std::string text;     // UTF-8
};

// Shifts `edit` (made on the document before `applied`) so it applies after `applied`.
// `applied_inserted` is the code point length of applied.text. Ties (both insert at the
// same place) put `edit` after `applied`: the server's order.
Splice transform(Splice edit, const Splice& applied, std::size_t applied_inserted);

class Document {  // Owns the text and the recent history. Not thread-safe: its route locks it.
 public:
    static constexpr std::size_t kHistory = 1024;        // edits kept for transforming stale ones
    static constexpr std::size_t kMaxBytes = 64 * 1024;  // the document's size limit

    enum class Error : std::uint8_t { none, base_in_future, base_too_old, too_large };
    struct Applied {
        Error error = Error::none;
        Splice splice;              // as applied (transformed, clamped)
        std::uint64_t version = 0;  // the version it produced
    };

    explicit Document(std::string initial = {});
    Applied apply(std::uint64_t base, Splice edit);

    const std::string& text() const noexcept { return text_; }
    std::uint64_t version() const noexcept { return version_; }
    std::size_t length() const noexcept { return length_; }  // in code points

 private:
    struct Past {
        Splice splice;
        std::size_t inserted = 0;  // code points inserted
    };
    std::string text_;
    std::size_t length_ = 0;
    std::uint64_t version_ = 0;
    std::deque<Past> history_;  // history_.back() produced version_
};

void install_collab(Server& server, std::shared_ptr<const StaticFiles> pages);

}  // namespace sluice::demo
