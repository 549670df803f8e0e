// fuzz/address_fuzz.cpp — net::resolve_address and net::format_address (net/address.hpp):
// host text to sockaddr, sockaddr back to text.
// fuzz-links: net/address.cpp
//
// No lookup ever leaves the process: this file defines getaddrinfo/freeaddrinfo, which take
// the place of the C library's in this binary, answer from the input and record the call.
// Input: [flags] [port, 2 bytes BE] [host length n] [n host bytes] then answers, each
// [kind] [length] [length bytes] (kind % 4: AF_INET, AF_INET6, AF_UNIX, AF_INET6 with the
// length forced to sizeof(sockaddr_in6)); flags bit 0: passive, bit 1: the lookup fails.
// Asserted:
//   - a host with a NUL byte never resolves (the name is a string_view, not a C string);
//   - an IPv4 / IPv6 literal (brackets allowed) resolves without a lookup, and formats as
//     inet_ntop's text with the port, which resolves to the same sockaddr again;
//   - anything else is looked up once: name (null when empty and passive), the port as the
//     service, AI_NUMERICSERV | AI_PASSIVE as asked, SOCK_STREAM; the first IPv4/IPv6
//     answer that fits a sockaddr_storage is the result, byte for byte; the list is freed;
//   - parse_ip_literal accepts exactly the literals (no lookup) and gives resolve_address's
//     sockaddr; resolve_all answers a literal alone without a lookup, otherwise every
//     IPv4/IPv6 answer that fits, in order, or an error text when there is none;
//   - format_address on each answer's bytes (any length, an exact-size block) reads none
//     past them and answers "" or "address:port".
#include "net/address.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

struct Answer {
    int family = AF_INET;
    std::vector<std::uint8_t> bytes;  // the sockaddr, sa_family set to `family` when it fits
};

struct Lookup {  // the one call the stub saw, and what it answers
    std::vector<Answer> answers;
    bool fail = false;
    int calls = 0;
    int frees = 0;
    bool null_name = false;
    std::string name;
    std::string service;
    addrinfo hints{};
};
Lookup* current = nullptr;

struct Node {  // one answer's addrinfo and its exact-size sockaddr block
    addrinfo ai{};
    std::unique_ptr<std::uint8_t[]> addr;
};

}  // namespace

extern "C" int getaddrinfo(const char* name, const char* service, const addrinfo* hints, addrinfo** res) {
    SLUICE_FUZZ_CHECK(current != nullptr && hints != nullptr && service != nullptr);
    ++current->calls;
    current->null_name = name == nullptr;
    current->name = name ? name : "";
    current->service = service;
    current->hints = *hints;
    if (current->fail || current->answers.empty()) return EAI_NONAME;
    addrinfo* head = nullptr;
    for (std::size_t i = current->answers.size(); i-- > 0;) {
        const Answer& a = current->answers[i];
        auto* node = new Node;
        node->addr.reset(new std::uint8_t[a.bytes.size()]);  // exact: ASan sees an over-read
        if (!a.bytes.empty()) std::memcpy(node->addr.get(), a.bytes.data(), a.bytes.size());
        node->ai.ai_family = a.family;
        node->ai.ai_socktype = SOCK_STREAM;
        node->ai.ai_addrlen = static_cast<socklen_t>(a.bytes.size());
        node->ai.ai_addr = reinterpret_cast<sockaddr*>(node->addr.get());
        node->ai.ai_next = head;
        head = &node->ai;
    }
    *res = head;
    return 0;
}

extern "C" void freeaddrinfo(addrinfo* list) {
    SLUICE_FUZZ_CHECK(current != nullptr);
    ++current->frees;
    while (list != nullptr) {
        addrinfo* next = list->ai_next;
        delete reinterpret_cast<Node*>(list);  // ai is Node's first member
        list = next;
    }
}

