// app/detail/request_copy.hpp — one request head, copied out of the receive buffer into ONE string.
//
// A handler reads the request (method, target, headers, route params) after the receive
// buffer has been reused, and a WebSocket coroutine reads it for the connection's whole
// life, so the connection keeps a copy. It is kept compact because every idle WebSocket
// pays for it: one heap block, no vectors of views; header() re-scans the block.
//
//   storage_: [peer][method][target][path][query] [nlen vlen name value]... [nlen vlen name value]...
//              └─ lens_[0..4] ───────────────────┘ └─ headers (to headers_end_) ┘ └─ route params ─┘
//   The peer's address is the connection's, not the request's: set once, kept by assign().
//   nlen, vlen: one byte each below 255, else 255 + 4 bytes; names and values may hold any byte.
//
// Views returned stay valid until the next assign() or clear().
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

class RequestCopy {  // Owns one string holding the peer address, the whole copied head and the route params.
 public:
    // The connection's peer ("127.0.0.1:54321"); call before the first assign().
    void set_peer(std::string_view peer);
    std::string_view peer() const noexcept { return part(0); }
    // Replaces the copy with `req` (params dropped); the views in `req` may die afterwards.
    void assign(const proto::HttpRequest& req);
    // Appends route params ("/room/:id" -> name "id"); the views need not outlive the call
    // and values may view this copy (a router match on path()).
    void add_params(std::span<const RouteParam> params);
    void add_param(std::string_view name, std::string_view value);   // one param, the same way
    // The WebSocket subprotocol negotiated at the upgrade (RFC 6455 §4.2.2), kept as a param
    // named "/": a name no route pattern can declare (a segment never holds '/').
    void set_subprotocol(std::string_view name) { add_param(kSubprotocolParam, name); }
    std::string_view subprotocol() const noexcept { return param(kSubprotocolParam).value_or(""); }
    void clear() noexcept;   // drops the request, keeps the peer
    // Drops every header field but those named in `headers` (case-insensitive), into a block
    // of the exact size: a callback route's WebSocket after on_open (WsCallbacks::keep_headers).
    void retain(std::span<const std::string> headers);

    std::string_view method() const noexcept { return part(1); }
    std::string_view target() const noexcept { return part(2); }
    std::string_view path() const noexcept { return part(3); }
    std::string_view query() const noexcept { return part(4); }
    // The first header field named `name` (RFC 9110 §5.1: case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const noexcept;
    // The first route param named `name` (case-sensitive), or nullopt.
    std::optional<std::string_view> param(std::string_view name) const noexcept;
    std::size_t header_count() const noexcept;

    bool keep_alive() const noexcept { return keep_alive_; }
    bool http10() const noexcept { return http10_; }
    bool head() const noexcept { return head_; }   // a HEAD request: responses carry no body

 private:
    std::string_view part(std::size_t i) const noexcept;
    void put_pair(std::string_view name, std::string_view value);
    // Scans the pairs in [from, to); `match` says which name is wanted.
    template <class Match>
    std::optional<std::string_view> find(std::size_t from, std::size_t to, Match match) const noexcept;

    std::string storage_;
    std::size_t headers_begin() const noexcept;
    std::array<std::uint32_t, 5> lens_{};   // peer, method, target, path, query
    std::uint32_t headers_end_ = 0;         // offset where the params begin
    bool keep_alive_ = true;
    bool http10_ = false;
    bool head_ = false;
};

}  // namespace sluice::detail
