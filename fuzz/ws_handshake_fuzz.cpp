// fuzz/ws_handshake_fuzz.cpp — the opening handshake, request bytes to response bytes (RFC 6455 §4).
//
// Input: [flags] [request bytes]. flags choose the server's policy (an Origin allow-list,
// require_origin, a subprotocol preference list). The request is parsed
// (HttpRequestParser); a complete head goes through is_upgrade_request, evaluate_upgrade and
// write_handshake_response, and the response bytes are parsed back as a client would
// (HttpResponseParser). Asserted:
//   - the response is one complete, well-formed HTTP/1.1 head whose status is the decision's;
//   - 101 only for: GET, HTTP/1.1, Sec-WebSocket-Version exactly 13, one Sec-WebSocket-Key
//     that strictly decodes to 16 bytes, an Origin the policy allows; then the response
//     passes the client's own check (check_server_response) with the client's offer, its
//     accept is compute_accept(key), and the chosen subprotocol was offered and is listed;
//   - otherwise the status is 400, 403 or 426, and 426 names Sec-WebSocket-Version: 13 (§4.4).
// Then the client side: write_client_request with the input's bytes as host and nonce (and,
// by flags bits 3-7, an Origin, an extra field, subprotocol lists that break §4.1 item 10)
// must either refuse (0) or produce a request that the server side accepts with 101; a bad
// extra or list is always refused. Flags bit 3 also gives an accepted upgrade an extension
// answer, which the response must carry as its own field.
#include "proto/ws_handshake.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64.hpp"
#include "fuzz/fuzz_input.hpp"
#include "proto/http_target.hpp"
#include "proto/http_parser.hpp"
#include "proto/http_response.hpp"

