// app/detail/connection_forwarded.cpp — a request that came through a trusted proxy
// (Settings::trusted_proxies, app/trusted_proxies.hpp): the client's address and scheme it
// names become peer() and https(), for this request (a proxy's kept-alive connection carries
// many clients' requests, so each request is read anew from the socket's own peer).
#include "app/detail/connection.hpp"
#include "app/detail/worker.hpp"
#include "net/socket.hpp"

namespace sluice::detail {

void Connection::take_forwarded(const proto::HttpRequest& req) {
    const std::string socket_peer = net::peer_address(fd_);
    const ForwardedOrigin origin = worker_.state.trusted_proxies.resolve(socket_peer, req.headers);
    request_.set_peer(origin.address.empty() ? std::string_view(socket_peer) : std::string_view(origin.address));
    forwarded_https_ = origin.https;
}

}  // namespace sluice::detail