namespace {

std::uint16_t port_of(const net::SocketAddress& a) {
    if (a.family() == AF_INET) {
        sockaddr_in v4;
        std::memcpy(&v4, &a.storage, sizeof v4);
        return ntohs(v4.sin_port);
    }
    sockaddr_in6 v6;
    std::memcpy(&v6, &a.storage, sizeof v6);
    return ntohs(v6.sin6_port);
}

// The literal's canonical text (inet_ntop of inet_pton), or "" when it is none.
std::string canonical(int family, const std::string& host) {
    std::uint8_t addr[16];
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_pton(family, host.c_str(), addr) != 1) return {};
    return inet_ntop(family, addr, text, sizeof text) ? std::string(text) : std::string();
}

void check_literal(const std::string& host, std::uint16_t port, const net::SocketAddress& out, bool v4) {
    const std::string text = canonical(v4 ? AF_INET : AF_INET6, host);
    SLUICE_FUZZ_CHECK(out.family() == (v4 ? AF_INET : AF_INET6));
    SLUICE_FUZZ_CHECK(out.length == (v4 ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)));
    SLUICE_FUZZ_CHECK(port_of(out) == port);
    const std::string formatted = net::format_address(reinterpret_cast<const sockaddr*>(&out.storage), out.length);
    const std::string port_text = ":" + std::to_string(port);
    SLUICE_FUZZ_CHECK(formatted == (v4 ? text : "[" + text + "]") + port_text);
    net::SocketAddress again;
    SLUICE_FUZZ_CHECK(net::resolve_address(formatted.substr(0, formatted.size() - port_text.size()), port, false, again));
    SLUICE_FUZZ_CHECK(again.length == out.length && std::memcmp(&again.storage, &out.storage, out.length) == 0);
}

void check_format(const Answer& a) {
    // Exactly the answer's bytes (none at all included): any read past them trips ASan.
    std::unique_ptr<std::uint8_t[]> block(new std::uint8_t[a.bytes.size()]);
    if (!a.bytes.empty()) std::memcpy(block.get(), a.bytes.data(), a.bytes.size());
    const std::string text = net::format_address(reinterpret_cast<const sockaddr*>(block.get()),
                                                 static_cast<socklen_t>(a.bytes.size()));
    if (text.empty()) return;
    SLUICE_FUZZ_CHECK(text.find(':') != std::string::npos);
    SLUICE_FUZZ_CHECK(a.family == AF_INET ? a.bytes.size() >= sizeof(sockaddr_in) : a.bytes.size() >= sizeof(sockaddr_in6));
}