namespace {

using namespace sluice;

constexpr std::string_view kOrigins[] = {"http://127.0.0.1", "https://example.com"};
constexpr std::string_view kProtocols[] = {"superchat", "chat"};

bool has_token_list_entry(const proto::HttpRequest& q, std::string_view name, std::string_view token) {
  return q.header_has_token(name, token);
}

// Parses `response` fully; returns the decision's status as the client sees it.
void check_response(std::span<const char> bytes, const proto::HandshakeDecision& d,
                    const proto::HttpRequest& request) {
  std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
  proto::HttpResponseParser parser;
  std::array<proto::HttpHeader, 32> storage{};
  proto::HttpResponse response;
  const proto::HeadResult r = parser.parse_head(copy, storage, response);
  SLUICE_FUZZ_CHECK(r.status == proto::ParseStatus::done);
  SLUICE_FUZZ_CHECK(response.status == d.status);
  SLUICE_FUZZ_CHECK(response.version == proto::HttpVersion::http11);
  if (d.status != 101) {
    SLUICE_FUZZ_CHECK(d.status == 400 || d.status == 403 || d.status == 426);
    if (d.status == 426) SLUICE_FUZZ_CHECK(response.header("Sec-WebSocket-Version") == std::string_view("13"));
    return;
  }
  SLUICE_FUZZ_CHECK(r.consumed == copy.size());  // a 101 has no body: the stream follows
  const auto key = request.header("Sec-WebSocket-Key");
  SLUICE_FUZZ_CHECK(key.has_value());
  // The client's offer, as the server read it (a token list across repeats).
  std::vector<std::string_view> offered;
  for (std::string_view p : kProtocols)
    if (has_token_list_entry(request, "Sec-WebSocket-Protocol", p)) offered.push_back(p);
  if (!d.subprotocol.empty()) {
    SLUICE_FUZZ_CHECK(d.subprotocol == kProtocols[0] || d.subprotocol == kProtocols[1]);
    SLUICE_FUZZ_CHECK(has_token_list_entry(request, "Sec-WebSocket-Protocol", d.subprotocol));
    SLUICE_FUZZ_CHECK(response.header("Sec-WebSocket-Protocol") == d.subprotocol);
  } else {
    SLUICE_FUZZ_CHECK(!response.header("Sec-WebSocket-Protocol").has_value());
  }
  SLUICE_FUZZ_CHECK(proto::check_server_response(response, *key, offered) == proto::ServerResponseCheck::ok);
  const std::array<char, 28> accept = proto::compute_accept(*key);
  SLUICE_FUZZ_CHECK(response.header("Sec-WebSocket-Accept") == std::string_view(accept.data(), accept.size()));
}

void check_accept_rules(const proto::HttpRequest& q, const proto::HandshakePolicy& policy) {
  SLUICE_FUZZ_CHECK(q.method == "GET" && q.version == proto::HttpVersion::http11);
  SLUICE_FUZZ_CHECK(q.header_count("Sec-WebSocket-Version") == 1 && q.header("Sec-WebSocket-Version") == std::string_view("13"));
  SLUICE_FUZZ_CHECK(q.header_count("Sec-WebSocket-Key") == 1);
  std::array<std::uint8_t, 32> nonce{};
  const auto n = core::base64_decode(*q.header("Sec-WebSocket-Key"), nonce);
  SLUICE_FUZZ_CHECK(n && *n == 16);
  SLUICE_FUZZ_CHECK(q.header_has_token("Upgrade", "websocket") && q.header_has_token("Connection", "Upgrade"));
  if (!policy.allowed_origins.empty()) {
    const auto origin = q.header("Origin");
    SLUICE_FUZZ_CHECK(origin.has_value() || !policy.require_origin);
  }
}

// The client's extras, chosen by flags bits 3-7 (bad ones must make write_client_request refuse).
constexpr std::string_view kBadProtocols[] = {"chat", "chat"};       // §4.1 item 10: not unique
constexpr std::string_view kNonTokenProtocols[] = {"chat", "a b"};   // not a token
constexpr proto::HttpHeader kExtras[][1] = {
    {{"X-Trace", "1"}}, {{"Sec-WebSocket-Extensions", "permessage-deflate"}},  // the handshake's own
    {{"Bad Name", "x"}}, {{"X-Bad", "a\r\nb"}}};

void client_round_trip(std::span<const std::uint8_t> input, std::uint8_t flags) {
  if (input.size() < 16) return;
  std::span<const std::uint8_t, 16> nonce(input.data(), 16);
  const std::string_view rest(reinterpret_cast<const char*>(input.data() + 16),
                              input.size() - 16 < 64 ? input.size() - 16 : 64);
  const std::string_view host = rest.substr(0, rest.find('/'));
  const std::string_view path = rest.find('/') == std::string_view::npos ? "/" : rest.substr(rest.find('/'));
  proto::ClientRequest ask;
  ask.host = host;
  ask.path = path;
  ask.subprotocols = (flags & 0x80) ? std::span<const std::string_view>(kBadProtocols)
                   : (flags & 0x40) ? std::span<const std::string_view>(kNonTokenProtocols)
                                    : std::span<const std::string_view>(kProtocols);
  // bit 3: an Origin (the path's bytes: it may hold a CR or LF, which must be refused)
  if (flags & 8) ask.origin = path.substr(1);
  // bits 4-5: an extra field, good (X-Trace) or not (a handshake field, a non-token name, a CR)
  const unsigned extra = (flags >> 4) & 3u;
  // (extra 3 with bit 3 set: the CR in a value instead of the non-token name)
  if (extra > 0) ask.headers = kExtras[extra - 1 + ((flags & 8) != 0 && extra == 3 ? 1 : 0)];
  const bool must_refuse = (flags & 0xC0) != 0 || extra >= 2;
  std::array<char, 1024> out{};
  std::array<char, 24> key{};
  // No extras: the short overload (host, path, subprotocols), which must write the same.
  const std::size_t n = (flags & 0xF8) == 0
      ? proto::write_client_request(host, path, nonce, std::span<const std::string_view>(kProtocols), out, key)
      : proto::write_client_request(ask, nonce, out, key);
  if (n == 0) return;
  SLUICE_FUZZ_CHECK(!must_refuse);
  SLUICE_FUZZ_CHECK(n <= out.size());
  // The key is Base64 of exactly the nonce.
  std::array<std::uint8_t, 18> decoded{};
  const auto m = core::base64_decode(std::string_view(key.data(), key.size()), decoded);
  SLUICE_FUZZ_CHECK(m && *m == 16 && std::memcmp(decoded.data(), nonce.data(), 16) == 0);
  std::vector<std::uint8_t> request_bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
  proto::HttpRequestParser parser;
  std::array<proto::HttpHeader, 100> storage{};
  proto::HttpRequest request;
  const proto::HeadResult r = parser.parse_head(request_bytes, storage, request);
  // The Host header is only what the caller gave; the server may still refuse a bad one.
  if (r.status != proto::ParseStatus::done) {
    SLUICE_FUZZ_CHECK(!proto::is_valid_host(host) || r.status == proto::ParseStatus::error);
    return;
  }
  SLUICE_FUZZ_CHECK(r.consumed == n && proto::is_upgrade_request(request));
  if (extra == 1) SLUICE_FUZZ_CHECK(request.header("X-Trace") == std::string_view("1"));
  const proto::HandshakePolicy policy{{}, std::span<const std::string_view>(kProtocols), false};
  const proto::HandshakeDecision d = proto::evaluate_upgrade(request, policy);
  SLUICE_FUZZ_CHECK(d.status == 101 && d.subprotocol == kProtocols[0]);
  std::array<char, 1024> response{};
  const std::size_t w = proto::write_handshake_response(d, response);
  SLUICE_FUZZ_CHECK(w > 0);
  check_response(std::span<const char>(response.data(), w), d, request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  proto::HandshakePolicy policy;
  if (flags & 1) policy.allowed_origins = kOrigins;
  if (flags & 2) policy.require_origin = true;
  if (flags & 4) policy.subprotocols = kProtocols;

  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  proto::HttpRequestParser parser;
  std::array<proto::HttpHeader, 100> storage{};
  proto::HttpRequest request;
  const proto::HeadResult r = parser.parse_head(input, storage, request);
  if (r.status == proto::ParseStatus::done) {
    const bool upgrade = proto::is_upgrade_request(request);
    const proto::HandshakeDecision d = proto::evaluate_upgrade(request, policy);
    if (d.status == 101) {
      SLUICE_FUZZ_CHECK(upgrade);
      check_accept_rules(request, policy);
    }
    std::array<char, 2048> response{};
    const std::size_t w = proto::write_handshake_response(d, response);
    SLUICE_FUZZ_CHECK(w > 0 && w <= response.size());
    check_response(std::span<const char>(response.data(), w), d, request);
    if (d.status == 101 && (flags & 8)) {
      // An accepted extension (the owner's RFC 7692 answer) is written as its own field.
      proto::HandshakeDecision with = d;
      with.extensions = "permessage-deflate; server_no_context_takeover";
      std::array<char, 2048> answer{};
      const std::size_t n = proto::write_handshake_response(with, answer);
      std::vector<std::uint8_t> copy(answer.begin(), answer.begin() + static_cast<std::ptrdiff_t>(n));
      proto::HttpResponseParser client;
      std::array<proto::HttpHeader, 32> fields{};
      proto::HttpResponse seen;
      SLUICE_FUZZ_CHECK(client.parse_head(copy, fields, seen).status == proto::ParseStatus::done);
      SLUICE_FUZZ_CHECK(seen.status == 101 && seen.header("Sec-WebSocket-Extensions") == with.extensions);
    }
    // Too little room: nothing, never a truncated response.
    std::vector<char> tight(w - 1);
    SLUICE_FUZZ_CHECK(proto::write_handshake_response(d, tight) == 0);
  }
  client_round_trip(bytes, flags);
  return 0;
}
