// app/detail/client_resolver.cpp — see client_resolver.hpp.
#include "app/detail/client_resolver.hpp"

#include <mutex>
#include <thread>
#include <utility>

namespace sluice::detail {

struct HostResolver::Link {
    std::mutex mutex;
    net::Reactor* reactor = nullptr;   // null once cancelled: the helper thread posts nothing
    Done done;                         // loop thread only
};

void HostResolver::start(net::Reactor& reactor, std::string host, std::uint16_t port, Done done) {
    cancel();
    auto link = std::make_shared<Link>();
    link->reactor = &reactor;
    link->done = std::move(done);
    link_ = link;
    // Delivered on the loop thread, only if this lookup is still the one wanted.
    auto deliver = [link](Resolved r) {
        Done fn;
        {
            std::lock_guard<std::mutex> lock(link->mutex);
            if (link->reactor == nullptr) return;
            link->reactor = nullptr;
            fn = std::move(link->done);
        }
        if (fn) fn(std::move(r));
    };
    net::SocketAddress literal;
    if (net::parse_ip_literal(host, port, literal)) {
        reactor.post([deliver, literal] { deliver(Resolved{{literal}, {}}); });
        return;
    }
    std::thread([link, deliver, host = std::move(host), port] {
        Resolved r;
        r.error = net::resolve_all(host, port, r.addresses);
        std::lock_guard<std::mutex> lock(link->mutex);
        if (link->reactor != nullptr) link->reactor->post([deliver, r = std::move(r)]() mutable { deliver(std::move(r)); });
    }).detach();
}

void HostResolver::cancel() noexcept {
    if (!link_) return;
    {
        std::lock_guard<std::mutex> lock(link_->mutex);
        link_->reactor = nullptr;
    }
    link_->done = nullptr;   // loop thread: nobody else touches it now
    link_.reset();
}

}  // namespace sluice::detail
