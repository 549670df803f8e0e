#include "net/address.hpp"

#include <cstring>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

namespace sluice::net {

bool resolve_address(std::string_view host, std::uint16_t port, bool passive, SocketAddress& out) {
    out = SocketAddress{};
    // inet_pton and getaddrinfo read C strings: past a NUL they would resolve a shorter name
    // than the one given ("127.0.0.1\0x" as 127.0.0.1). No host name contains one.
    if (host.find('\0') != std::string_view::npos) return false;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string text(host);

    sockaddr_in v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        std::memcpy(&out.storage, &v4, sizeof v4);
        out.length = sizeof v4;
        return true;
    }
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        std::memcpy(&out.storage, &v6, sizeof v6);
        out.length = sizeof v6;
        return true;
    }

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (getaddrinfo(text.empty() ? nullptr : text.c_str(), service.c_str(), &hints, &found) != 0) return false;
    bool ok = false;
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) && ai->ai_addrlen <= sizeof out.storage) {
            std::memcpy(&out.storage, ai->ai_addr, ai->ai_addrlen);
            out.length = ai->ai_addrlen;
            ok = true;
            break;
        }
    }
    freeaddrinfo(found);
    return ok;
}

bool parse_ip_literal(std::string_view host, std::uint16_t port, SocketAddress& out) {
    if (host.empty() || host.find('\0') != std::string_view::npos) return false;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string text(host);
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, text.c_str(), &a4) != 1 && inet_pton(AF_INET6, text.c_str(), &a6) != 1) return false;
    return resolve_address(host, port, false, out);   // the same literal, parsed into `out`
}

std::string resolve_all(std::string_view host, std::uint16_t port, std::vector<SocketAddress>& out) {
    out.clear();
    if (host.empty() || host.find('\0') != std::string_view::npos) return "not a host name";
    SocketAddress literal;
    if (parse_ip_literal(host, port, literal)) {
        out.push_back(literal);
        return {};
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string text(host);
    const std::string service = std::to_string(port);
    if (const int rc = getaddrinfo(text.c_str(), service.c_str(), &hints, &found); rc != 0) return gai_strerror(rc);
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) && ai->ai_addrlen <= sizeof(sockaddr_storage)) {
            SocketAddress a;
            std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
            a.length = ai->ai_addrlen;
            out.push_back(a);
        }
    }
    freeaddrinfo(found);
    return out.empty() ? "no IPv4 or IPv6 address" : "";
}

std::string format_address(const sockaddr* address, socklen_t length) {
    char text[INET6_ADDRSTRLEN] = {};
    if (length < sizeof(sa_family_t)) return {};  // not even the family is there to read
    if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
        sockaddr_in v4;
        std::memcpy(&v4, address, sizeof v4);
        if (inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text) == nullptr) return {};
        return std::string(text) + ':' + std::to_string(ntohs(v4.sin_port));
    }
    if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
        sockaddr_in6 v6;
        std::memcpy(&v6, address, sizeof v6);
        if (inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text) == nullptr) return {};
        return '[' + std::string(text) + "]:" + std::to_string(ntohs(v6.sin6_port));
    }
    return {};
}

}  // namespace sluice::net
