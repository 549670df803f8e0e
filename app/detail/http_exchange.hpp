// app/detail/http_exchange.hpp — one HTTP/1.1 connection's exchanges, request after request:
// the parse state, the body being read, the unparsed tail of the input, the response being
// built, and the keep-alive and close-after decisions. Every response byte is written here,
// through proto::ResponseWriter.
//
//   phase:  head ──(head parsed; a body follows)──▶ body ──(body complete)──▶ busy
//             ▲          └──(no body)─────────────────────────────────────▶ busy
//             └────────────── next_request() (the answer is out, keep-alive) ◀──┘
//
// Reading returns steps (parse()) and answering returns WriteStatus: the connection acts on
// both (deadlines, routing, the handler, the socket). A Connection makes one at accept and
// frees it at the WebSocket upgrade, so an idle WebSocket carries none of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "app/detail/access_log.hpp"
#include "app/detail/request_copy.hpp"
#include "app/detail/socket_writer.hpp"
#include "app/detail/upgrade_gate.hpp"
#include "app/settings.hpp"
#include "net/timer.hpp"
#include "proto/http_body.hpp"
#include "proto/http_parser.hpp"
#include "proto/http_writer.hpp"

namespace sluice::detail {

class RouteTarget;

inline constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";   // the server's own answers

class HttpExchange {  // Owns the parse state, the request body, the input tail and the response headers being built.
 public:
    enum class Phase : std::uint8_t { head, body, busy };   // reading a head, reading its body, the handler's turn

    // Made at every accept and freed at every upgrade: a freed one's block is kept for the
    // next on this thread (a few: http_exchange.cpp), so the accept -> 101 path allocates none.
    static void* operator new(std::size_t size);
    static void operator delete(void* block, std::size_t size) noexcept;

    // What parse() stopped at, for the connection to act on.
    struct Step {
        enum class Kind : std::uint8_t {
            need_more,    // every input byte was used
            head_begun,   // the first byte of a request head: arm header_timeout (head_deadline())
            head,         // a request head (not an upgrade): route it
            upgrade,      // a WebSocket upgrade request head
            body_done,    // the request's body is complete: run the handler
            error,        // the request is malformed: answer `status`
        };
        Kind kind = Kind::need_more;
        int status = 0;
    };

    // What an answer needs besides the exchange: the request it answers and the server's state.
    struct Answer {
        const RequestCopy& request;
        const proto::DateCache& dates;   // updated by the caller this second
        bool shutting_down;
    };

    HttpExchange(const proto::HttpLimits& limits, net::TimePoint accepted) noexcept
        : parser_(limits), accepted_at_(accepted) {}
    ~HttpExchange();
    HttpExchange(const HttpExchange&) = delete;
    HttpExchange& operator=(const HttpExchange&) = delete;
    static proto::HttpLimits limits(const Settings& s) noexcept;   // the settings' request limits

    // ---- reading ----
    // Parses from input[pos] on, unmasking nothing and copying nothing but the body; stops at
    // the first step the connection acts on (pos then points after what was used).
    Step parse(std::span<std::uint8_t> input, std::size_t& pos, std::span<proto::HttpHeader> storage,
               proto::HttpRequest& req);
    // RFC 9110 §15.5.9 (408): the head must be complete within header_timeout of its first byte
    // (a trickle does not extend it); the first request also within handshake_timeout of the accept.
    net::Clock::duration head_deadline(const Settings& s, net::TimePoint now) const noexcept;
    // What an upgrade hook has left to decide in: handshake_timeout from the accept on the
    // connection's first request, from now (the head's end) on a later one.
    net::Clock::duration hook_deadline(const Settings& s, net::TimePoint now) const noexcept;
    // A routed request head: a body follows (returns true; phase body) or the handler's turn.
    bool begin_request(const proto::HttpRequest& req, const RouteTarget* route, const proto::HttpLimits& limits);
    void keep_tail(std::span<const std::uint8_t> rest);   // the unparsed rest, copied
    std::string& tail() noexcept { return tail_; }
    void drop_tail() noexcept;
    // The answer is out and the connection is kept: ready for the next request's head.
    void next_request();

    Phase phase() const noexcept { return phase_; }
    void set_busy() noexcept { phase_ = Phase::busy; }   // an error answers the request; its body is never read
    bool head_started() const noexcept { return head_started_; }
    const RouteTarget* route() const noexcept { return route_; }
    std::string_view body() const noexcept { return body_; }

    // ---- the keep-alive decision ----
    void close_after() noexcept { close_after_ = true; }   // close once the current answer is out
    bool closes(const RequestCopy& r, bool shutting_down) const noexcept {
        return close_after_ || !r.keep_alive() || shutting_down;
    }

    // ---- answering ----
    bool answering() const noexcept { return phase_ == Phase::busy && !responded_; }
    bool responded() const noexcept { return responded_; }
    bool complete() const noexcept { return responded_ && (!streaming_ || stream_ended_); }
    bool streaming() const noexcept { return streaming_ && !stream_ended_; }
    void add_header(std::string_view name, std::string_view value);
    // A whole response with Content-Length (none for 1xx, 204, 304; no body for HEAD).
    WriteStatus respond(SocketWriter& out, const Answer& a, int status, std::string_view body, std::string_view type);
    // RFC 9112 §7.1: chunked; an HTTP/1.0 client gets a close-delimited body.
    WriteStatus begin_stream(SocketWriter& out, const Answer& a, int status, std::string_view type);
    WriteStatus write_chunk(SocketWriter& out, bool head_request, std::span<const std::uint8_t> data);
    WriteStatus end_stream(SocketWriter& out, bool head_request);
    // An error response (proto::write_error_response); afterwards close_after tells whether
    // the connection closes (the error's kind, or the request's) or takes the next request.
    WriteStatus send_error(SocketWriter& out, const Answer& a, int status, std::string_view extra_headers = {},
                           std::string_view body = {});
    // RFC 9110 §10.1.1: the client holds its body back until told to send it.
    WriteStatus continue_100(SocketWriter& out);
    bool closing() const noexcept { return close_after_; }

    // The route's upgrade hook deciding the current request, while it decides (upgrade_gate.hpp).
    std::unique_ptr<UpgradeGate> gate;
    RequestTally tally;   // the access log's figures for the current request (access_log.hpp)

 private:
    proto::HttpRequestParser parser_;
    proto::BodyDecoder decoder_;
    std::string body_;            // the request body, whole (decoded if chunked)
    std::string tail_;            // unparsed bytes of a partial request head (or pipelined requests)
    std::string extra_headers_;   // set_header() lines for the response being built
    net::TimePoint accepted_at_;  // the first request head is bound by handshake_timeout from here
    const RouteTarget* route_ = nullptr;   // the route answering the current request
    Phase phase_ = Phase::head;
    bool head_started_ = false;   // a byte of the current request head arrived
    bool first_request_ = true;
    bool close_after_ = false;    // close once the current response is out
    bool responded_ = false;      // a response (or stream) was started
    bool streaming_ = false;
    bool stream_chunked_ = false;
    bool stream_ended_ = false;
};

}  // namespace sluice::detail
