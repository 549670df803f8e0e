// app/detail/http_adapter.hpp — a plain HTTP route, Server::http(method, path, fn). The
// handler answers (or begins a stream) before it returns, or the server answers 500 for it;
// it is never upgraded, so it serves only the HTTP calls.
#pragma once

#include "app/detail/handler_adapter.hpp"
#include "app/handler.hpp"

namespace sluice::detail {

class HttpAdapter;
using HttpRoute = RouteOf<HttpAdapter, HttpHandler>;

// Does not own the handler (its route does).
class HttpAdapter final : public HandlerAdapter {
    const HttpHandler* handler_;

 public:
    explicit HttpAdapter(const HttpHandler& handler) noexcept : handler_(&handler) {}
    void on_request(Connection& c) override;       // calls the handler
    void settle_request(Connection& c) override;   // 500 if it did not answer
};

}  // namespace sluice::detail
