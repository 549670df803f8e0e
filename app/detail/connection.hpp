// app/detail/connection.hpp — one accepted socket: its mode, and the glue between the parts
// that own the rest. Internal to app/ (handlers see it through Context).
//
//   accept ─▶ http ──(upgrade + 101)──▶ websocket ──(close handshake / failure / timeout)──▶ teardown ─▶ dead
//               └──(the answer closes, EOF, timeout)─────────────────────────────────────────▶ teardown
//   connect() ─▶ dialing ──(TCP up, request sent, the server's 101)──▶ websocket (client role)
//               └──(refused, timeout, not 101: the dialer reports it)────────────────────────────────▶ dead
//
//   mode        who owns its state
//   http        HttpExchange (http_exchange.hpp): phase, keep-alive, responses; freed at the upgrade
//   websocket   proto::WsSession (inline): the close handshake; can_send() asks it
//   dialing     ClientDialer (client_dialer.hpp): the request, the handshake, what follows the end
//               (a client connection's own glue is in client_connection.cpp)
//   both        the route's HandlerAdapter (handler_adapter.hpp), in place in adapter_ or its own block
//               ActiveState (below; connection_active.hpp): the WebSocket session and the
//               SocketWriter (output queue, want-write, over-bound), leased from the worker on
//               first use and given back while an open WebSocket is idle (settle_idle)
//               Extras (extras.hpp): user timers, subscriptions, backpressure timer; on first use
//   teardown: write out the queue, shutdown(SHUT_WR), read and discard until the peer's EOF or
//   close_timeout, then close(): the peer's kernel never sees unread data arrive after our
//   FIN, so it never turns our last bytes (a close frame, a 400) into a reset.
//
// Input: read() lands in the reactor's receive buffer and is parsed there; HTTP keeps only
// the unparsed tail of a partial head, WebSocket nothing (the session keeps a partial frame
// header, its assembly buffer a partial message). Output: written at the end of the
// current reactor callback (Worker::Scope), one writev per connection.
//
// Deadlines: every state has one (README "Settings"): handshake and header while a head is
// read, body while its body is, response while the handler has not answered, idle between
// requests and on a WebSocket, close while tearing down. One timer, re-armed per state.
//
// Lifetime: the Worker owns every Connection; destroy() only marks it dead and hands it to
// the worker, which deletes it once no callback is on the stack, so a handler may close its
// own connection at any point.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "app/context.hpp"
#include "app/detail/access_log.hpp"
#include "app/detail/client_random.hpp"
#include "app/detail/connection_active.hpp"
#include "app/detail/guarded_call.hpp"
#include "app/detail/handler_adapter.hpp"
#include "app/detail/http_exchange.hpp"
#include "app/detail/metrics.hpp"
#include "app/detail/request_copy.hpp"
#include "app/detail/socket_writer.hpp"
#include "app/detail/ws_compression.hpp"
#include "app/message.hpp"
#include "net/reactor.hpp"
#include "net/timer.hpp"
#include "proto/sse_encoder.hpp"
#include "proto/ws_handshake.hpp"
#include "proto/ws_session.hpp"

namespace sluice::detail {

class Worker;
class Extras;
class Connection;
class Publication;
struct Subscription;
class ClientDialer;

// The hooks proto::WsSession calls (a WsHooks concept). A base of Connection without data:
// the session's reference is to the connection itself, so no pointer is stored for it.
struct ConnectionHooks {
    // Output, to the SocketWriter: small frames queued, a large one written at once.
    void send(std::span<const std::uint8_t> bytes);
    void send_frame(std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload);
    // The end: the peer's close (answered by the session), or a rule it broke.
    void on_close(std::uint16_t code, std::string_view reason);
    void on_fail(std::uint16_t code);
    // Events: a message goes to the route's adapter; the session answers pings itself.
    void on_message(proto::Opcode op, std::span<const std::uint8_t> bytes);
    // RFC 7692: a message with RSV1, inflated by the connection (connection_deflate.cpp).
    proto::WsError on_compressed_message(proto::Opcode op, std::span<const std::uint8_t> bytes);
    void on_ping(std::span<const std::uint8_t> payload);   // after the session queued its pong
    void on_pong(std::span<const std::uint8_t> payload);
    // RFC 6455 §5.3: the client role's masking keys (a server's session never asks).
    std::array<std::uint8_t, 4> next_mask() noexcept { return next_client_mask(); }

