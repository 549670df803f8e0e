// app/detail/request_copy.hpp — one request head, copied out of the receive buffer into ONE block.
//
// A handler reads the request (method, target, headers, route params) after the receive
// buffer has been reused, and a WebSocket coroutine reads it for the connection's whole
// life, so the connection keeps a copy. It is kept compact because every idle WebSocket
// pays for it: one pointer in the connection to one block of the exact size, no vectors of
// views; header() re-scans the block.
//
//   block_: [size u32][headers_end u32][flags][5 lens] [peer][method][target][path][query] [pair]... [pair]...
//                                               └─ lens: peer .. query ─────────────────┘ └ headers ┘ └ route params ┘
//   size: the bytes after the first 4; headers_end: where the params begin, from the peer's first byte.
//   A length (lens, nlen, vlen): one byte below 255, else 255 + 4 bytes; a pair is nlen vlen name value.
//   The peer's address is the connection's, not the request's: set once (set_peer, or the
//   first assign()), kept by assign().
//   Each change builds the new content in a per-thread scratch string, then one block of its size.
//
// Borrowed: assign(req, peer, true) builds the block in a per-thread buffer instead of the
// heap, for the WebSocket upgrade (Connection::upgrade): the handler's on_open reads the
// request there, a callback route's retain() then makes the one owned block, and own()
// copies it out otherwise. The buffer is the next upgrade's on this thread: a copy must be
// owned (retain or own) before the connection's callback returns.
//
// Views returned stay valid until the next change (assign, add_param(s), clear, retain, own).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/router.hpp"
#include "proto/http_request.hpp"

namespace sluice::detail {

inline constexpr std::string_view kSubprotocolParam = "/";

class RequestCopy {  // Owns one block holding the peer address, the whole copied head and the route params.
 public:
    RequestCopy() noexcept = default;
    ~RequestCopy() { release(); }
    RequestCopy(const RequestCopy&) = delete;
    RequestCopy& operator=(const RequestCopy&) = delete;

    // The connection's peer ("127.0.0.1:54321"); call before the first assign().
    void set_peer(std::string_view peer);
    std::string_view peer() const noexcept { return part(0); }
    // Replaces the copy with `req` (params dropped); the views in `req` may die afterwards.
    // `peer` is taken only when none is kept yet; `borrow`: in the per-thread buffer (above).
    void assign(const proto::HttpRequest& req, std::string_view peer = {}, bool borrow = false);
    // A borrowed copy moves into a block of its own (one allocation); otherwise nothing.
    void own();
    bool borrowed() const noexcept;
    // Appends route params ("/room/:id" -> name "id"); the views need not outlive the call
    // and values may view this copy (a router match on path()).
    void add_params(std::span<const RouteParam> params);
    void add_param(std::string_view name, std::string_view value);   // one param, the same way
    // The WebSocket subprotocol negotiated at the upgrade (RFC 6455 §4.2.2), kept as a param
    // named "/": a name no route pattern can declare (a segment never holds '/').
    void set_subprotocol(std::string_view name) { add_param(kSubprotocolParam, name); }
    std::string_view subprotocol() const noexcept { return param(kSubprotocolParam).value_or(""); }
    void clear() noexcept;   // drops the request, keeps the peer
    // Drops every header field but those named in `headers` (case-insensitive), and the peer
    // unless `keep_peer`, into a block of the exact size: a callback route's WebSocket after
    // on_open (WsCallbacks::keep_headers).
    void retain(std::span<const std::string> headers, bool keep_peer = true);

    std::string_view method() const noexcept { return part(1); }
    std::string_view target() const noexcept { return part(2); }
    std::string_view path() const noexcept { return part(3); }
    std::string_view query() const noexcept { return part(4); }
    // The first header field named `name` (RFC 9110 §5.1: case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const noexcept;
    // The first route param named `name` (case-sensitive), or nullopt.
    std::optional<std::string_view> param(std::string_view name) const noexcept;
    std::size_t header_count() const noexcept;

    bool keep_alive() const noexcept { return (flags() & kKeepAlive) != 0; }
    bool http10() const noexcept { return (flags() & kHttp10) != 0; }
    bool head() const noexcept { return (flags() & kHead) != 0; }   // a HEAD request: responses carry no body

 private:
    static constexpr std::uint8_t kKeepAlive = 1, kHttp10 = 2, kHead = 4;
    struct Parts;   // the block, decoded (request_copy.cpp)

    Parts decode() const noexcept;
    std::uint8_t flags() const noexcept;
    std::string_view part(std::size_t i) const noexcept;
    // Replaces the block with one holding `lens` (peer .. query), then `data` (which may
    // view the old block unless `borrow`), the params beginning at `headers_end`; in the
    // per-thread buffer when `borrow`.
    void rebuild(const std::array<std::size_t, 5>& lens, std::string_view data, std::size_t headers_end,
                 std::uint8_t flags, bool borrow = false);
    void release() noexcept;
    // Scans the pairs in [from, to) of the data; `match` says which name is wanted.
    template <class Match>
    static std::optional<std::string_view> find(std::string_view data, std::size_t from, std::size_t to,
                                                Match match) noexcept;

    unsigned char* block_ = nullptr;   // null: nothing copied yet (every part empty, keep-alive); or borrowed
};

}  // namespace sluice::detail
