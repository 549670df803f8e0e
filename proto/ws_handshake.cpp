#include "proto/ws_handshake.hpp"

#include <cstring>

#include "core/base64.hpp"
#include "core/sha1.hpp"
#include "proto/http_fields.hpp"
#include "proto/http_writer.hpp"
#include "proto/span_appender.hpp"

namespace sluice::proto {

namespace {

HandshakeDecision refuse(int status, std::string_view reason) noexcept {
    HandshakeDecision d;
    d.status = status;
    d.reason = reason;
    return d;
}

// RFC 9110 §5.6.2 tchar.
bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (const char c : s) {
        const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
    }
    return true;
}

bool has_ctl(std::string_view s) noexcept {
    for (const char c : s) {
        if (c == '\r' || c == '\n' || c == '\0') return true;
    }
    return false;
}

// Did any Sec-WebSocket-Protocol line list exactly `name` (case-sensitive)?
bool offered(std::span<const HttpHeader> headers, std::string_view name) noexcept {
    for (const HttpHeader& h : headers) {
        if (!ascii_iequals(h.name, "Sec-WebSocket-Protocol")) continue;
        const bool not_found = for_each_list_element(h.value, [&](std::string_view e) { return e != name; });
        if (!not_found) return true;
    }
    return false;
}

// The fields §4.2.1 asks about, gathered in one walk over the head's fields (a name is
// compared only when its length matches): the first value and the count of each, and
// whether the Upgrade and Connection lists hold the tokens. Views into the request.
struct UpgradeFields {
    std::size_t hosts = 0, versions = 0, keys = 0;
    bool upgrade_websocket = false;    // an Upgrade line lists "websocket"
    bool connection_upgrade = false;   // a Connection line lists "upgrade"
    std::string_view version, key;     // the first of each
    std::optional<std::string_view> origin;

    explicit UpgradeFields(std::span<const HttpHeader> headers) noexcept {
        auto lists = [](std::string_view value, std::string_view token) {
            return !for_each_list_element(value, [&](std::string_view e) { return !ascii_iequals(e, token); });
        };
        for (const HttpHeader& h : headers) {
            switch (h.name.size()) {
                case 4:
                    hosts += ascii_iequals(h.name, "Host") ? 1U : 0U;
                    break;
                case 6:
                    if (!origin && ascii_iequals(h.name, "Origin")) origin = h.value;
                    break;
                case 7:
                    if (!upgrade_websocket && ascii_iequals(h.name, "Upgrade"))
                        upgrade_websocket = lists(h.value, "websocket");
                    break;
                case 10:
                    if (!connection_upgrade && ascii_iequals(h.name, "Connection"))
                        connection_upgrade = lists(h.value, "upgrade");
                    break;
                case 17:
                    if (ascii_iequals(h.name, "Sec-WebSocket-Key") && keys++ == 0) key = h.value;
                    break;
                case 21:
                    if (ascii_iequals(h.name, "Sec-WebSocket-Version") && versions++ == 0) version = h.value;
                    break;
                default:
                    break;
            }
        }
    }
};

}  // namespace

bool is_upgrade_request(const HttpRequest& request) noexcept {
    return request.header_has_token("Upgrade", "websocket");
}

