// app/server.cpp — settings, routes, start/run/stop, cross-thread publish.
#include "app/server.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "app/detail/callback_adapter.hpp"
#include "app/detail/client_dialer.hpp"
#include "app/detail/coroutine_adapter.hpp"
#include "app/detail/http_adapter.hpp"
#include "app/detail/worker.hpp"

namespace sluice {

namespace {
thread_local detail::Worker* tl_worker = nullptr;   // the worker whose loop runs on this thread

// The worker is destroyed here, on its loop thread (net/ asserts that), under the lock
// that publish() takes to reach it.
void run_worker(detail::ServerState* st, detail::Worker* w) {
    tl_worker = w;
    // run_once() binds the reactor to this thread (it was built on the starting thread);
    // run() alone asserts before binding.
    w->reactor.run_once(std::chrono::milliseconds(0));
    w->reactor.run();
    w->close_all();
    tl_worker = nullptr;
    std::lock_guard<std::mutex> lock(st->workers_mutex);
    for (auto& p : st->workers) {
        if (p.get() == w) p.reset();
    }
}
}  // namespace

detail::Worker* detail::current_worker() noexcept { return tl_worker; }

Server::Server() : state_(std::make_unique<detail::ServerState>(*this)) {}

Server::~Server() { stop(); }

Server& Server::host(std::string h) { settings_.host = std::move(h); return *this; }
Server& Server::port(std::uint16_t p) { settings_.port = p; return *this; }
Server& Server::nodelay(bool on) { settings_.nodelay = on; return *this; }
Server& Server::linger(bool on) { settings_.linger = on; return *this; }
Server& Server::output_block_size(std::size_t n) { settings_.output_block_size = n; return *this; }
Server& Server::ws_buffer_size(std::size_t n) { return output_block_size(n); }
Server& Server::http_buffer_size(std::size_t n) { settings_.http_buffer_size = n; return *this; }
Server& Server::max_request_line(std::size_t n) { settings_.max_request_line = n; return *this; }
Server& Server::max_body_size(std::size_t n) { settings_.max_body_size = n; return *this; }
Server& Server::max_message_size(std::size_t n) { settings_.max_message_size = n; return *this; }
Server& Server::max_backpressure(std::size_t n) { settings_.max_backpressure = n; return *this; }
Server& Server::idle_timeout(std::chrono::milliseconds t) { settings_.idle_timeout = t; return *this; }
Server& Server::handshake_timeout(std::chrono::milliseconds t) { settings_.handshake_timeout = t; return *this; }
Server& Server::header_timeout(std::chrono::milliseconds t) { settings_.header_timeout = t; return *this; }
Server& Server::body_timeout(std::chrono::milliseconds t) { settings_.body_timeout = t; return *this; }
Server& Server::response_timeout(std::chrono::milliseconds t) { settings_.response_timeout = t; return *this; }
Server& Server::message_timeout(std::chrono::milliseconds t) { settings_.message_timeout = t; return *this; }
Server& Server::close_timeout(std::chrono::milliseconds t) { settings_.close_timeout = t; return *this; }
Server& Server::backpressure_timeout(std::chrono::milliseconds t) { settings_.backpressure_timeout = t; return *this; }
Server& Server::shutdown_timeout(std::chrono::milliseconds t) { settings_.shutdown_timeout = t; return *this; }
Server& Server::max_connections(std::size_t n) { settings_.max_connections = n; return *this; }
Server& Server::allowed_origins(std::vector<std::string> o) { settings_.allowed_origins = std::move(o); return *this; }
Server& Server::threads(unsigned n) { settings_.threads = n; return *this; }

namespace {
void note(std::vector<std::string>& errors, std::string e) {
    if (!e.empty()) errors.push_back(std::move(e));
}
}  // namespace

Server& Server::route(std::string_view path, Handler h) { return route(path, std::move(h), {}); }

Server& Server::route(std::string_view path, Handler h, std::vector<std::string> subprotocols) {
    auto t = std::make_unique<detail::CoroutineRoute>(std::move(h));
    t->subprotocols = std::move(subprotocols);
    const auto id = static_cast<std::uint32_t>(state_->targets.size());
    state_->targets.push_back(std::move(t));
    note(state_->route_errors, state_->router.add_websocket(path, id));
    note(state_->route_errors, state_->router.add_http("*", path, id));
    return *this;
}

Server& Server::route(std::string_view path, WsCallbacks callbacks) { return route(path, std::move(callbacks), {}); }

Server& Server::route(std::string_view path, WsCallbacks callbacks, std::vector<std::string> subprotocols) {
    auto t = std::make_unique<detail::CallbackRoute>(std::move(callbacks));
    t->subprotocols = std::move(subprotocols);
    const auto id = static_cast<std::uint32_t>(state_->targets.size());
    state_->targets.push_back(std::move(t));
    note(state_->route_errors, state_->router.add_websocket(path, id));
    return *this;
}

Server& Server::http(std::string_view method, std::string_view path, HttpHandler fn) {
    auto t = std::make_unique<detail::HttpRoute>(std::move(fn));
    const auto id = static_cast<std::uint32_t>(state_->targets.size());
    state_->targets.push_back(std::move(t));
    note(state_->route_errors, state_->router.add_http(method, path, id));
    return *this;
}

Server& Server::on_log(std::function<void(std::string_view line)> fn) {
    state_->log_fn = std::move(fn);
    return *this;
}

std::string Server::validate() const {
    const Settings& s = settings_;
    if (!state_->route_errors.empty()) return state_->route_errors.front();
    if (s.host.empty()) return "host must not be empty";
    if (s.threads < 1 || s.threads > 256) return "threads must be between 1 and 256 (got " + std::to_string(s.threads) + ")";
    if (s.output_block_size < 256 || s.output_block_size > (16u << 20))
        return "output_block_size must be between 256 bytes and 16 MiB (got " + std::to_string(s.output_block_size) + ")";
    if (s.http_buffer_size < 1024 || s.http_buffer_size > (1u << 30))
        return "http_buffer_size must be between 1 KiB and 1 GiB (got " + std::to_string(s.http_buffer_size) + ")";
    if (s.max_request_line < 64 || s.max_request_line > (1u << 30))
        return "max_request_line must be between 64 bytes and 1 GiB (got " + std::to_string(s.max_request_line) + ")";
    if (s.max_body_size > (1u << 30)) return "max_body_size must be at most 1 GiB";
    if (s.max_message_size == 0 || s.max_message_size > (1u << 30))
        return "max_message_size must be between 1 byte and 1 GiB";
    if (s.max_backpressure == 0) return "max_backpressure must be greater than 0";
    if (s.max_connections == 0) return "max_connections must be greater than 0";
    const std::pair<const char*, std::chrono::milliseconds> timeouts[] = {
        {"idle_timeout", s.idle_timeout},         {"handshake_timeout", s.handshake_timeout},
        {"header_timeout", s.header_timeout},     {"body_timeout", s.body_timeout},
        {"response_timeout", s.response_timeout}, {"message_timeout", s.message_timeout},
        {"close_timeout", s.close_timeout},
        {"backpressure_timeout", s.backpressure_timeout}, {"shutdown_timeout", s.shutdown_timeout}};
    for (const auto& [name, t] : timeouts) {
        if (t.count() <= 0) return std::string(name) + " must be greater than 0 ms (got " + std::to_string(t.count()) + ")";
    }
    for (const auto& o : s.allowed_origins) {
        if (o.empty()) return "allowed_origins must not contain an empty origin";
    }
    for (const auto& t : state_->targets) {
        for (const auto& p : t->subprotocols) {
            if (p.empty() || p.find_first_of(" ,\t\r\n") != std::string::npos)
                return "subprotocol '" + p + "' is not a token";
        }
    }
    return {};
}

bool Server::start_workers() {
    detail::ServerState& st = *state_;
    if (st.running.load()) {
        st.last_error = "the server is already running";
        return false;
    }
    if (std::string e = validate(); !e.empty()) {
        st.last_error = e;
        return false;
    }
    st.settings = settings_;
    st.origin_views.assign(st.settings.allowed_origins.begin(), st.settings.allowed_origins.end());
    for (auto& t : st.targets) t->subprotocol_views.assign(t->subprotocols.begin(), t->subprotocols.end());
    st.stopping = false;
    st.workers.clear();
    const unsigned n = st.settings.threads;
    for (unsigned i = 0; i < n; ++i) {
        st.workers.push_back(std::make_unique<detail::Worker>(st, i));
        if (!st.workers.back()->reactor.valid()) {
            st.last_error = "cannot create an event loop: " + std::string(std::strerror(errno));
            st.workers.clear();
            return false;
        }
    }
    if (st.clients_only) return true;   // ClientLoop: connections go out, none come in
    std::uint16_t port = st.settings.port;
    for (auto& w : st.workers) {
        if (!w->open_listener(port, n > 1)) {
            st.last_error = "cannot listen on " + st.settings.host + ":" + std::to_string(port) + ": " +
                            std::strerror(errno);
            st.workers.clear();
            return false;
        }
        port = w->listener.port();
    }
    st.port = port;
    st.log("listening on " + st.settings.host + ":" + std::to_string(port) + " with " + std::to_string(n) +
           (n == 1 ? " thread" : " threads"));
    return true;
}

bool Server::start() {
    if (!start_workers()) return false;
    detail::ServerState& st = *state_;
    st.run_mode = false;
    st.running = true;
    for (auto& w : st.workers) st.threads.emplace_back(run_worker, &st, w.get());
    detail::launch_pending_clients(st);   // what connect() queued before the start
    return true;
}

int Server::run() {
    if (!start_workers()) {
        state_->log("cannot start: " + state_->last_error);
        if (!state_->log_fn) std::fprintf(stderr, "sluice: cannot start: %s\n", state_->last_error.c_str());
        return 1;
    }
    detail::ServerState& st = *state_;
    st.run_mode = true;
    st.running = true;
    // Before any other thread exists, so they all inherit the blocked SIGINT/SIGTERM.
    st.workers.front()->reactor.watch_signals([&st](int signo) {
        if (++st.signals_seen > 1) std::_Exit(1);   // a second signal: exit at once
        st.log(signo == SIGINT ? "SIGINT: shutting down" : "SIGTERM: shutting down");
        st.begin_shutdown();
    });
    for (std::size_t i = 1; i < st.workers.size(); ++i) st.threads.emplace_back(run_worker, &st, st.workers[i].get());
    detail::launch_pending_clients(st);   // what connect() queued before the start
    run_worker(&st, st.workers.front().get());
    for (auto& t : st.threads) t.join();
    st.threads.clear();
    st.workers.clear();
    st.running = false;
    st.log("stopped");
    return 0;
}

std::uint16_t Server::bound_port() const { return state_->port; }

void Server::stop() {
    detail::ServerState& st = *state_;
    if (!st.running.load()) return;
    st.begin_shutdown();
    if (st.run_mode || tl_worker != nullptr) return;   // run() joins; a server thread cannot join itself
    for (auto& t : st.threads) t.join();
    st.threads.clear();
    st.workers.clear();
    st.running = false;
}

bool Server::running() const { return state_->running.load(); }

std::string Server::last_error() const { return state_->last_error; }

std::size_t Server::connection_count() const { return state_->connections.load(); }

void Server::publish(std::string_view topic, std::string_view text) {
    publish_frame(topic, true, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

void Server::publish_binary(std::string_view topic, std::span<const std::uint8_t> bytes) {
    publish_frame(topic, false, bytes);
}

void Server::publish_frame(std::string_view topic, bool text, std::span<const std::uint8_t> payload) {
    detail::ServerState& st = *state_;
    if (!st.running.load()) return;
    const proto::Opcode op = text ? proto::Opcode::text : proto::Opcode::binary;
    // One copy of the payload for all the other threads; each encodes its frame once.
    std::shared_ptr<const std::string> shared;
    std::lock_guard<std::mutex> lock(st.workers_mutex);
    for (auto& w : st.workers) {
        detail::Worker* worker = w.get();
        if (worker == nullptr) continue;
        if (worker == tl_worker) {
            worker->publish_local(topic, op, payload);
            continue;
        }
        if (!shared) {
            auto s = std::make_shared<std::string>();
            s->reserve(topic.size() + payload.size());
            s->append(topic);
            s->append(reinterpret_cast<const char*>(payload.data()), payload.size());
            shared = std::move(s);
        }
        const std::size_t topic_size = topic.size();
        worker->reactor.post([worker, shared, topic_size, op] {
            detail::Worker::Scope scope(*worker);
            const std::string_view all = *shared;
            const std::string_view body = all.substr(topic_size);
            worker->publish_local(all.substr(0, topic_size), op,
                                  {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()});
        });
    }
}

}  // namespace sluice
