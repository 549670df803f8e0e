// app/trusted_proxies.hpp — the trusted_proxies setting: which peers may say who the client
// is. From a trusted peer only, X-Forwarded-For or Forwarded (RFC 7239 §5.2 for=, preferred
// when both are present) name the client, and X-Forwarded-Proto or Forwarded's proto= its
// scheme; from any other peer those fields are ignored (a client could write them itself).
//
//   server.trusted_proxies({"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"});
//
// The client is the right-most address of the list that is not itself a trusted proxy
// (each proxy appends the address it received from, so what is right of the first untrusted
// hop was written by proxies we trust, and what is left of it by whoever that hop was); if
// every hop is trusted, the left-most. A hop that is neither an IP literal nor an RFC 7239
// §6 identifier ("unknown", "_hidden") makes the fields unusable: the socket's peer stays.
// The result is the address without a port ("203.0.113.7", "2001:db8::1"); an IPv4-mapped
// IPv6 address ("::ffff:10.0.0.1") is read as IPv4, in the setting and in the fields.
// A quoted Forwarded value holding a comma is not split correctly (and so ignored).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/http_request.hpp"

namespace sluice {

struct ForwardedOrigin {           // What a trusted proxy said about the client.
    std::string address;           // empty: none usable (the socket's peer stands)
    bool https = false;            // "https" (or "wss") in X-Forwarded-Proto / proto=
};

class TrustedProxies {  // Owns the parsed ranges; read-only once the server starts (every thread reads it).
 public:
    // Parses the setting's entries ("10.0.0.1", "10.0.0.0/8", "::1", "[::1]", "fd00::/8");
    // "" or a sentence naming the first bad one.
    std::string assign(const std::vector<std::string>& entries);
    bool empty() const noexcept { return ranges_.empty(); }
    // An IP literal without a port (brackets allowed): inside one of the ranges?
    bool trusts(std::string_view address) const noexcept;
    // For a request from `peer` ("1.2.3.4:5678", "[::1]:5678", as Context::peer_address)
    // with `headers`: what a trusted peer said; nothing (empty address, http) from another.
    ForwardedOrigin resolve(std::string_view peer, std::span<const proto::HttpHeader> headers) const;

 private:
    struct Range {
        std::array<std::uint8_t, 16> bytes{};   // IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d)
        unsigned prefix = 128;                  // leading bits that must match
    };
    std::vector<Range> ranges_;
};

}  // namespace sluice
