// app/trusted_proxies.cpp — see app/trusted_proxies.hpp for the rules.
#include "app/trusted_proxies.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

#include "proto/http_fields.hpp"

namespace sluice {

namespace {

using Bytes = std::array<std::uint8_t, 16>;

// An IPv4 or IPv6 literal (no port, no brackets) as 16 bytes, IPv4 mapped into IPv6.
std::optional<Bytes> parse_ip(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    char z[46];
    std::memcpy(z, text.data(), text.size());
    z[text.size()] = '\0';
    Bytes b{};
    in_addr v4{};
    if (::inet_pton(AF_INET, z, &v4) == 1) {
        b[10] = b[11] = 0xFF;
        std::memcpy(b.data() + 12, &v4, 4);
        return b;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, z, &v6) == 1) {
        std::memcpy(b.data(), &v6, 16);
        return b;
    }
    return std::nullopt;
}

bool is_mapped_v4(const Bytes& b) noexcept {
    static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(b.data(), kPrefix, 12) == 0;
}

// The canonical text of an address: "10.0.0.1" (a mapped one too), "2001:db8::1".
std::string format_ip(const Bytes& b) {
    char out[INET6_ADDRSTRLEN] = {};
    if (is_mapped_v4(b)) {
        ::inet_ntop(AF_INET, b.data() + 12, out, sizeof out);
    } else {
        ::inet_ntop(AF_INET6, b.data(), out, sizeof out);
    }
    return out;
}

std::string_view unbracket(std::string_view s) noexcept {
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') return s.substr(1, s.size() - 2);
    return s;
}

// The host of a node ("1.2.3.4", "1.2.3.4:80", "[::1]", "[::1]:80", "::1"), without the port.
std::string_view node_host(std::string_view node) noexcept {
    if (!node.empty() && node.front() == '[') {
        const std::size_t close = node.find(']');
        return close == std::string_view::npos ? std::string_view() : node.substr(1, close - 1);
    }
    const std::size_t colon = node.find(':');
    if (colon != std::string_view::npos && node.find(':', colon + 1) == std::string_view::npos) return node.substr(0, colon);
    return node;   // IPv4, a bare IPv6 (X-Forwarded-For writes it so), or an identifier
}

// RFC 7239 §6: "unknown", or an obfuscated identifier ("_" then ALPHA / DIGIT / "." / "_" / "-").
bool is_identifier(std::string_view s) noexcept {
    if (s == "unknown") return true;
    if (s.size() < 2 || s.size() > 64 || s.front() != '_') return false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::string_view unquote(std::string_view v) noexcept {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
    return v;
}

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

struct Hop {
    std::string_view node;    // for=, or an X-Forwarded-For element
    std::string_view proto;   // proto= (Forwarded only)
};

// RFC 7239 §4: forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] ), pairs
// token=value with a case-insensitive token.
Hop parse_forwarded_element(std::string_view element) {
    Hop hop;
    while (!element.empty()) {
        const std::size_t semi = element.find(';');
        const std::string_view pair = trim_ows(element.substr(0, semi));
        element = semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = trim_ows(pair.substr(0, eq));
        const std::string_view value = unquote(trim_ows(pair.substr(eq + 1)));
        if (proto::ascii_iequals(name, "for")) hop.node = value;
        if (proto::ascii_iequals(name, "proto")) hop.proto = value;
    }
    return hop;
}

bool is_https(std::string_view scheme) noexcept {
    return proto::ascii_iequals(scheme, "https") || proto::ascii_iequals(scheme, "wss");
}

}  // namespace

std::string TrustedProxies::assign(const std::vector<std::string>& entries) {
    ranges_.clear();
    for (const std::string& entry : entries) {
        std::string_view text = entry;
        unsigned prefix = 128;
        bool v4 = false;
        const std::size_t slash = text.find('/');
        std::optional<Bytes> bytes = parse_ip(unbracket(text.substr(0, slash)));
        if (bytes) v4 = is_mapped_v4(*bytes) && text.substr(0, slash).find(':') == std::string_view::npos;
        if (bytes && slash != std::string_view::npos) {
            const std::string_view bits = text.substr(slash + 1);
            unsigned n = 0;
            const auto r = std::from_chars(bits.data(), bits.data() + bits.size(), n);
            if (bits.empty() || r.ec != std::errc() || r.ptr != bits.data() + bits.size() || n > (v4 ? 32u : 128u)) {
                return "trusted_proxies: '" + entry + "' has a bad prefix length (0-32 for IPv4, 0-128 for IPv6)";
            }
            prefix = v4 ? 96 + n : n;
        }
        if (!bytes) return "trusted_proxies: '" + entry + "' is not an IP address or CIDR range";
        ranges_.push_back({*bytes, prefix});
    }
    return {};
}

bool TrustedProxies::trusts(std::string_view address) const noexcept {
    const std::optional<Bytes> ip = parse_ip(unbracket(address));
    if (!ip) return false;
    for (const Range& r : ranges_) {
        const unsigned whole = r.prefix / 8, rest = r.prefix % 8;
        if (std::memcmp(ip->data(), r.bytes.data(), whole) != 0) continue;
        if (rest == 0) return true;
        const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
        if (((*ip)[whole] & mask) == (r.bytes[whole] & mask)) return true;
    }
    return false;
}

ForwardedOrigin TrustedProxies::resolve(std::string_view peer, std::span<const proto::HttpHeader> headers) const {
    ForwardedOrigin origin;
    if (ranges_.empty() || !trusts(node_host(peer))) return origin;
    // RFC 7239 when the proxy sent it; X-Forwarded-For (and -Proto) otherwise.
    std::vector<Hop> hops;
    bool rfc7239 = false;
    for (const proto::HttpHeader& h : headers) {
        if (!proto::ascii_iequals(h.name, "Forwarded")) continue;
        rfc7239 = true;
        proto::for_each_list_element(h.value, [&hops](std::string_view e) {
            hops.push_back(parse_forwarded_element(e));
            return true;
        });
    }
    std::string_view xf_proto;
    if (!rfc7239) {
        for (const proto::HttpHeader& h : headers) {
            if (proto::ascii_iequals(h.name, "X-Forwarded-For")) {
                proto::for_each_list_element(h.value, [&hops](std::string_view e) {
                    hops.push_back({e, {}});
                    return true;
                });
            } else if (xf_proto.empty() && proto::ascii_iequals(h.name, "X-Forwarded-Proto")) {
                proto::for_each_list_element(h.value, [&xf_proto](std::string_view e) {
                    xf_proto = e;   // the left-most: what the first proxy saw
                    return false;
                });
            }
        }
    }
    if (!hops.empty()) {
        std::size_t client = 0;   // every hop trusted: the left-most
        for (std::size_t i = hops.size(); i-- > 0;) {
            if (!trusts(node_host(hops[i].node))) {
                client = i;
                break;
            }
        }
        const std::string_view host = node_host(hops[client].node);
        if (const std::optional<Bytes> ip = parse_ip(host)) {
            origin.address = format_ip(*ip);
        } else if (is_identifier(host)) {
            origin.address = std::string(host);
        }
        if (rfc7239) xf_proto = hops[client].proto;
    }
    origin.https = is_https(xf_proto);
    return origin;
}

}  // namespace sluice