// §4.2.1 / §4.2.2. §11.3.1: Sec-WebSocket-Key "MUST NOT appear more than once" (twice: 400).
// RFC 9110 §7.8 asks a server to ignore Upgrade in an HTTP/1.0 request; on a WebSocket route
// RFC 6455 §4.2.1 (an HTTP/1.1 GET, else 400) is applied instead.
HandshakeDecision evaluate_upgrade(const HttpRequest& request, const HandshakePolicy& policy) noexcept {
    // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
    if (request.method != "GET") return refuse(400, "WebSocket upgrade requires GET");
    if (request.version != HttpVersion::http11) return refuse(400, "WebSocket upgrade requires HTTP/1.1");
    const UpgradeFields f(request.headers);
    // §4.2.1 item 2: a Host header field.
    if (f.hosts != 1) return refuse(400, "missing Host");
    // §4.2.1 items 3 and 4: Upgrade contains "websocket", Connection contains "Upgrade".
    if (!f.upgrade_websocket) return refuse(400, "missing Upgrade: websocket");
    if (!f.connection_upgrade) return refuse(400, "missing Connection: Upgrade");
    // §4.2.1 item 6; §4.2.2 step 4 /version/ and §4.4: another version MUST get an error
    // (426) with a Sec-WebSocket-Version header naming the version we speak.
    if (f.versions != 1 || f.version != "13") return refuse(426, "unsupported Sec-WebSocket-Version (13 is supported)");
    // §4.2.1 item 5: a key that "when decoded, is 16 bytes in length".
    if (f.keys != 1) return refuse(400, "missing Sec-WebSocket-Key");
    const std::optional<std::string_view> key = f.key;
    std::array<std::uint8_t, 18> decoded{};
    const auto size = core::base64_decode(*key, decoded);
    if (!size || *size != 16) return refuse(400, "invalid Sec-WebSocket-Key");
    // The bytes after the head are WebSocket frames: a request body cannot be delimited.
    if (request.body_framing == BodyFraming::chunked ||
        (request.body_framing == BodyFraming::content_length && request.content_length > 0))
        return refuse(400, "request body on a WebSocket upgrade");
    // §4.2.2 item 4 and §10.2: the Origin policy.
    if (!policy.allowed_origins.empty()) {
        const std::optional<std::string_view> origin = f.origin;
        if (!origin) {
            if (policy.require_origin) return refuse(403, "Origin required");
        } else {
            bool allowed = false;
            for (const std::string_view o : policy.allowed_origins)
                allowed = allowed || ascii_iequals(*origin, o);
            if (!allowed) return refuse(403, "Origin not allowed");
        }
    }
    HandshakeDecision d;
    d.status = 101;
    // §4.2.2 step 4, /subprotocol/: "MUST be derived from the client's handshake" (one the
    // client offered); with no match, none, so no header is sent (write_handshake_response).
    for (const std::string_view p : policy.subprotocols) {
        if (offered(request.headers, p)) {
            d.subprotocol = p;
            break;
        }
    }
    d.accept = compute_accept(*key);
    return d;
}

namespace {

// The 101 of §4.2.2 item 5 without optional lines, made at compile time: every byte fixed
// but the 28 of the accept value (base64 of a 20-byte digest), written into its slot.
constexpr std::string_view k101Head =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
constexpr std::size_t kAcceptSlot = k101Head.size();
constexpr std::size_t kAcceptLineEnd = kAcceptSlot + 28 + 2;  // the accept value and its CRLF
consteval std::array<char, kAcceptLineEnd + 2> make_101_template() noexcept {
    std::array<char, kAcceptLineEnd + 2> t{};
    for (std::size_t i = 0; i < k101Head.size(); ++i) t[i] = k101Head[i];
    for (std::size_t i = kAcceptSlot; i < kAcceptSlot + 28; ++i) t[i] = '=';  // overwritten
    t[kAcceptLineEnd - 2] = t[kAcceptLineEnd] = '\r';
    t[kAcceptLineEnd - 1] = t[kAcceptLineEnd + 1] = '\n';
    return t;
}
constexpr std::array<char, kAcceptLineEnd + 2> k101Template = make_101_template();
constexpr std::string_view kProtocolName = "Sec-WebSocket-Protocol: ";
constexpr std::string_view kExtensionsName = "Sec-WebSocket-Extensions: ";
static_assert(sizeof(HandshakeDecision::accept) == 28, "the template holds a 28-byte accept value");

}  // namespace

