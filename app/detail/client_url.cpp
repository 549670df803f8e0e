// app/detail/client_url.cpp — see client_url.hpp.
#include "app/detail/client_url.hpp"

#include <charconv>

#include "proto/http_fields.hpp"

namespace sluice::detail {

namespace {

bool has_byte_outside_uri(std::string_view s) noexcept {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F) return true;   // CTLs, space, non-ASCII: a URL escapes them
    }
    return false;
}

}  // namespace

std::string parse_client_url(std::string_view url, ClientUrl& out) {
    const std::string quoted = "'" + std::string(url.substr(0, 200)) + "'";
    const std::size_t colon = url.find("://");
    if (colon == std::string_view::npos) return quoted + " is not a ws:// URL";
    const std::string_view scheme = url.substr(0, colon);
    if (proto::ascii_iequals(scheme, "wss")) {
        return quoted + ": wss:// (TLS) is not supported by sluice; run a TLS proxy that accepts plain ws:// " +
               "locally and connects to the wss:// server (stunnel, or nginx with proxy_pass https://... and " +
               "the Upgrade headers), and connect to the proxy with ws://";
    }
    if (!proto::ascii_iequals(scheme, "ws")) return quoted + ": the scheme must be ws:// (got '" + std::string(scheme) + "')";
    std::string_view rest = url.substr(colon + 3);
    if (has_byte_outside_uri(rest)) return quoted + ": a space, control or non-ASCII byte must be percent-encoded";
    if (rest.find('#') != std::string_view::npos)
        return quoted + ": a WebSocket URL has no fragment (RFC 6455 §3: '#' must be escaped as %23)";
    const std::size_t end_of_authority = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end_of_authority);
    std::string_view resource = end_of_authority == std::string_view::npos ? "" : rest.substr(end_of_authority);
    if (authority.find('@') != std::string_view::npos) return quoted + ": user information ('user@') is not supported";
    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    const bool bracketed = !authority.empty() && authority[0] == '[';
    if (bracketed) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return quoted + ": an IPv6 address lacks its ']'";
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return quoted + ": unexpected text after the IPv6 address";
            port_text = after.substr(1);
            has_port = true;
        }
        if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
            return quoted + ": '" + std::string(host) + "' is not an IPv6 address";
    } else {
        const std::size_t c = authority.find(':');
        host = authority.substr(0, c);
        if (c != std::string_view::npos) {
            port_text = authority.substr(c + 1);
            has_port = true;
        }
    }
    if (host.empty()) return quoted + ": the host is missing";
    out.port = 80;
    if (has_port) {
        unsigned value = 0;
        const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (port_text.empty() || ec != std::errc() || p != port_text.data() + port_text.size() || value == 0 ||
            value > 65535)
            return quoted + ": the port must be a number from 1 to 65535 (an IPv6 address goes in brackets)";
        out.port = static_cast<std::uint16_t>(value);
    }
    out.host = std::string(host);
    // §4.1 item 4: the Host field is the host, then ":port" if the port is not the default.
    out.host_header = bracketed ? "[" + out.host + "]" : out.host;
    if (out.port != 80) out.host_header += ":" + std::to_string(out.port);
    // §3: "/" when the path is empty; the query follows "?".
    out.resource = resource.empty() || resource[0] == '?' ? "/" + std::string(resource) : std::string(resource);
    return {};
}

}  // namespace sluice::detail
