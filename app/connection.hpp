// app/connection.hpp — one accepted socket: HTTP/1.1 exchanges, then perhaps a WebSocket.
// Internal to app/ (handlers see it through Context).
//
//   accept ─▶ http ──(request head + body)──▶ handler ──▶ response ──▶ http (keep-alive)
//               │ upgrade + 101                                   └──▶ teardown (close)
//               ▼
//             websocket ──(close handshake / failure / timeout)──▶ teardown ──▶ destroyed
//
//   teardown: write out the queue, shutdown(SHUT_WR), read and discard until the peer's
//   EOF or close_timeout, then close(): the peer's kernel never sees unread data arrive
//   after our FIN, so it never turns our last bytes (a close frame, a 400) into a reset.
//
// Input: read() lands in the reactor's receive buffer and is parsed there. HTTP keeps only
// the unparsed tail of a partial request head in `http_->tail` (copied in front of the next read);
// WebSocket keeps nothing (proto's session holds a partial frame header, and its assembly
// buffer a partial message). Output: OutputQueue, written at the end of the current
// reactor callback (Worker::Scope) with one writev per connection; a frame over half a
// pool block is written at once instead (write_frame), only the refused rest queued.
//
// Memory: an idle upgraded WebSocket is the Connection object (session inline), its request
// copy and its handler's frame. What only HTTP needs lives in `http_` (app/http_exchange.hpp,
// freed at the upgrade); what few connections use lives in `extras_`, made on first use.
//
// Lifetime: the Worker owns every Connection; destroy() only marks it dead and hands it to
// the worker, which deletes it once no callback is on the stack, so a handler may close its
// own connection at any point.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <list>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "app/message.hpp"
#include "app/http_exchange.hpp"
#include "app/output_queue.hpp"
#include "app/request_copy.hpp"
#include "app/router.hpp"
#include "app/task.hpp"
#include "app/topics.hpp"
#include "net/reactor.hpp"
#include "net/timer.hpp"
#include "proto/ws_session.hpp"

namespace sluice::detail {

class Worker;
struct RouteTarget;

class Connection final : public net::IoWatcher {  // Owns its fd, queues, session, timers and handler frame.
 public:
    Connection(Worker& worker, int fd, std::uint64_t id);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();                                    // register with the reactor, arm timers, log
    void on_events(net::EventMask events) noexcept override;

    // ---- called by the Worker ----
    void flush();                                    // write the queue (end of a callback)
    void progress();                                 // a suspended HTTP exchange may have finished
    void shutdown_gracefully();                      // server stopping: 1001 / finish and close
    void destroy(std::uint16_t code = 1006, std::string_view reason = {});   // close the socket now
    bool dead() const noexcept { return mode_ == Mode::dead; }
    bool is_ws() const noexcept { return mode_ == Mode::websocket; }
    bool ws_ever() const noexcept { return session_.has_value(); }   // upgraded (open or not)
    void send_shared(const core::SharedBytes& frame, std::size_t size);   // a published frame

    // Worker's bookkeeping
    std::uint32_t live_index = 0;   // index in Worker::live_ (fds are ints: 32 bits suffice)
    bool in_dirty = false;
    bool in_progress = false;

    // ---- called by Context ----
    const RequestCopy& request() const noexcept { return request_; }
    std::string_view body() const noexcept { return http_ ? std::string_view(http_->body) : std::string_view(); }
    std::string_view peer() const noexcept { return request_.peer(); }
    std::string_view subprotocol() const noexcept { return subprotocol_; }
    Worker& worker() noexcept { return worker_; }

    void respond(int status, std::string_view body, std::string_view content_type);
    void add_header(std::string_view name, std::string_view value);
    bool responded() const noexcept { return http_ && http_->responded; }
    void begin_stream(int status, std::string_view content_type);
    SendResult write_chunk(std::span<const std::uint8_t> data);
    void end_stream();

    SendResult send_message(bool text, std::span<const std::uint8_t> payload);
    bool over_backpressure() const noexcept;
    bool can_send() const noexcept;
    void close(std::uint16_t code, std::string_view reason);
    void ping(std::span<const std::uint8_t> payload);
    std::size_t buffered() const noexcept { return output_.size(); }

    // coroutine glue
    void wait_send(std::coroutine_handle<> h) noexcept { send_waiter_ = h; }
    bool receive_ready() const noexcept;
    void wait_receive(std::coroutine_handle<> h, std::optional<std::chrono::milliseconds> timeout);
    std::optional<Message> take_message();

    void subscribe(std::string_view topic);
    void unsubscribe(std::string_view topic);
    bool subscribed(std::string_view topic) const;

    TimerId add_timer(std::chrono::milliseconds period, bool repeat, std::function<void()> fn);
    void cancel_timer(TimerId id);

    Context& context() noexcept { return ctx_; }

