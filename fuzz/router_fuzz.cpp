// fuzz/router_fuzz.cpp — sluice::Router (app/router.hpp): the routes a server registers and
// the match of every request path, against a plain model; and proto::percent_decode.
// fuzz-links: app/router.cpp
//
// Input: lines, each one command (at most 32 of each kind):
//   R <method> <pattern>   add_http          W <pattern>   add_websocket
//   G <method> <path>      match, plain      U <path>      match, upgrade
//   anything else          percent_decode of the whole line
// A path is also matched percent-decoded, when it decodes. The model below keeps the routes
// as a list and matches by brute force, in the precedence the router documents (at each
// segment static, then parameter, then wildcard; backtracking; a plain GET to a WebSocket-only
// pattern of static segments is 426 there and then), so asserted:
//   - add_* fails exactly for a malformed pattern, too many parameters, names unlike an
//     earlier route of the same shape, or a (pattern, method) / WebSocket target twice;
//   - match() gives the model's status, target, Allow list and parameters; parameter
//     values are views into the path given;
//   - percent_decode gives a byte-at-a-time decoder's bytes into an exact-size buffer,
//     fails into one byte less, and fails on a malformed escape.
#include "app/router.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "proto/http_request.hpp"

namespace {

using namespace sluice;

// '/'-separated segments after the leading '/'; "/" has none, "/a/" has "a" and "".
std::vector<std::string_view> segments(std::string_view rest) {
    std::vector<std::string_view> out;
    if (rest.empty()) return out;
    for (;;) {
        const std::size_t slash = rest.find('/');
        out.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) return out;
        rest.remove_prefix(slash + 1);
    }
}

enum Kind : int { kStatic = 0, kParam = 1, kWild = 2 };

struct Shape {  // one endpoint of the model: a pattern up to its parameter names
    std::vector<std::pair<Kind, std::string>> segs;  // static text, or the parameter's name
    std::vector<std::pair<std::string, std::uint32_t>> methods;
    bool has_ws = false;
    std::uint32_t ws = 0;
    bool same_shape(const Shape& o) const {
        if (segs.size() != o.segs.size()) return false;
        for (std::size_t i = 0; i < segs.size(); ++i)
            if (segs[i].first != o.segs[i].first || (segs[i].first == kStatic && segs[i].second != o.segs[i].second))
                return false;
        return true;
    }
};

class Model {
 public:
    // What add_* must answer: true when the route is accepted.
    bool add(std::string_view pattern, const std::string* method, std::uint32_t target) {
        if (method != nullptr && method->empty()) return false;
        if (pattern.empty() || pattern.front() != '/') return false;
        Shape s;
        const auto segs = segments(pattern.substr(1));
        std::size_t params = 0;
        for (std::size_t i = 0; i < segs.size(); ++i) {
            const std::string_view seg = segs[i];
            if (seg == "*") {
                if (i + 1 != segs.size()) return false;
                s.segs.emplace_back(kWild, "*");
                ++params;
            } else if (!seg.empty() && seg.front() == ':') {
                if (seg.size() == 1) return false;
                s.segs.emplace_back(kParam, std::string(seg.substr(1)));
                ++params;
            } else {
                s.segs.emplace_back(kStatic, std::string(seg));
            }
        }
        if (params > kMaxRouteParams) return false;
        Shape* e = nullptr;
        for (Shape& o : shapes_)
            if (o.same_shape(s)) e = &o;
        if (e != nullptr && e->segs != s.segs) return false;  // parameter names differ
        if (e == nullptr) e = &shapes_.emplace_back(std::move(s));
        if (method == nullptr) {
            if (e->has_ws) return false;
            e->has_ws = true;
            e->ws = target;
            return true;
        }
        for (const auto& m : e->methods)
            if (m.first == *method) return false;
        e->methods.emplace_back(*method, target);
        return true;
    }

