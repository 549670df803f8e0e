// app/detail/redis_link.hpp — one TCP connection to Redis on a reactor: it connects,
// writes commands, reads replies, and when the connection fails it reconnects with backoff.
// Internal to app/ (RedisBroker owns two: the publisher and the subscriber).
//
//   disconnected ─start()/retry timer─▶ connecting ─writable, SO_ERROR 0─▶ ready
//        ▲                                   │ refused, connect_timeout       │ EOF, reset, bad
//        └──── fail(): on_down(why), ◀───────┴──────────────────────────────◀─┘ reply, silence
//              retry in backoff (doubles up to max; back to min after a reply)
//
// Commands are queued encoded, with each one's size, so a connection lost in the middle of a
// command rewinds to that command's first byte and the next connection sends it whole (Redis
// never ran a half-received command). Commands written whole whose reply never came are
// "unconfirmed": Redis may or may not have run them; they are counted, not resent (PUBLISH is
// at most once).
//
// Health: after health_interval without a byte from Redis, a PING; no byte for reply_timeout
// after it (Redis stopped, a silent network) fails the connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/reactor.hpp"
#include "net/timer.hpp"
#include "proto/resp_parser.hpp"

namespace sluice::detail {

struct RedisLinkOptions {
    std::string name;                  // "publisher" / "subscriber", in log lines
    std::string host;
    std::uint16_t port = 6379;
    std::chrono::milliseconds connect_timeout{2'000};
    std::chrono::milliseconds retry_min{100};
    std::chrono::milliseconds retry_max{5'000};
    std::chrono::milliseconds health_interval{1'000};
    std::chrono::milliseconds reply_timeout{5'000};
    std::uint64_t max_bulk = 64u << 20;   // largest bulk string read (a message and its envelope)
    std::string username;                 // AUTH [username] password, first on every connection
    std::string password;                 // empty: no AUTH
};

class RedisLink final : public net::IoWatcher {  // Owns its fd, buffers and timers; one loop thread.
 public:
    // What a queued command's reply means to the owner; the link hands it back with the reply.
    using Tag = std::uint8_t;
    static constexpr Tag kPing = 0;   // the link's own health check: its reply is not handed on
    static constexpr Tag kAuth = 255; // the link's AUTH: refused -> the connection fails (matched links)

    struct Events {
        std::function<void()> on_ready;   // connected; nothing is in flight
        // One complete reply. `tag` is the oldest written command's tag when the replies
        // match commands one to one (the publisher), else kPing (the subscriber: pushes).
        std::function<void(std::span<const proto::RespValue> reply, Tag tag)> on_reply;
        std::function<void(std::string_view why, std::chrono::milliseconds retry_in)> on_down;
    };

    // `matched`: replies come one per command, in order (false on a subscribed connection).
    RedisLink(net::Reactor& reactor, RedisLinkOptions options, bool matched, Events events);
    ~RedisLink();
    RedisLink(const RedisLink&) = delete;
    RedisLink& operator=(const RedisLink&) = delete;

    void start();   // connect now (then on every failure, after the backoff)
    bool ready() const noexcept { return state_ == State::ready; }

    // Queues one command; written at once when ready.
    void send(std::span<const std::string_view> args, Tag tag);
    // Queues already-encoded commands (sizes: each one's bytes, in order), all with `tag`.
    void append(std::string_view encoded, std::span<const std::uint32_t> sizes, Tag tag);
    void flush();   // writes what the socket takes (a no-op unless ready)

    std::size_t unsent_bytes() const noexcept { return out_.size() - first_unsent_; }
    std::size_t unsent_commands() const noexcept { return unsent_.size(); }
    std::uint64_t unconfirmed() const noexcept { return unconfirmed_; }   // in all
    std::uint64_t protocol_errors() const noexcept { return protocol_errors_; }

    void on_events(net::EventMask events) noexcept override;

 private:
    enum class State : std::uint8_t { disconnected, connecting, ready };
    struct Unsent {
        std::uint32_t size;
        Tag tag;
    };

    void connect();
    void fail(std::string_view why);
    void on_connected();
    void queue_auth_first();
    void read();
    bool parse();   // false: the connection failed
    void health_check();
    void update_interest();

    net::Reactor& reactor_;
    RedisLinkOptions options_;
    bool matched_;
    Events events_;
    State state_ = State::disconnected;
    int fd_ = -1;
    std::chrono::milliseconds retry_delay_;

    std::string out_;                 // queued commands; [first_unsent_, size) not yet fully written
    std::size_t first_unsent_ = 0;    // start of the first command not written whole
    std::size_t written_ = 0;         // bytes of out_ written (>= first_unsent_)
    std::deque<Unsent> unsent_;       // the commands from first_unsent_ on
    std::deque<Tag> awaiting_;        // written whole, reply not yet read (matched links)
    std::uint64_t unconfirmed_ = 0;
    std::uint64_t protocol_errors_ = 0;

    std::string in_;                  // bytes read, [in_start_, size) not yet parsed
    std::size_t in_start_ = 0;
    std::size_t in_wanted_ = 0;       // parse again once this many unparsed bytes are here
    std::vector<proto::RespValue> values_;

    net::Timer connect_timer_;
    net::Timer retry_timer_;
    net::Timer health_timer_;
    net::TimePoint last_read_{};
    net::TimePoint ping_sent_{};
    bool ping_outstanding_ = false;
};

}  // namespace sluice::detail