 private:
    Connection& self() noexcept;
};

// What only a busy connection needs: leased from its worker's ActivePool on the first byte
// in or out, given back when its WebSocket is idle again (connection_active.hpp).
struct ActiveState {  // Owned by one Connection while leased, else by the worker's ActivePool.
    ActiveState(core::BlockPool* pool, std::size_t bound) noexcept : output(pool, bound) {}
    std::optional<proto::WsSession<ConnectionHooks>> session;   // from the upgrade on
    SocketWriter output;
};

class Connection final : public net::IoWatcher, private ConnectionHooks, private Context {  // Owns its fd, exchange, session, adapter, output and timers.
 public:
    using Hooks = ConnectionHooks;

    Connection(Worker& worker, int fd, std::uint64_t id);
    // An outgoing connection (connecting on `fd`), made by its dialer (client_dialer.hpp).
    Connection(Worker& worker, int fd, std::uint64_t id, ClientDialer& dialer);
    ~Connection();
    Connection(const Connection&) = delete;
    // From a per-thread slot pool (slot_pool.hpp): the exact size, no malloc header.
    static void* operator new(std::size_t size);
    static void operator delete(void* block, std::size_t size) noexcept;
    Connection& operator=(const Connection&) = delete;

    void start();                                    // register with the reactor, arm timers, log
    void start_client(std::string_view address);     // the same for a connection going out
    void on_events(net::EventMask events) noexcept override;

    // ---- called by the Worker ----
    void flush();                                    // write the queue (end of a callback)
    void progress();                                 // a suspended HTTP exchange may have finished
    void shutdown_gracefully();                      // server stopping: 1001 / finish and close
    void destroy(std::uint16_t code = 1006, std::string_view reason = {});   // close the socket now
    bool dead() const noexcept { return mode_ == Mode::dead; }
    bool is_ws() const noexcept { return mode_ == Mode::websocket; }
    bool ws_ever() const noexcept { return ws_ever_; }   // upgraded (open or not)
    bool leased() const noexcept { return active_ != nullptr; }   // holds an ActiveState now
    // A published message to one of this connection's subscriptions, in its transport's
    // form (connection_push.cpp): `frame` is the WebSocket frame, the rest is made on need.
    // `dropped` when over max_backpressure (the worker then calls missed_publish()).
    SendResult deliver(Publication& p, PublishDeflate& deflated, Subscription& s, const core::SharedBytes& frame,
                       std::size_t size, std::size_t header);
    // A published frame: bytes [0, size) of `frame`, the first `header` of them its frame header;
    // `deflated`: compressed without context, RSV1 set (PublishDeflate).
    // `dropped` when over max_backpressure: the caller then tells it with missed_publish().
    SendResult send_shared(const core::SharedBytes& frame, std::size_t size, std::size_t header = 0,
                           bool deflated = false);
    void missed_publish(std::string_view topic);   // counted, and told to the handler (on_dropped)
    std::uint64_t missed_publishes() const noexcept;
    // What this connection serves now, for sluice_connections_open (an SSE or long-poll
    // adapter sets it when its stream or hold begins, and back to http when it ends).
    void set_kind(ConnectionKind kind) noexcept;
    WsDeflateTerms deflate_terms() const noexcept { return deflate_; }   // RFC 7692 agreement

    // Worker's bookkeeping
    std::uint32_t live_index = 0;   // index in Worker::live_ (fds are ints: 32 bits suffice)
    bool in_dirty = false;
    bool in_progress = false;

