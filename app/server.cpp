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
#include "app/detail/upgrade_gate.hpp"
#include "app/detail/worker.hpp"
#include "app/trusted_proxies.hpp"

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
Server& Server::sse_heartbeat(std::chrono::milliseconds t) { settings_.sse_heartbeat = t; return *this; }
Server& Server::poll_timeout(std::chrono::milliseconds t) { settings_.poll_timeout = t; return *this; }
Server& Server::topic_history(std::string_view topic, TopicHistoryLimits limits) {
    for (auto& [name, l] : settings_.topic_histories) {
        if (name == topic) {
            l = limits;
            return *this;
        }
    }
    settings_.topic_histories.emplace_back(std::string(topic), limits);
    return *this;
}
Server& Server::max_connections(std::size_t n) { settings_.max_connections = n; return *this; }
Server& Server::max_connections_per_address(std::size_t n) { settings_.max_connections_per_address = n; return *this; }
Server& Server::max_memory(std::size_t n) { settings_.max_memory = n; return *this; }
Server& Server::max_headers(std::size_t n) { settings_.max_headers = n; return *this; }
Server& Server::max_frame_size(std::size_t n) { settings_.max_frame_size = n; return *this; }
Server& Server::ping_interval(std::chrono::milliseconds t) { settings_.ping_interval = t; return *this; }
Server& Server::pong_timeout(std::chrono::milliseconds t) { settings_.pong_timeout = t; return *this; }
Server& Server::access_log(Settings::AccessLog mode) { settings_.access_log = mode; return *this; }
Server& Server::access_log_sample(unsigned n) { settings_.access_log_sample = n; return *this; }
Server& Server::connection_log(bool on) { settings_.connection_log = on; return *this; }
Server& Server::allowed_origins(std::vector<std::string> o) { settings_.allowed_origins = std::move(o); return *this; }
Server& Server::trusted_proxies(std::vector<std::string> t) { settings_.trusted_proxies = std::move(t); return *this; }
Server& Server::threads(unsigned n) { settings_.threads = n; return *this; }
Server& Server::compression(Compression c) { settings_.compression = c; return *this; }
Server& Server::compression(std::string_view path, Compression c) {
    settings_.route_compression.push_back({std::string(path), c});
    return *this;
}
Server& Server::broker(std::shared_ptr<Broker> b) { state_->broker = std::move(b); return *this; }
Broker* Server::broker() const noexcept { return state_->broker.get(); }

namespace {
void note(std::vector<std::string>& errors, std::string e) {
    if (!e.empty()) errors.push_back(std::move(e));
}
}  // namespace

Server& Server::route(std::string_view path, Handler h) { return route(path, std::move(h), RouteOptions{}); }

Server& Server::route(std::string_view path, Handler h, std::vector<std::string> subprotocols) {
    return route(path, std::move(h), RouteOptions{.subprotocols = std::move(subprotocols), .on_upgrade = {}});
}

Server& Server::route(std::string_view path, Handler h, RouteOptions options) {
    auto t = std::make_unique<detail::CoroutineRoute>(std::move(h));
    t->subprotocols = std::move(options.subprotocols);
    t->upgrade_hook = std::move(options.on_upgrade);
    const auto id = static_cast<std::uint32_t>(state_->targets.size());
    state_->targets.push_back(std::move(t));
    note(state_->route_errors, state_->router.add_websocket(path, id));
    note(state_->route_errors, state_->router.add_http("*", path, id));
    return *this;
}

Server& Server::route(std::string_view path, WsCallbacks callbacks) {
    return route(path, std::move(callbacks), std::vector<std::string>{});
}

