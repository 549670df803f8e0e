// app/router.cpp — a segment tree searched depth-first in precedence order.
#include "app/router.hpp"

#include <utility>

namespace sluice {

struct Router::Endpoint {
    std::vector<std::pair<std::string, std::uint32_t>> methods;   // registration order
    bool has_websocket = false;
    std::uint32_t websocket = 0;
    std::vector<std::string> param_names;   // this pattern's names, in order; "*" last if any
};

struct Router::Node {
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> statics;
    std::unique_ptr<Node> param;
    std::unique_ptr<Node> wildcard;
    std::unique_ptr<Endpoint> endpoint;
};

std::string_view RouteParams::get(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < count; ++i) {
        if (items[i].name == name) return items[i].value;
    }
    return {};
}

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Router::Node* Router::insert(std::string_view pattern, std::string& error) {
    if (pattern.empty() || pattern.front() != '/') {
        error = "route '" + std::string(pattern) + "' must start with '/'";
        return nullptr;
    }
    std::vector<std::string> names;
    Node* node = root_.get();
    std::string_view rest = pattern.substr(1);
    bool end = rest.empty();
    while (!end) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        end = slash == std::string_view::npos;
        rest = end ? std::string_view{} : rest.substr(slash + 1);
        if (segment == "*") {
            if (!end) {
                error = "route '" + std::string(pattern) + "': '*' is allowed only as the last segment";
                return nullptr;
            }
            names.emplace_back("*");
            if (!node->wildcard) node->wildcard = std::make_unique<Node>();
            node = node->wildcard.get();
        } else if (!segment.empty() && segment.front() == ':') {
            if (segment.size() == 1) {
                error = "route '" + std::string(pattern) + "': empty parameter name";
                return nullptr;
            }
            names.emplace_back(segment.substr(1));
            if (!node->param) node->param = std::make_unique<Node>();
            node = node->param.get();
        } else {
            Node* next = nullptr;
            for (auto& [text, child] : node->statics) {
                if (text == segment) next = child.get();
            }
            if (next == nullptr) {
                node->statics.emplace_back(std::string(segment), std::make_unique<Node>());
                next = node->statics.back().second.get();
            }
            node = next;
        }
    }
    if (names.size() > kMaxRouteParams) {
        error = "route '" + std::string(pattern) + "' has more than " + std::to_string(kMaxRouteParams) + " parameters";
        return nullptr;
    }
    if (!node->endpoint) {
        node->endpoint = std::make_unique<Endpoint>();
        node->endpoint->param_names = std::move(names);
    } else if (node->endpoint->param_names != names) {
        error = "route '" + std::string(pattern) + "' names its parameters unlike an earlier route of the same shape";
        return nullptr;
    }
    return node;
}

std::string Router::add_http(std::string_view method, std::string_view pattern, std::uint32_t target) {
    if (method.empty()) return "route '" + std::string(pattern) + "': empty method";
    std::string error;
    Node* node = insert(pattern, error);
    if (node == nullptr) return error;
    for (const auto& [m, t] : node->endpoint->methods) {
        if (m == method) return "route '" + std::string(pattern) + "' already has a " + std::string(method) + " handler";
    }
    node->endpoint->methods.emplace_back(std::string(method), target);
    return {};
}

std::string Router::add_websocket(std::string_view pattern, std::uint32_t target) {
    std::string error;
    Node* node = insert(pattern, error);
    if (node == nullptr) return error;
    if (node->endpoint->has_websocket) return "route '" + std::string(pattern) + "' already has a WebSocket handler";
    node->endpoint->has_websocket = true;
    node->endpoint->websocket = target;
    return {};
}

namespace {

struct Search {
    std::string_view method;
    bool websocket;
    std::array<std::string_view, kMaxRouteParams> values{};
    std::size_t depth = 0;
    RouteMatch result;
    bool have_fallback = false;
};

}  // namespace

