// app/detail/client_dialer.cpp — see client_dialer.hpp. Also the Worker's and ServerState's
// few client members (worker.hpp), kept here beside the one type they serve.
#include "app/detail/client_dialer.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

#include "app/detail/client_random.hpp"
#include "app/detail/connection.hpp"
#include "app/detail/guarded_call.hpp"
#include "app/detail/worker.hpp"
#include "net/socket.hpp"

namespace sluice::detail {

namespace {

// A user callback (on_error, on_reconnect) must not unwind into the loop: logged instead.
template <class F>
bool guarded(ServerState& state, F&& fn) noexcept {
    return guarded_call(std::forward<F>(fn),
                        [&state](std::string_view what) { state.log("client callback error: " + std::string(what)); });
}

// Attempt n's delay: initial * multiplier^(n-1), capped, minus a random share (jitter).
std::chrono::milliseconds backoff(const ReconnectPolicy& p, unsigned attempt) {
    const double capped = std::min(static_cast<double>(p.max_delay.count()),
                                   static_cast<double>(p.initial_delay.count()) *
                                       std::pow(std::max(1.0, p.multiplier), static_cast<double>(attempt - 1)));
    const std::array<std::uint8_t, 4> r = next_client_mask();   // the per-thread generator, seeded from the OS
    const double u = static_cast<double>(r[0] | (r[1] << 8) | (r[2] << 16)) / static_cast<double>(1 << 24);
    const double jitter = std::clamp(p.jitter, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(capped * (1.0 - jitter * u)));
}

}  // namespace

std::string make_client_spec(std::string_view url, ClientOptions options, std::unique_ptr<RouteTarget> route,
                             std::unique_ptr<ClientSpec>& out) {
    auto spec = std::make_unique<ClientSpec>();
    spec->url = std::string(url);
    if (std::string e = parse_client_url(url, spec->target); !e.empty()) return e;
    const std::pair<const char*, std::chrono::milliseconds> timeouts[] = {
        {"connect_timeout", options.connect_timeout}, {"handshake_timeout", options.handshake_timeout}};
    for (const auto& [name, t] : timeouts) {
        if (t.count() <= 0) return std::string(name) + " must be greater than 0 ms";
    }
    if (options.max_message_size == 0 || options.max_message_size > (1u << 30))
        return "max_message_size must be between 1 byte and 1 GiB";
    if (options.reconnect.initial_delay.count() < 0 || options.reconnect.max_delay.count() < 0)
        return "reconnect delays must not be negative";
    spec->options = std::move(options);
    spec->route = std::move(route);
    spec->subprotocols.assign(spec->options.subprotocols.begin(), spec->options.subprotocols.end());
    for (const auto& [name, value] : spec->options.headers) spec->headers.push_back({name, value});
    // Written once now, so a header that cannot be sent is reported to the caller, not later.
    ClientHandshake probe;
    if (std::string e = probe.prepare(*spec); !e.empty()) {
        return spec->url + ": " + e +
               " (a header name must be a token other than Host, Upgrade, Connection, Origin and Sec-WebSocket-*; "
               "no CR, LF or NUL in a value; subprotocols unique tokens)";
    }
    out = std::move(spec);
    return {};
}

// ---- the worker's side ---------------------------------------------------------------------------

void launch_client(ServerState& state, std::shared_ptr<ClientSpec> spec) {
    std::lock_guard<std::mutex> lock(state.workers_mutex);
    if (!state.running.load() || state.workers.empty()) {
        state.pending_clients.push_back(std::move(spec));
        return;
    }
    Worker* here = current_worker();
    Worker* target = here != nullptr && &here->state == &state ? here : state.workers.front().get();
    if (target == nullptr) return;
    target->reactor.post([target, spec = std::move(spec)] {
        Worker::Scope scope(*target);
        target->start_client(spec);
    });
}

void launch_pending_clients(ServerState& state) {
    std::vector<std::shared_ptr<ClientSpec>> pending;
    {
        std::lock_guard<std::mutex> lock(state.workers_mutex);
        pending.swap(state.pending_clients);
    }
    for (auto& spec : pending) launch_client(state, std::move(spec));
    // A client-only loop with nothing to do ends at once rather than wait for a signal.
    if (state.clients_only && state.clients.load() == 0) state.begin_shutdown();
}

void Worker::start_client(const std::shared_ptr<ClientSpec>& spec) {
    if (shutting_down) {
        if (state.clients.fetch_sub(1) == 1 && state.clients_only) state.begin_shutdown();
        return;
    }
    clients.push_back(std::make_unique<ClientDialer>(*this, spec));
    clients.back()->start();
}

void Worker::stop_clients() {
    const std::size_t n = clients.size();
    for (std::size_t i = 0; i < n && i < clients.size(); ++i) clients[i]->stop();
}

Connection* Worker::add_client_connection(int fd, ClientDialer& dialer) {
    state.connections.fetch_add(1);
    auto* c = new Connection(*this, fd, next_connection_id(), dialer);
    c->live_index = static_cast<std::uint32_t>(live_.size());
    live_.push_back(c);
    return c;
}

void Worker::forget_client(ClientDialer* dialer) {
    // Deferred: the dialer may be on the stack (its own callback or timer).
    reactor.post([this, dialer] {
        const auto it = std::find_if(clients.begin(), clients.end(), [dialer](const auto& p) { return p.get() == dialer; });
        if (it != clients.end()) clients.erase(it);
    });
    if (state.clients.fetch_sub(1) == 1 && state.clients_only) state.begin_shutdown();
}

// ---- the dialer ----------------------------------------------------------------------------------

ClientDialer::ClientDialer(Worker& worker, std::shared_ptr<ClientSpec> spec) : worker_(worker), spec_(std::move(spec)) {
    resolve_timer_.set_callback([this] {
        Worker::Scope scope(worker_);
        resolver_.cancel();
        failure_ = ClientError{ClientError::Kind::timeout,
                               spec_->url + ": '" + spec_->target.host + "' did not resolve within " +
                                   std::to_string(spec_->options.connect_timeout.count()) + " ms (connect_timeout)",
                               0, {}};
        connection_gone();
    });
    retry_timer_.set_callback([this] {
        Worker::Scope scope(worker_);
        if (next_address_pending_) {
            next_address_pending_ = false;
            dial_next();
        } else {
            start();
        }
    });
}

ClientDialer::~ClientDialer() = default;   // the timers cancel themselves, the resolver drops its answer

void ClientDialer::log(std::string_view line) { worker_.state.log("client " + spec_->url + ": " + std::string(line)); }

void ClientDialer::start() {
    if (finished_) return;
    if (stopped_ || worker_.shutting_down) {
        finish();
        return;
    }
    failure_.reset();
    opened_ = false;
    closed_by_us_normally_ = false;
    addresses_.clear();
    next_address_ = 0;
    last_connect_error_.clear();
    worker_.reactor.arm(resolve_timer_, spec_->options.connect_timeout);
    resolver_.start(worker_.reactor, spec_->target.host, spec_->target.port, [this](Resolved r) {
        Worker::Scope scope(worker_);
        on_resolved(std::move(r));
    });
}

void ClientDialer::on_resolved(Resolved r) {
    worker_.reactor.cancel(resolve_timer_);
    if (!r.error.empty()) {
        failure_ = ClientError{ClientError::Kind::resolve,
                               spec_->url + ": cannot resolve '" + spec_->target.host + "': " + r.error, 0, {}};
        connection_gone();
        return;
    }
    addresses_ = std::move(r.addresses);
    next_address_ = 0;
    dial_next();
}

// Each address in turn (IPv6 and IPv4, getaddrinfo's order) until one connects.
void ClientDialer::dial_next() {
    if (stopped_ || worker_.shutting_down) {
        finish();
        return;
    }
    while (next_address_ < addresses_.size()) {
        const net::SocketAddress& a = addresses_[next_address_++];
        const std::string where = net::format_address(reinterpret_cast<const sockaddr*>(&a.storage), a.length);
        const int fd = net::connect_to(a);
        if (fd < 0) {
            last_connect_error_ = "connect to " + where + ": " + std::strerror(errno);
            continue;
        }
        if (std::string e = handshake_.prepare(*spec_); !e.empty()) {
            net::close_fd(fd);
            failure_ = ClientError{ClientError::Kind::options, spec_->url + ": " + e, 0, {}};
            connection_gone();
            return;
        }
        connected_ = false;
        connection_ = worker_.add_client_connection(fd, *this);
        connection_->start_client(where);
        return;
    }
    failure_ = ClientError{ClientError::Kind::connect,
                           spec_->url + ": " + (last_connect_error_.empty() ? "no address to connect to" : last_connect_error_),
                           0, {}};
    connection_gone();
}

void ClientDialer::connect_failed(std::string why, bool timed_out) {
    last_connect_error_ = std::move(why);
    next_address_pending_ = next_address_ < addresses_.size();
    if (!next_address_pending_) {
        failure_ = ClientError{timed_out ? ClientError::Kind::timeout : ClientError::Kind::connect,
                               spec_->url + ": " + last_connect_error_, 0, {}};
    }
}

void ClientDialer::attempt_failed(const ClientError& error) { failure_ = error; }

void ClientDialer::on_open() noexcept {
    opened_ = true;
    retries_ = 0;
}

void ClientDialer::on_closing(std::uint16_t code, bool peer_closed_first) noexcept {
    if (!peer_closed_first) closed_by_us_normally_ = code == 1000;
}

void ClientDialer::connection_gone() {
    connection_ = nullptr;
    if (finished_) return;
    if (next_address_pending_) {
        worker_.reactor.arm(retry_timer_, std::chrono::milliseconds(0));   // off this stack
        return;
    }
    if (failure_) {
        const ClientError e = *failure_;
        log("failed: " + e.message);
        if (spec_->options.on_error) guarded(worker_.state, [&] { spec_->options.on_error(e); });
        end_attempt(e.message);
        return;
    }
    if (opened_ && closed_by_us_normally_) {
        finish();
        return;
    }
    end_attempt(opened_ ? "the connection ended" : "the connection ended during the handshake");
}

void ClientDialer::end_attempt(std::string reason) {
    const ReconnectPolicy& p = spec_->options.reconnect;
    if (!p.enabled || stopped_ || worker_.shutting_down || (p.max_attempts != 0 && retries_ >= p.max_attempts)) {
        finish();
        return;
    }
    ++retries_;
    ReconnectAttempt attempt{retries_, backoff(p, retries_), std::move(reason)};
    bool go = true;
    if (spec_->options.on_reconnect) guarded(worker_.state, [&] { go = spec_->options.on_reconnect(attempt); });
    if (!go) {
        finish();
        return;
    }
    log("reconnecting in " + std::to_string(attempt.delay.count()) + " ms (attempt " + std::to_string(retries_) + ")");
    worker_.reactor.arm(retry_timer_, attempt.delay);
}

void ClientDialer::stop() {
    stopped_ = true;
    if (connection_ != nullptr || finished_) return;   // the connection in flight ends on its own
    resolver_.cancel();
    worker_.reactor.cancel(resolve_timer_);
    worker_.reactor.cancel(retry_timer_);
    finish();
}

void ClientDialer::finish() {
    if (finished_) return;
    finished_ = true;
    resolver_.cancel();
    worker_.reactor.cancel(resolve_timer_);
    worker_.reactor.cancel(retry_timer_);
    worker_.forget_client(this);
}

}  // namespace sluice::detail
