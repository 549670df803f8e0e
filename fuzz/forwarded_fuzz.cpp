// fuzz/forwarded_fuzz.cpp — TrustedProxies::resolve (app/trusted_proxies.hpp): the reading of
// X-Forwarded-For, Forwarded (RFC 7239) and X-Forwarded-Proto from a trusted peer.
// fuzz-links: app/trusted_proxies.cpp
//
// Input: lines. The first byte picks the peer (even: the trusted 127.0.0.1, odd: the
// untrusted 192.0.2.1); each following line is one field, its first byte naming it
// (F: Forwarded, X: X-Forwarded-For, anything else: X-Forwarded-Proto), the rest its value.
// Asserted:
//   - from the untrusted peer nothing is read: no address, http;
//   - from the trusted one the address is empty, "unknown", an RFC 7239 §6 obfuscated
//     identifier ("_" then ALPHA / DIGIT / "." / "_" / "-", at most 64 bytes), or an IP
//     literal in its canonical text (inet_pton then inet_ntop gives it back);
//   - the answer does not depend on the peer's port;
//   - each field value, read as a trusted_proxies entry (TrustedProxies::assign, an address
//     or CIDR range): accepted, the range trusts its own address (any prefix length, a
//     partial byte included); refused, with a message naming the entry, nothing is trusted.
#include "app/trusted_proxies.hpp"

#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice;

bool canonical_ip(const std::string& s) {
    unsigned char bytes[16];
    char back[INET6_ADDRSTRLEN] = {};
    if (::inet_pton(AF_INET, s.c_str(), bytes) == 1) return ::inet_ntop(AF_INET, bytes, back, sizeof back) && s == back;
    if (::inet_pton(AF_INET6, s.c_str(), bytes) == 1) return ::inet_ntop(AF_INET6, bytes, back, sizeof back) && s == back;
    return false;
}

bool identifier(const std::string& s) {
    if (s == "unknown") return true;
    if (s.size() < 2 || s.size() > 64 || s[0] != '_') return false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

const TrustedProxies& trusted() {
    static const TrustedProxies t = [] {
        TrustedProxies p;
        p.assign({"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"});
        return p;
    }();
    return t;
}

void check_entry(const std::string& entry) {
    TrustedProxies t;
    const std::string error = t.assign({entry});
    if (!error.empty()) {
        SLUICE_FUZZ_CHECK(error.find(entry) != std::string::npos);
        SLUICE_FUZZ_CHECK(!t.trusts("127.0.0.1") && !t.trusts("::1"));
        return;
    }
    const std::string base = entry.substr(0, entry.find('/'));
    SLUICE_FUZZ_CHECK(t.trusts(base));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool trusted_peer = (data[0] & 1) == 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::vector<std::string> values;
    std::vector<proto::HttpHeader> headers;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (end > at) values.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    for (const std::string& v : values) {
        const std::string_view name = v[0] == 'F' ? "Forwarded" : v[0] == 'X' ? "X-Forwarded-For" : "X-Forwarded-Proto";
        headers.push_back({name, std::string_view(v).substr(1)});
    }
    for (const std::string& v : values) check_entry(v.substr(1));
    const char* peer = trusted_peer ? "127.0.0.1:1000" : "192.0.2.1:1000";
    const ForwardedOrigin o = trusted().resolve(peer, headers);
    if (!trusted_peer) {
        SLUICE_FUZZ_CHECK(o.address.empty() && !o.https);
        return 0;
    }
    SLUICE_FUZZ_CHECK(o.address.empty() || identifier(o.address) || canonical_ip(o.address));
    const ForwardedOrigin again = trusted().resolve("127.0.0.1:65535", headers);
    SLUICE_FUZZ_CHECK(again.address == o.address && again.https == o.https);
    return 0;
}
