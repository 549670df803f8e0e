// app/client.cpp — Server::connect and ClientLoop (app/client.hpp); the work is in
// app/detail/client_*.
#include "app/client.hpp"

#include <string>
#include <string_view>
#include <memory>
#include <mutex>
#include <utility>

#include "app/detail/callback_adapter.hpp"
#include "app/detail/client_dialer.hpp"
#include "app/detail/coroutine_adapter.hpp"
#include "app/detail/guarded_call.hpp"
#include "app/detail/worker.hpp"

namespace sluice {

namespace {

std::string begin_client(detail::ServerState& state, std::string_view url, ClientOptions options,
                         std::unique_ptr<detail::RouteTarget> route) {
    std::unique_ptr<detail::ClientSpec> spec;
    if (std::string e = detail::make_client_spec(url, std::move(options), std::move(route), spec); !e.empty()) {
        state.log("client: " + e);
        return e;
    }
    state.clients.fetch_add(1);
    detail::launch_client(state, std::shared_ptr<detail::ClientSpec>(std::move(spec)));
    return {};
}

}  // namespace

std::string Server::connect(std::string_view url, ClientOptions options, Handler handler) {
    return begin_client(*state_, url, std::move(options), std::make_unique<detail::CoroutineRoute>(std::move(handler)));
}

std::string Server::connect(std::string_view url, ClientOptions options, WsCallbacks callbacks) {
    return begin_client(*state_, url, std::move(options), std::make_unique<detail::CallbackRoute>(std::move(callbacks)));
}

ClientLoop::ClientLoop() { server_.state_->clients_only = true; }

std::string ClientLoop::connect(std::string_view url, ClientOptions options, Handler handler) {
    return server_.connect(url, std::move(options), std::move(handler));
}

std::string ClientLoop::connect(std::string_view url, ClientOptions options, WsCallbacks callbacks) {
    return server_.connect(url, std::move(options), std::move(callbacks));
}

int ClientLoop::run() { return server_.run(); }

void ClientLoop::stop() { server_.stop(); }

bool ClientLoop::post(std::function<void()> fn) {
    detail::ServerState& st = *server_.state_;
    std::lock_guard<std::mutex> lock(st.workers_mutex);
    if (!st.running.load() || st.workers.empty() || st.workers.front() == nullptr) return false;
    detail::Worker* w = st.workers.front().get();
    w->reactor.post([w, fn = std::move(fn)] {
        detail::Worker::Scope scope(*w);
        detail::guarded_call(fn, [w](std::string_view what) { w->state.log("ClientLoop::post: " + std::string(what)); });
    });
    return true;
}

}  // namespace sluice