// §4.2.2 step 5; §9, §9.1: Sec-WebSocket-Extensions only as the owner set it (an extension the
// client offered and the server accepted, RFC 7692 §5.1).
std::size_t write_handshake_response(const HandshakeDecision& d, std::span<char> out) noexcept {
    if (d.status == 426) {
        // RFC 9110 §15.5.22: a 426 MUST carry Upgrade; RFC 9110 §7.8: "When Upgrade is sent,
        // the sender MUST also send a Connection header field ... that contains an "upgrade"
        // connection option". §4.2.2 step 4 /version/ and §4.4: Sec-WebSocket-Version names ours.
        return write_error_response(
            426, out, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", d.reason);
    }
    if (d.status != 101) return write_error_response(d.status, out, {}, d.reason);
    // §4.2.2 item 5: the server's opening handshake, from the template: its fixed bytes
    // and the accept value in its slot, then the optional lines, in one pass over `out`.
    const std::size_t optional = (d.subprotocol.empty() ? 0 : kProtocolName.size() + d.subprotocol.size() + 2) +
                                 (d.extensions.empty() ? 0 : kExtensionsName.size() + d.extensions.size() + 2);
    const std::size_t size = k101Template.size() + optional;
    if (size > out.size()) return 0;
    char* w = out.data();
    std::memcpy(w, k101Template.data(), kAcceptLineEnd);
    std::memcpy(w + kAcceptSlot, d.accept.data(), d.accept.size());
    w += kAcceptLineEnd;
    auto line = [&w](std::string_view name, std::string_view value) {
        std::memcpy(w, name.data(), name.size());
        std::memcpy(w + name.size(), value.data(), value.size());
        w += name.size() + value.size();
        std::memcpy(w, "\r\n", 2);
        w += 2;
    };
    if (!d.subprotocol.empty()) line(kProtocolName, d.subprotocol);
    if (!d.extensions.empty()) line(kExtensionsName, d.extensions);
    std::memcpy(w, "\r\n", 2);
    return size;
}

// §4.2.2 step 5 item 4: base64(SHA-1(key + GUID)), the key taken as sent (not decoded).
std::array<char, 28> compute_accept(std::string_view client_key) noexcept {
    core::Sha1 sha;
    sha.update(client_key);
    sha.update(kWebSocketGuid);
    const core::Sha1Digest digest = sha.finish();
    std::array<char, 28> accept{};
    core::base64_encode(digest, accept);
    return accept;
}

// §4.1 items 1-10: a valid HTTP/1.1 GET with Host (RFC 9112 §3.2: MUST in every HTTP/1.1
// request), Upgrade, Connection, the key and version 13.
std::size_t write_client_request(std::string_view host, std::string_view path,
                                 std::span<const std::uint8_t, 16> nonce,
                                 std::span<const std::string_view> subprotocols, std::span<char> out,
                                 std::array<char, 24>& key_out) noexcept {
    ClientRequest request;
    request.host = host;
    request.path = path;
    request.subprotocols = subprotocols;
    return write_client_request(request, nonce, out, key_out);
}

namespace {

// A field the handshake writes itself may not come again as an extra (a second Host or
// key would make the request one a server must refuse, RFC 9112 §3.2, RFC 6455 §11.3.1).
bool is_handshake_field(std::string_view name) noexcept {
    return ascii_iequals(name, "Host") || ascii_iequals(name, "Upgrade") || ascii_iequals(name, "Connection") ||
           ascii_iequals(name, "Origin") ||
           (name.size() >= 14 && ascii_iequals(name.substr(0, 14), "Sec-WebSocket-"));
}

}  // namespace

std::size_t write_client_request(const ClientRequest& request, std::span<const std::uint8_t, 16> nonce,
                                 std::span<char> out, std::array<char, 24>& key_out) noexcept {
    const std::string_view host = request.host;
    const std::string_view path = request.path;
    const std::span<const std::string_view> subprotocols = request.subprotocols;
    // §4.1 item 3 and RFC 9112 §3.2.1: the resource name, "/" at least. §3: a fragment
    // identifier "MUST NOT be used" on a WebSocket URI ("#" must be sent escaped, %23).
    if (host.empty() || has_ctl(host) || path.empty() || path[0] != '/' || has_ctl(path) ||
        path.find('#') != std::string_view::npos || path.find(' ') != std::string_view::npos ||
        has_ctl(request.origin))
        return 0;
    // §4.1 item 10: offered subprotocols "MUST be non-empty strings" of token characters
    // "and MUST all be unique strings".
    for (std::size_t i = 0; i < subprotocols.size(); ++i) {
        if (!is_token(subprotocols[i])) return 0;
        for (std::size_t j = 0; j < i; ++j) {
            if (subprotocols[j] == subprotocols[i]) return 0;
        }
    }
    for (const HttpHeader& h : request.headers) {
        if (!is_token(h.name) || is_handshake_field(h.name) || has_ctl(h.value)) return 0;
    }
    core::base64_encode(nonce, key_out);
    // §4.1: the client's opening handshake.
    SpanAppender w(out);
    w.put("GET ");
    w.put(path);
    w.put(" HTTP/1.1\r\nHost: ");
    w.put(host);
    w.put("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    w.put(std::string_view(key_out.data(), key_out.size()));
    w.put("\r\nSec-WebSocket-Version: 13\r\n");
    if (!subprotocols.empty()) {
        w.put("Sec-WebSocket-Protocol: ");
        for (std::size_t i = 0; i < subprotocols.size(); ++i) {
            if (i > 0) w.put(", ");
            w.put(subprotocols[i]);
        }
        w.put("\r\n");
    }
    if (!request.origin.empty()) {
        w.put("Origin: ");
        w.put(request.origin);
        w.put("\r\n");
    }
    for (const HttpHeader& h : request.headers) {
        w.put(h.name);
        w.put(": ");
        w.put(h.value);
        w.put("\r\n");
    }
    w.put("\r\n");
    return w.result();
}

// §4.1: the client MUST _Fail_ on each of items 2-6; §11.3.3 / §11.3.4: Sec-WebSocket-Accept and
// Sec-WebSocket-Protocol "MUST NOT appear more than once" in a response (twice fails).
ServerResponseCheck check_server_response(const HttpResponse& response, std::string_view key,
                                          std::span<const std::string_view> offered_subprotocols) noexcept {
    if (response.status != 101) return ServerResponseCheck::not_101;
    if (!response.header_has_token("Upgrade", "websocket")) return ServerResponseCheck::missing_upgrade;
    if (!response.header_has_token("Connection", "upgrade")) return ServerResponseCheck::missing_connection;
    const auto accept = response.header("Sec-WebSocket-Accept");
    const auto expected = compute_accept(key);
    if (response.header_count("Sec-WebSocket-Accept") != 1 ||
        *accept != std::string_view(expected.data(), expected.size()))
        return ServerResponseCheck::bad_accept;
    if (response.header_count("Sec-WebSocket-Extensions") != 0)
        return ServerResponseCheck::unexpected_extension;
    const std::size_t protocols = response.header_count("Sec-WebSocket-Protocol");
    if (protocols > 1) return ServerResponseCheck::unexpected_subprotocol;
    if (protocols == 1) {
        const std::string_view chosen = *response.header("Sec-WebSocket-Protocol");
        bool was_offered = false;
        for (const std::string_view p : offered_subprotocols) was_offered = was_offered || p == chosen;
        if (!was_offered) return ServerResponseCheck::unexpected_subprotocol;
    }
    return ServerResponseCheck::ok;
}

bool verify_server_response(const HttpResponse& response, std::string_view key) noexcept {
    return check_server_response(response, key) == ServerResponseCheck::ok;
}

}  // namespace sluice::proto
