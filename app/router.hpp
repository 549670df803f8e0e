// app/router.hpp — maps (method, path) to a target id. Pure: no I/O, no handlers, no
// allocation while matching.
//
// Patterns are '/'-separated segments:
//   /chat              static segment
//   /room/:id          parameter: matches one non-empty segment, read back as param("id")
//   /static/*          trailing wildcard: matches the rest of the path (possibly empty),
//                      read back as param("*"); only allowed as the last segment
// Precedence at every segment: static beats parameter beats wildcard. Matching backtracks,
// so `/a/b` and `/:x/c` both serve `/a/c` (the static `a` leads nowhere, `:x` does).
//
// Each pattern carries three kinds of target:
//   - per method ("GET", "POST", ... ; "*" = any method). GET also serves HEAD
//     (RFC 9110 §9.3.2) unless HEAD has its own target.
//   - a WebSocket target (the upgrade, RFC 6455 §4.2).
// match() answers found / not_found (404) / method_not_allowed (405, with the Allow list,
// RFC 9110 §15.5.6) / upgrade_required (a plain GET to a WebSocket-only pattern). For a
// pattern of static segments only that is final: a wildcard or parameter pattern that
// would serve the same GET does not (a WebSocket route beside the pages' "/*" answers 426,
// not the pages' 404); through a parameter it is only the answer when nothing serves it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

inline constexpr std::size_t kMaxRouteParams = 8;

struct RouteParam {
    std::string_view name;    // views the router's pattern storage
    std::string_view value;   // views the matched path
};

struct RouteParams {  // Does not own the names (router) or values (the path matched).
    std::array<RouteParam, kMaxRouteParams> items{};
    std::size_t count = 0;
    std::string_view get(std::string_view name) const noexcept;
};

enum class RouteStatus : std::uint8_t { found, not_found, method_not_allowed, upgrade_required };

struct RouteMatch {
    RouteStatus status = RouteStatus::not_found;
    std::uint32_t target = 0;   // valid when found
    std::string allow;          // method_not_allowed: "GET, HEAD, POST" (registration order)
    RouteParams params;
};

class Router {  // Owns its pattern tree (names, segments); does not own what target ids mean.
 public:
    static constexpr std::string_view kAnyMethod = "*";

    Router();
    ~Router();
    Router(Router&&) noexcept;
    Router& operator=(Router&&) noexcept;

    // Adds an HTTP target for `method` ("*" = any). Returns "" or a clear error: a malformed
    // pattern ("must start with '/'", "'*' only as the last segment", "empty parameter name",
    // too many parameters), or the same (pattern, method) twice. Parameter names at the
    // same position may differ between patterns; each pattern keeps its own names.
    std::string add_http(std::string_view method, std::string_view pattern, std::uint32_t target);
    // Adds the WebSocket target of `pattern` (same errors).
    std::string add_websocket(std::string_view pattern, std::uint32_t target);

    // Plain request: the HTTP target for the method. An upgrade request (websocket = true):
    // the WebSocket target, or not_found when the path has none (the server answers 404).
    // `path` is the request-target's path (no query). The params view `path` and the router.
    RouteMatch match(std::string_view method, std::string_view path, bool websocket) const;

 private:
    struct Node;
    struct Endpoint;
    Node* insert(std::string_view pattern, std::string& error);
    std::unique_ptr<Node> root_;
};

}  // namespace sluice