    // ---- called by Context and the handler adapters ----
    const RequestCopy& request() const noexcept { return request_; }
    std::string_view body() const noexcept { return http_ ? http_->body() : std::string_view(); }
    // The kept peer (the request copy's), or before the first request the socket's, asked
    // of the kernel (a view into a per-thread string: logs use it at once).
    std::string_view peer() const;
    std::string_view subprotocol() const noexcept { return request_.subprotocol(); }
    bool https() const noexcept { return forwarded_https_; }
    Worker& worker() noexcept { return worker_; }
    Context& context() noexcept { return *this; }
    // Context::attach: the adapter is a coroutine's and runs this context's Task (a bit, not a pointer).
    void set_coroutine_attached(bool on) noexcept { co_attached_ = on; }
    HandlerAdapter* coroutine_handler() const noexcept { return co_attached_ ? handler_ : nullptr; }

    void respond(int status, std::string_view body, std::string_view content_type);
    void add_header(std::string_view name, std::string_view value);
    bool responded() const noexcept { return http_ && http_->responded(); }
    void begin_stream(int status, std::string_view content_type);
    SendResult write_chunk(std::span<const std::uint8_t> data);
    void end_stream();
    // ---- push transports (connection_push.cpp) ----
    bool sse_stream() const noexcept { return sse_; }
    SendResult send_event(const proto::SseMessage& m);   // an SSE stream's own event
    // The handler finished without answering: a long-poll GET is held (or answered at once
    // with ?wait=0), a POST answered 204. False if this is no push request.
    bool settle_push();

    SendResult send_message(bool text, std::span<const std::uint8_t> payload);
    bool over_backpressure() const noexcept;
    // The session is the one owner of the close handshake; the connection adds only its mode.
    // An idle WebSocket has given its session back: it was open (settle_idle).
    bool can_send() const noexcept {
        return mode_ == Mode::websocket && (active_ == nullptr || active_->session->can_send());
    }
    // A WebSocket whose end the handler has not yet been told of.
    bool conversing() const noexcept { return mode_ == Mode::websocket && !closed_notified_; }
    void close(std::uint16_t code, std::string_view reason);
    void ping(std::span<const std::uint8_t> payload);
    std::size_t buffered() const noexcept { return active_ != nullptr ? active_->output.size() : 0; }
    void hold_input(bool hold);   // WebSocket: stop / resume reading (the handler is behind)

    // ---- called by the MemoryBudget (memory_budget.hpp) ----
    std::uint64_t id() const noexcept { return id_; }
    std::size_t assembly_held() const noexcept {
        return active_ != nullptr && active_->session ? active_->session->receiver().assembly_capacity() : 0;
    }
    void pause_for_budget(bool paused);   // WebSocket: new messages wait while over max_memory
    void shed(std::uint16_t code);        // close 1009 / 1008 to give memory back

    void subscribe(std::string_view topic);
    void unsubscribe(std::string_view topic);
    bool subscribed(std::string_view topic) const;
    TimerId add_timer(std::chrono::milliseconds period, bool repeat, std::function<void()> fn);
    void cancel_timer(TimerId id);

    // What a handler throws is logged and answered false (the caller then answers 500 or
    // closes 1011): handlers never unwind into the loop (guarded_call.hpp).
    template <class F>
    bool call_handler(F&& fn) noexcept {
        return guarded_call(std::forward<F>(fn), [this](std::string_view what) { log_handler_error(what); });
    }

 private:
    friend struct ConnectionHooks;
    friend class sluice::Context;   // its base: Context::conn() casts down to the connection
    enum class Mode : std::uint8_t { http, websocket, teardown, dead, dialing };
    enum class Deadline : std::uint8_t { none, handshake, header, body, response, idle, ping, message, close, heartbeat, hold, hook, dial };

