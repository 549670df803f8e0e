// app/detail/client_dialer.hpp — one Server::connect(): resolving, connecting to each address in
// turn, the handshake's state, and reconnecting with backoff. Internal to app/.
//
//   start ─▶ resolve (client_resolver.hpp) ─▶ dial address i ─▶ Connection in its dialing mode
//                                               │ refused / timed out: address i+1
//                                               │ handshake failed: on_error
//                                               ▼ 101: the conversation (the connection's websocket mode)
//   connection gone ─▶ reconnect (policy on, not our own close 1000, not shutting down):
//                      on_reconnect(attempt, delay) ─▶ timer ─▶ start again
//                    └▶ else finished: the worker forgets the dialer
//
// A dialer has at most one connection at a time; that connection points to it (for the
// request, the handshake and its end) and the dialer to it. The worker owns every dialer
// and outlives their connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/client.hpp"
#include "app/detail/client_handshake.hpp"
#include "app/detail/client_resolver.hpp"
#include "app/detail/client_url.hpp"
#include "app/detail/handler_adapter.hpp"
#include "net/address.hpp"
#include "net/timer.hpp"
#include "proto/http_fields.hpp"

namespace sluice::detail {

class Worker;
class Connection;
class ServerState;

// What one connect() asked for, checked; kept for every reconnection. Owns its strings.
struct ClientSpec {
    std::string url;                              // as given, for messages
    ClientUrl target;
    ClientOptions options;
    std::unique_ptr<RouteTarget> route;           // the handler, served by a route's adapters
    std::vector<std::string_view> subprotocols;   // views into options.subprotocols
    std::vector<proto::HttpHeader> headers;       // views into options.headers
};

// Checks `url` and the options, builds the spec. "" or the reason (one sentence).
std::string make_client_spec(std::string_view url, ClientOptions options, std::unique_ptr<RouteTarget> route,
                             std::unique_ptr<ClientSpec>& out);

// Starts a spec on a worker of `state`: the calling thread's if it is a server thread, else
// thread 0; before start()/run() it waits in state.pending_clients. Any thread.
void launch_client(ServerState& state, std::shared_ptr<ClientSpec> spec);
// Called by start()/run() once the workers exist: the specs connect() queued before.
void launch_pending_clients(ServerState& state);

class ClientDialer {  // Owns its spec, the handshake of the attempt in flight, the resolver and timers.
 public:
    ClientDialer(Worker& worker, std::shared_ptr<ClientSpec> spec);
    ~ClientDialer();
    ClientDialer(const ClientDialer&) = delete;
    ClientDialer& operator=(const ClientDialer&) = delete;

    void start();   // resolve and dial (again, on a reconnection)
    void stop();    // the server is shutting down: no attempt after the one in flight
    bool finished() const noexcept { return finished_; }

    // ---- called by its connection (app/detail/client_connection.cpp) ----
    const ClientSpec& spec() const noexcept { return *spec_; }
    ClientHandshake& handshake() noexcept { return handshake_; }
    bool connected() const noexcept { return connected_; }   // TCP up, the request sent
    void on_connected() noexcept { connected_ = true; }
    void connect_failed(std::string why, bool timed_out = false);   // this address failed: the next one follows
    void attempt_failed(const ClientError& error);  // this attempt failed (reported, maybe retried)
    void on_open() noexcept;                      // the 101 was accepted: the backoff starts over
    void on_closing(std::uint16_t code, bool peer_closed_first) noexcept;   // we sent a close
    void connection_gone();                       // its socket is closed: retry, reconnect or finish

 private:
    void on_resolved(Resolved r);
    void dial_next();
    void end_attempt(std::string reason);         // reconnect or finish
    void finish();
    void log(std::string_view line);

    Worker& worker_;
    std::shared_ptr<ClientSpec> spec_;
    HostResolver resolver_;
    ClientHandshake handshake_;
    net::Timer resolve_timer_;     // connect_timeout while resolving
    net::Timer retry_timer_;       // the next address (at once) or the next attempt (backoff)
    std::vector<net::SocketAddress> addresses_;
    std::size_t next_address_ = 0;
    std::string last_connect_error_;
    std::optional<ClientError> failure_;   // this attempt's error, reported when its socket is gone
    Connection* connection_ = nullptr;     // the one in flight (owned by the worker)
    unsigned retries_ = 0;                 // since the last open
    bool connected_ = false;
    bool next_address_pending_ = false;
    bool opened_ = false;                  // this attempt reached the conversation
    bool closed_by_us_normally_ = false;   // we closed first with 1000: no reconnection
    bool stopped_ = false;
    bool finished_ = false;
};

}  // namespace sluice::detail
