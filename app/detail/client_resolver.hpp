// app/detail/client_resolver.hpp — a host name resolved off the loop thread.
//
//   start() ─▶ IP literal: answered through reactor.post (no thread, no lookup)
//          └─▶ a name: getaddrinfo (net::resolve_all) on a helper thread ─▶ reactor.post ─▶ done
//
// getaddrinfo blocks (a slow DNS server: seconds), and no loop thread may block. The helper
// thread is detached: a lookup cannot be interrupted, so cancel() only makes sure its answer
// is never delivered, and never reaches a reactor that is gone (the thread posts under the
// lock that cancel() takes).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "net/reactor.hpp"

namespace sluice::detail {

struct Resolved {
    std::vector<net::SocketAddress> addresses;   // in the order to try
    std::string error;                           // "" or why nothing resolved
};

class HostResolver {  // Owns the link to at most one lookup in flight; loop thread only.
 public:
    using Done = std::function<void(Resolved)>;
    HostResolver() = default;
    ~HostResolver() { cancel(); }
    HostResolver(const HostResolver&) = delete;
    HostResolver& operator=(const HostResolver&) = delete;

    // Resolves host:port; `done` runs on the reactor's loop thread, unless cancelled first.
    void start(net::Reactor& reactor, std::string host, std::uint16_t port, Done done);
    void cancel() noexcept;   // drops the answer of the lookup in flight, if any

 private:
    struct Link;   // shared by this object, the helper thread and the posted answer
    std::shared_ptr<Link> link_;
};

}  // namespace sluice::detail