    // HTTP
    void read_http();
    void on_http_input(std::span<std::uint8_t> input);
    void route_request(const proto::HttpRequest& req, bool& continue_100);
    // A request from a trusted proxy: the client's address and scheme it names (connection_forwarded.cpp).
    void take_forwarded(const proto::HttpRequest& req);
    void dispatch();
    void check_exchange();
    void finish_exchange();
    void send_error(int status, std::string_view extra_headers = {}, std::string_view body = {});
    void log_request();   // the access log's line for the answered request (once)
    HttpExchange::Answer answer();
    // WebSocket
    void upgrade(const proto::HttpRequest& req, std::span<std::uint8_t> rest);
    void open_websocket(const RouteTarget& route, std::string_view subprotocol, std::span<std::uint8_t> rest);
    // the route's upgrade hook (connection_gate.cpp, app/detail/upgrade_gate.hpp)
    void consult_upgrade_hook(const RouteTarget& route, const proto::HandshakeDecision& d,
                              const proto::HttpRequest& req, std::span<std::uint8_t> rest);
    void settle_upgrade_hook();
    void upgrade_hook_unanswered(std::string_view why);   // 503: the deadline, or the server stopping
    void begin_websocket(const RouteTarget* route, proto::Role role, std::size_t max_frame, std::size_t max_message,
                         std::span<std::uint8_t> rest);
    void read_ws();
    void on_ws_message(proto::Opcode op, std::span<const std::uint8_t> bytes);
    void on_ws_end(std::uint16_t code, std::string_view reason);
    void on_ws_control(bool ping, std::span<const std::uint8_t> payload);   // counted, told to the handler
    // permessage-deflate (connection_deflate.cpp)
    void accept_deflate(const proto::HttpRequest& req, std::uint32_t target, proto::HandshakeDecision& d,
                        std::span<char> answer);
    proto::WsError on_ws_compressed(proto::Opcode op, std::span<const std::uint8_t> bytes);
    SendResult send_deflated(bool text, std::span<const std::uint8_t> payload);
    proto::WsDeflate& own_deflate();
    // the route's adapter
    void start_adapter(const RouteTarget* route);
    void end_adapter() noexcept;
    void log_handler_error(std::string_view what);
    std::string peer_to_keep() const;   // the socket's peer while none is kept, else ""
    // output
    void queue_bytes(std::span<const std::uint8_t> bytes);
    void write_frame(std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload);
    void wrote(WriteStatus s);
    void on_bound_crossed();
    void update_interest();
    void set_read_paused(bool paused);
    // endings and deadlines
    void begin_teardown();
    void uncount();   // leaves ServerState::connections, once
    void drain_input();
    void notify_closed(std::uint16_t code, std::string_view reason);
    void log_close(std::uint16_t code, std::string_view reason);
    void arm_deadline(Deadline kind, net::Clock::duration after);
    void on_deadline();
    Extras& extras();
    // the leased part (connection_active.cpp)
    ActiveState& active();   // leased on first use; a WebSocket's session made again if it was given back
    proto::WsSession<Hooks>& session() { return *active().session; }
    SocketWriter& output() { return active().output; }
    proto::WsLimits server_limits() const noexcept;
    void settle_idle() noexcept;   // an open WebSocket with nothing in flight gives it back
    void drop_active() noexcept;   // the end
    // push transports (connection_push.cpp)
    bool open_push();                    // before the handler of an SSE / long-poll route
    bool accept_ws_resume();             // the upgrade's ?since=: false = 400
    void on_subscribed(Subscription& s); // replay what a resuming client missed
    void replay_one(std::string_view epoch, std::uint64_t seq, bool text, std::string_view payload);
    void sse_heartbeat();
    SendResult stream_shared(const core::SharedBytes& bytes);
    void answer_poll(std::string_view body);
    void answer_poll_empty(bool reset);
    void read_sse();
    void end_push() noexcept;            // the exchange is over
    void push_at_shutdown();
    // the client role (client_connection.cpp)
    void dial_events(net::EventMask events);
    void on_dial_connected();
    void on_dial_input();
    void open_client();
    void on_dial_deadline();
    ClientDialer& dialer() noexcept;
    void send_shared_as_client(const core::SharedBytes& frame, std::size_t size);
    void client_closing(std::uint16_t code) noexcept;
    void client_gone() noexcept;

