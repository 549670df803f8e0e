// Socket addresses: a host string and port to a sockaddr, and a sockaddr back to text.
// Used by net/socket.cpp and net/listener.cpp; IPv4 and IPv6 alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>

namespace sluice::net {

// Owns nothing: a sockaddr held by value.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family() const noexcept { return storage.ss_family; }
};

// An IPv4 or IPv6 literal ("[::1]" brackets allowed) is parsed without any lookup; anything
// else goes through getaddrinfo (blocking: startup and tests only). `passive` with an empty
// host means the wildcard address (IPv6 "::" when available). False when nothing resolves.
bool resolve_address(std::string_view host, std::uint16_t port, bool passive, SocketAddress& out);

// An IPv4 or IPv6 literal (brackets allowed) only: true and `out` set, never a lookup.
bool parse_ip_literal(std::string_view host, std::uint16_t port, SocketAddress& out);

// Every IPv4 and IPv6 address of `host`, in getaddrinfo's order (RFC 6724: preferred first);
// a literal is itself. Blocks on a name: the client calls it on a helper thread. "" and `out`
// filled, or the resolver's reason (gai_strerror) and `out` empty.
std::string resolve_all(std::string_view host, std::uint16_t port, std::vector<SocketAddress>& out);

// "1.2.3.4:80" or "[::1]:80"; empty for other families.
std::string format_address(const sockaddr* address, socklen_t length);

}  // namespace sluice::net