// Decides what one endpoint does with the request; true when it serves it.
static bool visit(const auto& endpoint, Search& s) {
    auto found = [&](std::uint32_t target) {
        s.result.status = RouteStatus::found;
        s.result.target = target;
        s.result.allow.clear();
        s.result.params.count = 0;
        for (std::size_t i = 0; i < endpoint.param_names.size() && i < s.depth; ++i) {
            s.result.params.items[i] = {endpoint.param_names[i], s.values[i]};
            s.result.params.count = i + 1;
        }
        return true;
    };
    if (s.websocket) {
        return endpoint.has_websocket && found(endpoint.websocket);
    }
    const std::pair<std::string, std::uint32_t>* get = nullptr;
    for (const auto& entry : endpoint.methods) {
        if (entry.first == s.method || entry.first == Router::kAnyMethod) return found(entry.second);
        if (entry.first == "GET") get = &entry;
    }
    if (s.method == "HEAD" && get != nullptr) return found(get->second);
    // A plain GET to a WebSocket-only pattern of static segments only: the path names that
    // WebSocket endpoint exactly, so a less specific pattern (the pages' "/*") must not
    // answer it with a page or a 404. Decided here, the search stops. Through a parameter
    // (depth > 0) it is only a fallback: "/:room" must not hide "/*" from "/style.css".
    if (endpoint.has_websocket && get == nullptr && s.method == "GET" && s.depth == 0) {
        s.result.status = RouteStatus::upgrade_required;
        s.result.allow.clear();
        s.result.params.count = 0;
        return true;
    }
    if (s.have_fallback) return false;
    s.have_fallback = true;
    if (endpoint.has_websocket && get == nullptr && s.method == "GET") {
        s.result.status = RouteStatus::upgrade_required;
        return false;
    }
    s.result.status = RouteStatus::method_not_allowed;
    std::string& allow = s.result.allow;
    allow.clear();
    bool has_head = false;
    for (const auto& entry : endpoint.methods) has_head = has_head || entry.first == "HEAD";
    auto add = [&allow](std::string_view m) {
        if (!allow.empty()) allow += ", ";
        allow += m;
    };
    if (endpoint.has_websocket && get == nullptr) add("GET");
    for (const auto& entry : endpoint.methods) {
        add(entry.first);
        if (entry.first == "GET" && !has_head) add("HEAD");
    }
    return false;
}

// Depth-first in precedence order: static, then parameter, then wildcard.
static bool walk(const auto* node, std::string_view rest, bool end, Search& s) {
    if (end) {
        if (node->endpoint && visit(*node->endpoint, s)) return true;
        if (node->wildcard && node->wildcard->endpoint && s.depth < kMaxRouteParams) {
            s.values[s.depth++] = {};
            if (visit(*node->wildcard->endpoint, s)) return true;
            --s.depth;
        }
        return false;
    }
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    const bool next_end = slash == std::string_view::npos;
    const std::string_view next = next_end ? std::string_view{} : rest.substr(slash + 1);
    for (const auto& [text, child] : node->statics) {
        if (text == segment && walk(child.get(), next, next_end, s)) return true;
    }
    if (node->param && !segment.empty() && s.depth < kMaxRouteParams) {
        s.values[s.depth++] = segment;
        if (walk(node->param.get(), next, next_end, s)) return true;
        --s.depth;
    }
    if (node->wildcard && node->wildcard->endpoint && s.depth < kMaxRouteParams) {
        s.values[s.depth++] = rest;
        if (visit(*node->wildcard->endpoint, s)) return true;
        --s.depth;
    }
    return false;
}

RouteMatch Router::match(std::string_view method, std::string_view path, bool websocket) const {
    Search s{method, websocket, {}, 0, {}, false};
    if (path.empty() || path.front() != '/') return {};
    const std::string_view rest = path.substr(1);
    if (walk(root_.get(), rest, rest.empty(), s)) return std::move(s.result);
    if (!s.have_fallback) s.result.status = RouteStatus::not_found;
    s.result.params.count = 0;
    return std::move(s.result);
}

}  // namespace sluice