    // The hooks proto::WsSession calls (a WsHooks concept).
    struct Hooks {
        Connection* c;
        void on_message(proto::Opcode op, std::span<const std::uint8_t> bytes) { c->on_ws_message(op, bytes); }
        void on_ping(std::span<const std::uint8_t>) {}
        void on_pong(std::span<const std::uint8_t>) {}
        void on_close(std::uint16_t code, std::string_view reason) { c->on_ws_close(code, reason); }
        void on_fail(std::uint16_t code) { c->on_ws_fail(code); }
        void send(std::span<const std::uint8_t> bytes) { c->queue_bytes(bytes); }
        void send_frame(std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload) {
            c->write_frame(head, payload);
        }
    };

 private:
    enum class Mode : std::uint8_t { http, websocket, teardown, dead };
    enum class Phase : std::uint8_t { head, body, busy };   // HTTP: reading head, body, handler running
    // Every state has one (app/README.md "Deadlines"): handshake and header while a head is
    // read, body while its body is, response while the handler has not answered, idle
    // between requests and on a WebSocket, close while tearing down.
    enum class Deadline : std::uint8_t { none, handshake, header, body, response, idle, close };
    struct UserTimer {
        net::Timer timer;
        std::function<void()> fn;
        std::chrono::milliseconds period{0};
        bool repeat = false;
    };
    struct Inbound {
        bool text = true;
        std::string bytes;
    };
    static constexpr std::size_t kSpareInboundBytes = 1024;

    void on_readable();
    void read_http();
    void read_ws();
    void drain_input();
    void process_http(std::span<std::uint8_t> input, std::size_t& pos);
    void keep_tail(std::span<const std::uint8_t> rest);
    void head_complete(const proto::HttpRequest& req);
    void copy_request(const proto::HttpRequest& req);
    void dispatch();
    bool exchange_complete() const noexcept;
    void check_exchange();
    void finish_exchange();
    void upgrade(const proto::HttpRequest& req, std::span<std::uint8_t> rest);
    void send_error(int status, std::string_view extra_headers = {}, std::string_view body = {});
    void begin_teardown();
    void queue_bytes(std::span<const std::uint8_t> bytes);
    void write_frame(std::span<const std::uint8_t> head, std::span<const std::uint8_t> payload);
    void mark_dirty();
    void update_interest();
    void check_backpressure();
    void arm_deadline(Deadline kind, net::Clock::duration after);
    void on_deadline();
    void resume_task();
    void notify_closed(std::uint16_t code, std::string_view reason);
    void on_ws_message(proto::Opcode op, std::span<const std::uint8_t> bytes);
    void on_ws_close(std::uint16_t code, std::string_view reason);
    void on_ws_fail(std::uint16_t code);
    void log_close(std::uint16_t code, std::string_view reason);
    void drop_subscriptions();

    // Rarely used parts, allocated on first use: an idle connection has none.
    struct Extras {   // Owns the user timers, the subscriptions' handles and the coroutine inbox.
        net::Timer backpressure_timer;
        net::Timer receive_timer;
        std::map<TimerId, std::unique_ptr<UserTimer>> timers;
        TimerId next_timer_id = 1;
        std::vector<Subscription*> subscriptions;
        std::list<Inbound> inbox;   // a list: an empty one allocates nothing (std::deque would)
        std::list<Inbound> spare;   // 0 or 1 node recycled into inbox (storage <= kSpareInboundBytes)
        std::size_t inbox_bytes = 0;
        Inbound current{true, {}};
    };
    Extras& extras();

    Worker& worker_;
    int fd_;
    Mode mode_ = Mode::http;
    Phase phase_ = Phase::head;
    Deadline deadline_ = Deadline::none;
    net::EventMask interest_ = 0;
    // One bit each: every idle connection carries them.
    bool want_write_ : 1 = false;       // the kernel refused bytes; waiting for kWritable
    bool read_paused_ : 1 = false;      // inbound queue over its bound, or an exchange in flight
    bool head_started_ : 1 = false;     // a byte of the current request head arrived
    bool first_request_ : 1 = true;
    bool shut_write_ : 1 = false;
    bool peer_eof_ : 1 = false;         // the peer's FIN arrived
    bool idle_pinged_ : 1 = false;      // a quiet WebSocket was pinged (see on_deadline)
    bool close_after_ : 1 = false;      // HTTP: close once the current response is out
    bool closed_notified_ : 1 = false;
    bool over_bound_ : 1 = false;
    std::uint64_t id_;
    net::TimePoint last_read_;

    std::unique_ptr<HttpExchange> http_;   // while HTTP (freed at the upgrade)
    // Kept for the connection's life: a WebSocket coroutine may read its upgrade request
    // at any time (Context promises it), so one compact copy stays (app/request_copy.hpp).
    // It holds the peer's address too (one block for both).
    RequestCopy request_;
    const RouteTarget* target_ = nullptr;

    Hooks hooks_{this};
    std::optional<proto::WsSession<Hooks>> session_;   // inline: no second allocation
    std::string_view subprotocol_;   // into target_->subprotocols (the router outlives every connection)

    OutputQueue output_;
    net::Timer deadline_timer_;
    std::unique_ptr<Extras> extras_;

    Task task_;
    std::coroutine_handle<> receive_waiter_;
    std::coroutine_handle<> send_waiter_;

    Context ctx_;   // last: destroyed first (user data may refer to the rest)
};

}  // namespace sluice::detail