// parse_ip_literal and resolve_all on the same host, after resolve_address gave `resolved`
// (null when it failed): a literal parses to the very same sockaddr, anything else is no
// literal; resolve_all looks up what is no literal and keeps every answer that fits.
void check_literal_and_all(const std::string& host, std::uint16_t port, Lookup& lookup,
                           const net::SocketAddress* resolved, bool has_nul) {
    std::string bare = host;
    if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
    const bool literal = !has_nul && !host.empty() && (!canonical(AF_INET, bare).empty() || !canonical(AF_INET6, bare).empty());
    const int calls_before = lookup.calls;
    net::SocketAddress parsed;
    SLUICE_FUZZ_CHECK(net::parse_ip_literal(host, port, parsed) == literal);
    SLUICE_FUZZ_CHECK(lookup.calls == calls_before);
    if (literal) {
        SLUICE_FUZZ_CHECK(resolved != nullptr && parsed.length == resolved->length &&
                          std::memcmp(&parsed.storage, &resolved->storage, parsed.length) == 0);
    }
    const int frees_before = lookup.frees;
    std::vector<net::SocketAddress> all;
    const std::string error = net::resolve_all(host, port, all);
    if (host.empty() || has_nul) {
        SLUICE_FUZZ_CHECK(!error.empty() && all.empty() && lookup.calls == calls_before);
        return;
    }
    if (literal) {
        SLUICE_FUZZ_CHECK(error.empty() && all.size() == 1 && lookup.calls == calls_before);
        SLUICE_FUZZ_CHECK(all[0].length == parsed.length && std::memcmp(&all[0].storage, &parsed.storage, parsed.length) == 0);
        return;
    }
    SLUICE_FUZZ_CHECK(lookup.calls == calls_before + 1 && lookup.name == host && !lookup.null_name);
    SLUICE_FUZZ_CHECK(lookup.service == std::to_string(port) && lookup.hints.ai_flags == AI_NUMERICSERV);
    std::size_t fitting = 0;
    if (!lookup.fail) {
        for (const Answer& a : lookup.answers) {
            if ((a.family != AF_INET && a.family != AF_INET6) || a.bytes.size() > sizeof(sockaddr_storage)) continue;
            SLUICE_FUZZ_CHECK(fitting < all.size() && all[fitting].length == a.bytes.size());
            SLUICE_FUZZ_CHECK(a.bytes.empty() || std::memcmp(&all[fitting].storage, a.bytes.data(), a.bytes.size()) == 0);
            ++fitting;
        }
    }
    SLUICE_FUZZ_CHECK(all.size() == fitting && error.empty() == (fitting > 0));
    SLUICE_FUZZ_CHECK(lookup.frees == frees_before + (lookup.fail || lookup.answers.empty() ? 0 : 1));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    Lookup lookup;
    const bool passive = (data[0] & 1) != 0;
    lookup.fail = (data[0] & 2) != 0;
    const auto port = static_cast<std::uint16_t>((data[1] << 8) | data[2]);
    const std::size_t n = data[3] < size - 4 ? data[3] : size - 4;
    const std::string host(reinterpret_cast<const char*>(data + 4), n);
    for (std::size_t at = 4 + n; at + 2 <= size && lookup.answers.size() < 4;) {
        Answer a;
        constexpr int kFamilies[] = {AF_INET, AF_INET6, AF_UNIX, AF_INET6};
        a.family = kFamilies[data[at] % 4];
        std::size_t len = data[at + 1] < size - at - 2 ? data[at + 1] : size - at - 2;
        a.bytes.assign(data + at + 2, data + at + 2 + len);
        at += 2 + len;
        if (data[at - 2 - len] % 4 == 3) a.bytes.resize(sizeof(sockaddr_in6));
        if (a.bytes.size() >= sizeof(sa_family_t)) {
            const auto family = static_cast<sa_family_t>(a.family);
            std::memcpy(a.bytes.data() + offsetof(sockaddr, sa_family), &family, sizeof family);
        }
        lookup.answers.push_back(std::move(a));
    }
    current = &lookup;

    net::SocketAddress out;
    const bool ok = net::resolve_address(host, port, passive, out);
    std::string bare = host;
    if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
    const bool has_nul = host.find('\0') != std::string::npos;
    if (has_nul) {
        SLUICE_FUZZ_CHECK(!ok);
    } else if (!canonical(AF_INET, bare).empty() || !canonical(AF_INET6, bare).empty()) {
        SLUICE_FUZZ_CHECK(ok && lookup.calls == 0);
        check_literal(bare, port, out, !canonical(AF_INET, bare).empty());
    } else {
        SLUICE_FUZZ_CHECK(lookup.calls == 1);
        SLUICE_FUZZ_CHECK(lookup.null_name == bare.empty() && lookup.name == bare);
        SLUICE_FUZZ_CHECK(lookup.service == std::to_string(port));
        SLUICE_FUZZ_CHECK(lookup.hints.ai_flags == (AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)));
        SLUICE_FUZZ_CHECK(lookup.hints.ai_socktype == SOCK_STREAM && lookup.hints.ai_family == AF_UNSPEC);
        SLUICE_FUZZ_CHECK(lookup.frees == (lookup.fail || lookup.answers.empty() ? 0 : 1));
        const Answer* first = nullptr;
        for (const Answer& a : lookup.answers) {
            if (!lookup.fail && first == nullptr && (a.family == AF_INET || a.family == AF_INET6) &&
                a.bytes.size() <= sizeof(sockaddr_storage))
                first = &a;
        }
        SLUICE_FUZZ_CHECK(ok == (first != nullptr));
        if (first != nullptr) {
            SLUICE_FUZZ_CHECK(out.length == first->bytes.size());
            SLUICE_FUZZ_CHECK(first->bytes.empty() || std::memcmp(&out.storage, first->bytes.data(), out.length) == 0);
        }
    }
    check_literal_and_all(host, port, lookup, ok ? &out : nullptr, has_nul);
    for (const Answer& a : lookup.answers) check_format(a);
    current = nullptr;
    return 0;
}