    Worker& worker_;
    int fd_;
    Mode mode_ = Mode::http;
    Deadline deadline_ = Deadline::none;
    WsDeflateTerms deflate_;   // RFC 7692 agreement: 2 bytes, in what was padding
    net::EventMask interest_ = 0;
    // One bit each: every idle connection carries them.
    bool read_paused_ : 1 = false;      // inbound over its bound, or an exchange in flight, or EOF
    bool shut_write_ : 1 = false;
    bool peer_eof_ : 1 = false;         // the peer's FIN arrived
    bool idle_pinged_ : 1 = false;      // our keep-alive ping is out and no byte came since (see on_deadline)
    bool awaiting_pong_ : 1 = false;    // the ping deadline now counts pong_timeout, not ping_interval
    bool budget_paused_ : 1 = false;    // not read while the server is over max_memory
    bool closed_notified_ : 1 = false;  // the end was reported (log, subscriptions, adapter)
    bool counted_ : 1 = true;           // in ServerState::connections (until teardown or death)
    bool sse_ : 1 = false;              // this exchange is an SSE stream
    bool poll_ : 1 = false;             // this exchange is a long-poll route's (GET held, POST)
    bool ws_ids_ : 1 = false;           // a WebSocket that asked for ids (?since=): envelopes
    bool forwarded_https_ : 1 = false;  // a trusted proxy said the client used https (take_forwarded)
    ConnectionKind kind_ = ConnectionKind::http;   // counted open under this kind while counted_
    bool client_ : 1 = false;           // an outgoing connection (its dialer is in extras_)
    bool ws_ever_ : 1 = false;          // upgraded: a session was made (open or not)
    bool feeding_ : 1 = false;          // inside the session's feed: its state is in use
    bool co_attached_ : 1 = false;      // handler_ is a CoroutineAdapter running the Context's Task (Context::co)
    std::uint64_t id_;

    std::unique_ptr<HttpExchange> http_;   // while HTTP (freed at the upgrade)
    // Kept for the connection's life: a WebSocket coroutine may read its upgrade request
    // at any time (Context promises it), so one compact copy stays (request_copy.hpp). It
    // holds the peer's address (from the first request on) and the negotiated subprotocol
    // too (one block for all). Borrowed from the thread during the upgrade (upgrade()).
    RequestCopy request_;

    ActiveState* active_ = nullptr;   // leased (connection_active.hpp); null while idle
    net::Timer deadline_timer_;
    std::unique_ptr<Extras> extras_;
    std::unique_ptr<SessionTally> tally_;   // a WebSocket session the access log picked; else none

    // The route's adapter, made by its RouteTarget in place when it fits (a callback or HTTP
    // route's), else in its own block (a coroutine's): none between HTTP requests.
    HandlerAdapter* handler_ = nullptr;
    alignas(void*) unsigned char adapter_[kAdapterStorage];
    // The Context is a base (the handler's view of this connection, holding the user data):
    // ~Connection drops the user data last in its body, before any member goes, as when
    // the Context was the last member.
};

// The hooks inline into the session's feed loop: one call each, straight to the connection.
inline Connection& ConnectionHooks::self() noexcept { return static_cast<Connection&>(*this); }
inline void ConnectionHooks::on_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
    self().on_ws_message(op, bytes);
}
inline void ConnectionHooks::on_ping(std::span<const std::uint8_t> payload) { self().on_ws_control(true, payload); }
inline void ConnectionHooks::on_pong(std::span<const std::uint8_t> payload) { self().on_ws_control(false, payload); }
inline proto::WsError ConnectionHooks::on_compressed_message(proto::Opcode op, std::span<const std::uint8_t> bytes) {
    return self().on_ws_compressed(op, bytes);
}
inline void ConnectionHooks::on_close(std::uint16_t code, std::string_view reason) { self().on_ws_end(code, reason); }
inline void ConnectionHooks::on_fail(std::uint16_t code) { self().on_ws_end(code, "protocol error"); }
inline void ConnectionHooks::send(std::span<const std::uint8_t> bytes) { self().queue_bytes(bytes); }
inline void ConnectionHooks::send_frame(std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload) {
    self().write_frame(head, payload);
}

}  // namespace sluice::detail