    RouteMatch match(std::string_view method, std::string_view path, bool websocket) const {
        RouteMatch r;
        if (path.empty() || path.front() != '/') return r;
        struct Hit {
            std::vector<int> kinds;
            const Shape* shape;
            std::vector<std::string_view> values;
        };
        std::vector<Hit> hits;
        const std::string_view rest = path.substr(1);
        const auto segs = segments(rest);
        for (const Shape& s : shapes_)
            if (auto h = fit(s, rest, segs)) hits.push_back(Hit{h->first, &s, h->second});
        std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.kinds < b.kinds; });
        const Hit* fallback = nullptr;
        for (const Hit& h : hits) {
            const Shape& s = *h.shape;
            std::optional<std::uint32_t> target;
            if (websocket) {
                if (s.has_ws) target = s.ws;
            } else {
                const std::pair<std::string, std::uint32_t>* get = nullptr;
                for (const auto& m : s.methods) {
                    if (m.first == method || m.first == "*") {
                        target = m.second;
                        break;
                    }
                    if (m.first == "GET") get = &m;
                }
                if (!target && method == "HEAD" && get != nullptr) target = get->second;
                // A plain GET to a WebSocket-only pattern of static segments only is answered
                // there (426), final: a less specific pattern never serves it.
                const bool all_static = std::all_of(s.segs.begin(), s.segs.end(),
                                                    [](const auto& seg) { return seg.first == kStatic; });
                if (!target && method == "GET" && s.has_ws && get == nullptr && all_static) {
                    r.status = RouteStatus::upgrade_required;
                    return r;
                }
                if (!target && fallback == nullptr) fallback = &h;
            }
            if (target) {
                r.status = RouteStatus::found;
                r.target = *target;
                for (const auto& [kind, name] : s.segs) {
                    if (kind == kStatic) continue;
                    r.params.items[r.params.count] = {name, h.values[r.params.count]};
                    ++r.params.count;
                }
                return r;
            }
        }
        if (fallback != nullptr) allow_for(*fallback->shape, method, r);
        return r;
    }

 private:
    // Does shape `s` match the path? Its precedence key (segment kinds) and parameter values.
    static std::optional<std::pair<std::vector<int>, std::vector<std::string_view>>> fit(
        const Shape& s, std::string_view rest, const std::vector<std::string_view>& segs) {
        std::vector<int> kinds;
        std::vector<std::string_view> values;
        const bool wild = !s.segs.empty() && s.segs.back().first == kWild;
        const std::size_t fixed = s.segs.size() - (wild ? 1 : 0);
        if (segs.size() < fixed || (!wild && segs.size() != fixed)) return std::nullopt;
        std::size_t offset = 0;  // of segs[i] in rest
        for (std::size_t i = 0; i < fixed; ++i) {
            if (s.segs[i].first == kStatic && s.segs[i].second != segs[i]) return std::nullopt;
            if (s.segs[i].first == kParam) {
                if (segs[i].empty()) return std::nullopt;
                values.push_back(rest.substr(offset, segs[i].size()));
            }
            kinds.push_back(s.segs[i].first);
            offset += segs[i].size() + 1;
        }
        if (wild) {
            kinds.push_back(kWild);
            values.push_back(segs.size() == fixed ? std::string_view{} : rest.substr(offset));
        }
        return std::make_pair(kinds, values);  // values in the pattern's parameter order
    }

    static void allow_for(const Shape& s, std::string_view method, RouteMatch& r) {
        bool get = false, head = false;
        for (const auto& m : s.methods) {
            get = get || m.first == "GET";
            head = head || m.first == "HEAD";
        }
        if (s.has_ws && !get && method == "GET") {
            r.status = RouteStatus::upgrade_required;
            return;
        }
        r.status = RouteStatus::method_not_allowed;
        auto add = [&r](std::string_view m) {
            if (!r.allow.empty()) r.allow += ", ";
            r.allow += m;
        };
        if (s.has_ws && !get) add("GET");
        for (const auto& m : s.methods) {
            add(m.first);
            if (m.first == "GET" && !head) add("HEAD");
        }
    }

    std::vector<Shape> shapes_;
};