Server& Server::route(std::string_view path, WsCallbacks callbacks, std::vector<std::string> subprotocols) {
    UpgradeCallback hook = callbacks.on_upgrade;
    std::vector<std::string> kept = std::move(callbacks.keep_headers);
    const bool has_on_close = static_cast<bool>(callbacks.on_close);
    auto t = std::make_unique<detail::CallbackRoute>(std::move(callbacks));
    t->trim_keeps_peer = has_on_close;
    t->subprotocols = std::move(subprotocols);
    t->trims_request = true;
    t->kept_headers = std::move(kept);
    if (hook) t->upgrade_hook = detail::as_upgrade_task(std::move(hook));
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

Server& Server::push_route(std::string_view path, std::unique_ptr<detail::RouteTarget> t, bool poll) {
    t->push = poll ? detail::RouteTarget::Push::poll : detail::RouteTarget::Push::sse;
    const auto id = static_cast<std::uint32_t>(state_->targets.size());
    state_->targets.push_back(std::move(t));
    note(state_->route_errors, state_->router.add_http("GET", path, id));
    if (poll) note(state_->route_errors, state_->router.add_http("POST", path, id));
    return *this;
}

Server& Server::sse(std::string_view path, HttpHandler fn) {
    return push_route(path, std::make_unique<detail::HttpRoute>(std::move(fn)), false);
}
Server& Server::sse(std::string_view path, Handler fn) {
    return push_route(path, std::make_unique<detail::CoroutineRoute>(std::move(fn)), false);
}
Server& Server::poll(std::string_view path, HttpHandler fn) {
    return push_route(path, std::make_unique<detail::HttpRoute>(std::move(fn)), true);
}
Server& Server::poll(std::string_view path, Handler fn) {
    return push_route(path, std::make_unique<detail::CoroutineRoute>(std::move(fn)), true);
}

Server& Server::on_log(std::function<void(std::string_view line)> fn) {
    state_->log_fn = std::move(fn);
    return *this;
}

Server& Server::metrics(std::string_view path) {
    detail::ServerState* st = state_.get();
    return http("GET", path, [st](Context& c) {
        std::string text;
        {
            std::lock_guard<std::mutex> lock(st->workers_mutex);   // a worker may be leaving
            std::vector<const detail::Metrics*> each;
            for (const auto& w : st->workers) {
                if (w) each.push_back(&w->metrics);
            }
            text = detail::render_metrics(each, st->metrics);
        }
        c.respond(200, text, detail::kMetricsContentType);
    });
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
    if (s.max_memory != 0 && s.max_memory < 4 * s.output_block_size)
        return "max_memory must be 0 (no budget) or at least 4 output blocks (" + std::to_string(4 * s.output_block_size) + " bytes)";
    if (s.max_frame_size == 0 || s.max_frame_size > (1u << 30)) return "max_frame_size must be between 1 byte and 1 GiB";
    if (s.max_headers == 0 || s.max_headers > 10000) return "max_headers must be between 1 and 10000";
    if (s.pong_timeout >= s.ping_interval) return "pong_timeout must be shorter than ping_interval";
    if (s.access_log_sample == 0) return "access_log_sample must be at least 1";
    if (s.max_connections == 0) return "max_connections must be greater than 0";
    const std::pair<const char*, std::chrono::milliseconds> timeouts[] = {
        {"idle_timeout", s.idle_timeout},         {"handshake_timeout", s.handshake_timeout},
        {"header_timeout", s.header_timeout},     {"body_timeout", s.body_timeout},
        {"response_timeout", s.response_timeout}, {"message_timeout", s.message_timeout},
        {"close_timeout", s.close_timeout},       {"sse_heartbeat", s.sse_heartbeat},
        {"poll_timeout", s.poll_timeout},         {"ping_interval", s.ping_interval},
        {"pong_timeout", s.pong_timeout},
        {"backpressure_timeout", s.backpressure_timeout}, {"shutdown_timeout", s.shutdown_timeout}};
    for (const auto& [name, t] : timeouts) {
        if (t.count() <= 0) return std::string(name) + " must be greater than 0 ms (got " + std::to_string(t.count()) + ")";
    }
    for (const auto& [topic, l] : s.topic_histories) {
        if (topic.empty()) return "topic_history needs a topic name";
        if (l.max_messages == 0 && l.max_bytes == 0 && l.max_age.count() <= 0)
            return "topic_history '" + topic + "' needs a bound (max_messages, max_bytes or max_age)";
        if (l.max_age.count() < 0) return "topic_history '" + topic + "' max_age must not be negative";
    }
    if (std::string e = detail::validate_compression(s, state_->router, state_->targets.size()); !e.empty()) return e;
    for (const auto& o : s.allowed_origins) {
        if (o.empty()) return "allowed_origins must not contain an empty origin";
    }
    if (state_->broker) {
        if (std::string e = state_->broker->validate(); !e.empty()) return e;
    }
    if (std::string e = TrustedProxies().assign(s.trusted_proxies); !e.empty()) return e;
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
    st.histories.configure(st.settings.topic_histories);   // a new epoch for every topic
    st.origin_views.assign(st.settings.allowed_origins.begin(), st.settings.allowed_origins.end());
    st.trusted_proxies.assign(st.settings.trusted_proxies);
    for (auto& t : st.targets) t->subprotocol_views.assign(t->subprotocols.begin(), t->subprotocols.end());
    st.compression.build(st.settings.compression, st.settings.route_compression, st.router, st.targets.size());
    st.stopping = false;
    st.workers.clear();
    st.broker_topics = st.broker ? std::make_unique<detail::BrokerTopics>(*st.broker) : nullptr;
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
    if (st.broker) {
        st.broker_delivery = std::make_unique<detail::BrokerDelivery>(
            st, [this](std::string_view topic, bool text, std::span<const std::uint8_t> payload) {
                publish_frame(topic, text, payload, true);
            });
    }
    if (st.broker && !st.broker->start([&st](std::string_view topic, bool text, std::span<const std::uint8_t> payload) {
            st.broker_delivery->deliver(topic, text, payload);
        }, [&st](std::string_view line) { st.log(line); })) {
        st.last_error = "cannot start the broker";
        st.workers.clear();
        return false;
    }
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
    if (st.broker) st.broker->stop();   // after the threads: nothing publishes any more
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
    if (st.broker) st.broker->stop();
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

void Server::publish_frame(std::string_view topic, bool text, std::span<const std::uint8_t> payload,
                           bool from_broker) {
    detail::ServerState& st = *state_;
    if (!st.running.load()) return;
    if (st.broker && !from_broker) st.broker->publish(topic, text, payload);   // to the other nodes
    const proto::Opcode op = text ? proto::Opcode::text : proto::Opcode::binary;
    st.metrics.publishes.fetch_add(1, std::memory_order_relaxed);
    // A topic with history: numbered and kept, and posted to every thread, under its one
    // lock, so each thread receives its messages in order (app/detail/topic_history.hpp).
    detail::TopicHistory* history = st.histories.find(topic);
    std::unique_lock<std::mutex> numbering;
    std::uint64_t seq = 0;
    if (history != nullptr) {
        numbering = std::unique_lock<std::mutex>(history->mutex);
        seq = history->append(text, payload, detail::TopicHistory::Clock::now());
    }
    detail::Worker* local = nullptr;   // this thread's worker: delivered below, after the locks
    {
        // One copy of the payload for all the other threads; each encodes its frame once.
        std::shared_ptr<const std::string> shared;
        std::lock_guard<std::mutex> lock(st.workers_mutex);
        for (auto& w : st.workers) {
            detail::Worker* worker = w.get();
            if (worker == nullptr) continue;
            // A numbered message goes through this thread's queue too: delivered now, it would
            // overtake messages of other threads queued here with lower numbers (then skipped).
            if (worker == tl_worker && history == nullptr) {
                local = worker;
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
            worker->reactor.post([worker, shared, topic_size, op, seq] {
                detail::Worker::Scope scope(*worker);
                const std::string_view all = *shared;
                const std::string_view body = all.substr(topic_size);
                worker->publish_local(all.substr(0, topic_size), op,
                                      {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()}, seq);
            });
        }
    }
    if (numbering.owns_lock()) numbering.unlock();
    if (local != nullptr) local->publish_local(topic, op, payload, seq);
}

}  // namespace sluice
