// proto/ws_handshake.hpp — RFC 6455 §4: the opening handshake, server (§4.2) and client (§4.1).
//
// Server side, on top of the HTTP request parser:
//
//   request ──► is_upgrade_request? ──► evaluate_upgrade(request, policy) ──► HandshakeDecision
//                 (router asks first)         │ 101: accept + chosen subprotocol
//                                             │ 400 / 403 / 426: a short reason
//                                             ▼
//                                  write_handshake_response(decision, out) ──► bytes to send
//
// Decisions taken here (each cites the rule it follows):
//  - Any failure other than the version or the Origin is 400 with a short reason as body,
//    including a method other than GET (§4.2.1 item 1 only defines GET; the issue asks 400).
//  - A missing or wrong Sec-WebSocket-Version is 426 with "Sec-WebSocket-Version: 13"
//    (§4.4) and "Upgrade: websocket" (RFC 9110 §15.5.22).
//  - Sec-WebSocket-Key must appear once and decode (strict Base64) to exactly 16 bytes
//    (§4.2.1 item 5); Sec-WebSocket-Version must appear once, exactly "13".
//  - A request body (chunked, or Content-Length above 0) is refused with 400: the bytes
//    after the head belong to the WebSocket stream, so a body cannot be framed.
//  - Origin (§4.2.2 item 4, §10.2): with a non-empty allow-list, a listed Origin (ASCII
//    case-insensitive) passes, another is 403. A request without Origin (a non-browser
//    client) passes unless policy.require_origin is set.
//  - Subprotocols (§4.2.2 step 4, /subprotocol/: "The value chosen MUST be derived from the
//    client's handshake"; echoed per step 5 item 5): the first entry of the server's
//    preference list that the client offered, compared case-sensitively (they are tokens the
//    application defines); none if there is no match, and then no header ("it MUST NOT send
//    back a |Sec-WebSocket-Protocol| header field"). One not offered is never echoed.
//  - Extensions (§9): none are accepted yet, so Sec-WebSocket-Extensions is never answered
//    (permessage-deflate offers are declined by omission; unknown ones are ignored).
// Client side: write_client_request builds the GET with a caller-supplied 16-byte nonce
// (proto/ has no randomness source), and verify_server_response checks the 101 (§4.1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/http_request.hpp"
#include "proto/http_response.hpp"

namespace sluice::proto {

// §1.3 / §4.2.2: appended to the key before hashing.
inline constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

struct HandshakePolicy {  // Does not own the lists: the caller keeps them alive.
    std::span<const std::string_view> allowed_origins;  // empty = any origin
    std::span<const std::string_view> subprotocols;     // server preference order
    bool require_origin = false;  // with an allow-list: refuse (403) requests without Origin
};

struct HandshakeDecision {          // Does not own anything: `reason` is static, `subprotocol` a
                                    // view into the policy's list.
    int status = 400;               // 101 accept; 400, 403 or 426 refuse
    std::string_view reason;        // short text for the 4xx body; empty on 101
    std::string_view subprotocol;   // chosen, or empty
    std::array<char, 28> accept{};  // Sec-WebSocket-Accept (when 101)
    // The Sec-WebSocket-Extensions answer (RFC 6455 §9.1), or empty: the owner sets it from
    // what it accepted (RFC 7692 write_deflate_answer); a view the owner keeps alive.
    std::string_view extensions;
};

// The router asks this first: does the request ask for a WebSocket (Upgrade: websocket)?
// Such a request then goes to evaluate_upgrade, which explains any other defect.
bool is_upgrade_request(const HttpRequest& request) noexcept;

// §4.2.1 / §4.2.2: judges an upgrade request against the policy.
HandshakeDecision evaluate_upgrade(const HttpRequest& request, const HandshakePolicy& policy) noexcept;

// Writes the 101 (with Upgrade, Connection, Sec-WebSocket-Accept, the chosen protocol and
// the accepted extensions)
// or the error response (through write_error_response, the HTTP writer's one builder) at
// the front of `out`. Returns the bytes written, or 0 if they do not fit.
std::size_t write_handshake_response(const HandshakeDecision& d, std::span<char> out) noexcept;

// §4.2.2 item 5.4: base64(SHA-1(key + GUID)), with core/'s SHA-1 and Base64.
std::array<char, 28> compute_accept(std::string_view client_key) noexcept;

// §4.1: the client's opening handshake. `nonce` is 16 random bytes from the caller; the
// key (its Base64) goes to key_out for verify_server_response. `subprotocols` are offered
// in order (none: no header). Returns the bytes written to `out`, or 0 if they do not fit
// or a field would be malformed (CR, LF or NUL in host or path, a path not starting with
// '/' or holding a '#', a subprotocol that is not a token, or one offered twice).
std::size_t write_client_request(std::string_view host, std::string_view path,
                                 std::span<const std::uint8_t, 16> nonce,
                                 std::span<const std::string_view> subprotocols, std::span<char> out,
                                 std::array<char, 24>& key_out) noexcept;

// The same request with the optional fields a client may add (app/'s client: Server::connect).
struct ClientRequest {  // Does not own anything: views the caller keeps alive during the call.
    std::string_view host;                          // Host's value, "name" or "name:port" (§4.1 item 4)
    std::string_view path;                          // the resource name: path and query, "/" at least
    std::span<const std::string_view> subprotocols;  // offered in order (item 10)
    std::string_view origin;                        // item 8: empty = no Origin field
    // Extra fields, written as given: a name must be a token and not one the handshake
    // writes itself (Host, Upgrade, Connection, Sec-WebSocket-*), a value has no CR, LF or
    // NUL; otherwise nothing is written (0). (A permessage-deflate offer, once the client
    // makes one, is its own field here: Sec-WebSocket-Extensions is refused as an extra.)
    std::span<const HttpHeader> headers;
};
std::size_t write_client_request(const ClientRequest& request, std::span<const std::uint8_t, 16> nonce,
                                 std::span<char> out, std::array<char, 24>& key_out) noexcept;

// §4.1 (client requirements on the server's response), one value per rule.
enum class ServerResponseCheck : std::uint8_t {
    ok,
    not_101,                 // item 1: "If the status code received from the server is not 101"
    missing_upgrade,         // item 2: Upgrade must contain "websocket"
    missing_connection,      // item 3: Connection must contain "Upgrade"
    bad_accept,              // item 4: Sec-WebSocket-Accept missing, repeated or wrong
    unexpected_extension,    // item 5: an extension we did not offer (we offer none)
    unexpected_subprotocol,  // item 6: a subprotocol we did not offer, or more than one
};
ServerResponseCheck check_server_response(
    const HttpResponse& response, std::string_view key,
    std::span<const std::string_view> offered_subprotocols = {}) noexcept;

// True when check_server_response says ok with no subprotocols offered.
bool verify_server_response(const HttpResponse& response, std::string_view key) noexcept;

}  // namespace sluice::proto