std::optional<std::string> reference_decode(std::string_view in) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (in.size() - i < 3 || hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0) return std::nullopt;
        out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
        i += 2;
    }
    return out;
}

// Decodes into an exact-size heap block (ASan catches a write past it) and one byte less.
std::optional<std::string> check_decode(std::string_view in) {
    const std::optional<std::string> expected = reference_decode(in);
    const std::size_t room = expected ? expected->size() : in.size();
    std::unique_ptr<char[]> out(new char[room + 1]);
    const auto n = proto::percent_decode(in, std::span<char>(out.get(), room));
    SLUICE_FUZZ_CHECK(n.has_value() == expected.has_value());
    if (!expected) return std::nullopt;
    SLUICE_FUZZ_CHECK(std::string_view(out.get(), *n) == *expected);
    if (room > 0) SLUICE_FUZZ_CHECK(!proto::percent_decode(in, std::span<char>(out.get(), room - 1)));
    return expected;
}

void check_match(const Router& router, const Model& model, std::string_view method, std::string_view path,
                 bool websocket) {
    const RouteMatch got = router.match(method, path, websocket);
    const RouteMatch want = model.match(method, path, websocket);
    SLUICE_FUZZ_CHECK(got.status == want.status);
    SLUICE_FUZZ_CHECK(got.allow == want.allow);
    SLUICE_FUZZ_CHECK(got.params.count == want.params.count);
    if (got.status == RouteStatus::found) SLUICE_FUZZ_CHECK(got.target == want.target);
    for (std::size_t i = 0; i < got.params.count; ++i) {
        const RouteParam& p = got.params.items[i];
        SLUICE_FUZZ_CHECK(p.name == want.params.items[i].name && p.value == want.params.items[i].value);
        // A view into the caller's path, not a copy.
        SLUICE_FUZZ_CHECK(p.value.empty() ||
                          (p.value.data() >= path.data() && p.value.data() + p.value.size() <= path.data() + path.size()));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(fuzz::as_chars(std::span<const std::uint8_t>(data, size)));
    Router router;
    Model model;
    std::uint32_t routes = 0;
    std::size_t queries = 0;
    std::string_view rest(text);
    while (!rest.empty()) {
        const std::string_view line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(line.size() == rest.size() ? rest.size() : line.size() + 1);
        const std::string_view arg = line.size() >= 2 && line[1] == ' ' ? line.substr(2) : std::string_view{};
        const char op = line.size() >= 2 && line[1] == ' ' ? line[0] : '\0';
        const std::size_t space = arg.find(' ');
        const std::string method(arg.substr(0, space));
        const std::string_view second = space == std::string_view::npos ? std::string_view{} : arg.substr(space + 1);
        if ((op == 'R' || op == 'W') && routes < 32) {
            ++routes;
            const std::string error = op == 'R' ? router.add_http(method, second, routes) : router.add_websocket(arg, routes);
            SLUICE_FUZZ_CHECK(error.empty() == model.add(op == 'R' ? second : arg, op == 'R' ? &method : nullptr, routes));
        } else if ((op == 'G' || op == 'U') && queries < 32) {
            ++queries;
            const std::string_view path = op == 'G' ? second : arg;
            // An exact-size copy: matching must read nothing past it.
            std::unique_ptr<char[]> copy(new char[path.size() + 1]);
            if (!path.empty()) std::memcpy(copy.get(), path.data(), path.size());
            const std::string_view owned(copy.get(), path.size());
            check_match(router, model, method, owned, op == 'U');
            if (const auto decoded = check_decode(owned)) check_match(router, model, method, *decoded, op == 'U');
        } else {
            check_decode(line);
        }
    }
    return 0;
}
