// app/detail/http_exchange.cpp
#include "app/detail/http_exchange.hpp"

#include <array>
#include <cstddef>
#include <new>

#include "proto/ws_handshake.hpp"

namespace sluice::detail {

namespace {

// This thread's freed HttpExchange blocks, reused before the heap is asked (a fixed array:
// keeping one never allocates). Freed with the thread.
struct ExchangeSpares {
    static constexpr std::size_t kMax = 32;   // 9 KiB at most per thread
    std::array<void*, kMax> blocks{};
    std::size_t count = 0;
    ExchangeSpares() = default;
    ExchangeSpares(const ExchangeSpares&) = delete;
    ExchangeSpares& operator=(const ExchangeSpares&) = delete;
    ~ExchangeSpares() {
        for (std::size_t i = 0; i < count; ++i) ::operator delete(blocks[i]);
    }
};

thread_local ExchangeSpares t_exchange_spares;

}  // namespace

void* HttpExchange::operator new(std::size_t size) {
    ExchangeSpares& s = t_exchange_spares;
    if (size == sizeof(HttpExchange) && s.count > 0) return s.blocks[--s.count];
    return ::operator new(size);
}

void HttpExchange::operator delete(void* block, std::size_t size) noexcept {
    ExchangeSpares& s = t_exchange_spares;
    if (size == sizeof(HttpExchange) && s.count < ExchangeSpares::kMax) {
        s.blocks[s.count++] = block;
        return;
    }
    ::operator delete(block);
}

HttpExchange::~HttpExchange() = default;

proto::HttpLimits HttpExchange::limits(const Settings& s) noexcept {
    proto::HttpLimits l;
    l.max_request_line = s.max_request_line;
    l.max_header_section = s.http_buffer_size;
    l.max_headers = s.max_headers;
    l.max_body = s.max_body_size;
    return l;
}

// ---- reading -----------------------------------------------------------------------------------

HttpExchange::Step HttpExchange::parse(std::span<std::uint8_t> input, std::size_t& pos,
                                       std::span<proto::HttpHeader> storage, proto::HttpRequest& req) {
    if (phase_ == Phase::head) {
        if (!head_started_) {
            head_started_ = true;
            return {Step::Kind::head_begun};
        }
        const proto::HeadResult r = parser_.parse_head(input.subspan(pos), storage, req);
        if (r.status == proto::ParseStatus::need_more) return {Step::Kind::need_more};
        if (r.status == proto::ParseStatus::error) return {Step::Kind::error, proto::http_status(r.error)};
        pos += r.consumed;
        return {proto::is_upgrade_request(req) ? Step::Kind::upgrade : Step::Kind::head};
    }
    // Phase::body: decoded in place, then appended to the request body.
    const proto::BodyResult r = decoder_.decode(input.subspan(pos));
    body_.append(reinterpret_cast<const char*>(input.data() + pos), r.produced);
    pos += r.consumed;
    if (r.status == proto::ParseStatus::error) return {Step::Kind::error, proto::http_status(r.error)};
    if (r.status == proto::ParseStatus::need_more) return {Step::Kind::need_more};
    phase_ = Phase::busy;
    return {Step::Kind::body_done};
}

net::Clock::duration HttpExchange::head_deadline(const Settings& s, net::TimePoint now) const noexcept {
    net::Clock::duration limit = s.header_timeout;
    if (first_request_) {
        const auto left = accepted_at_ + s.handshake_timeout - now;
        if (left < limit) limit = left;
    }
    return limit;
}

net::Clock::duration HttpExchange::hook_deadline(const Settings& s, net::TimePoint now) const noexcept {
    return first_request_ ? accepted_at_ + s.handshake_timeout - now : net::Clock::duration(s.handshake_timeout);
}

bool HttpExchange::begin_request(const proto::HttpRequest& req, const RouteTarget* route,
                                 const proto::HttpLimits& limits) {
    body_.clear();
    responded_ = streaming_ = stream_ended_ = false;
    extra_headers_.clear();
    route_ = route;
    if (route != nullptr && req.body_follows()) {
        decoder_.start(req, limits);
        phase_ = Phase::body;
        return true;
    }
    // No route: the unread body cannot be skipped safely, so the error answer closes.
    if (route == nullptr && req.body_follows()) close_after_ = true;
    phase_ = Phase::busy;
    return false;
}

void HttpExchange::keep_tail(std::span<const std::uint8_t> rest) {
    tail_.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
    if (tail_.empty()) tail_.shrink_to_fit();   // an idle connection owns no input buffer
}

void HttpExchange::drop_tail() noexcept {
    tail_.clear();
    tail_.shrink_to_fit();
}

void HttpExchange::next_request() {
    first_request_ = false;
    phase_ = Phase::head;
    head_started_ = false;
    parser_.reset();
    body_.clear();
    body_.shrink_to_fit();
    route_ = nullptr;
}

// ---- answering ---------------------------------------------------------------------------------

void HttpExchange::add_header(std::string_view name, std::string_view value) {
    if (responded_) return;
    extra_headers_.append(name).append(": ").append(value).append("\r\n");
}

WriteStatus HttpExchange::respond(SocketWriter& out, const Answer& a, int status, std::string_view body,
                                  std::string_view type) {
    responded_ = true;
    const bool close = closes(a.request, a.shutting_down);
    std::string head(256 + extra_headers_.size() + type.size(), '\0');
    proto::ResponseWriter w(std::span<char>(head.data(), head.size()));
    w.set_head_request(a.request.head());
    w.status_line(status);   // 1xx, 204, 304: no Content-Length and no body (the writer's rule)
    w.date(a.dates);
    if (!type.empty() && w.body_allowed()) w.header("Content-Type", type);
    w.fields(extra_headers_);
    w.content_length(body.size());
    if (close) {
        w.header("Connection", "close");
    } else if (a.request.http10()) {
        w.header("Connection", "keep-alive");
    }
    w.end_head();
    if (!w.ok()) {   // a handler's header did not validate
        responded_ = false;
        extra_headers_.clear();
        return respond(out, a, 500, "invalid response header\n", kTextPlain);
    }
    WriteStatus s = out.queue(bytes_of(w.view()));
    if (!a.request.head() && w.body_allowed()) s |= out.queue(bytes_of(body));
    if (close) close_after_ = true;
    return s;
}

WriteStatus HttpExchange::begin_stream(SocketWriter& out, const Answer& a, int status, std::string_view type) {
    responded_ = streaming_ = true;
    // RFC 9112 §7.1: chunked needs HTTP/1.1; an HTTP/1.0 client gets a close-delimited body.
    const bool chunked = stream_chunked_ = !a.request.http10();
    const bool close = closes(a.request, a.shutting_down) || !chunked;
    std::string head(256 + extra_headers_.size() + type.size(), '\0');
    proto::ResponseWriter w(std::span<char>(head.data(), head.size()));
    w.status_line(status);
    w.date(a.dates);
    if (!type.empty()) w.header("Content-Type", type);
    w.fields(extra_headers_);
    if (chunked) w.chunked();
    if (close) w.header("Connection", "close");
    w.end_head();
    if (close) close_after_ = true;
    return out.queue(bytes_of(w.view()));
}

WriteStatus HttpExchange::write_chunk(SocketWriter& out, bool head_request, std::span<const std::uint8_t> data) {
    if (head_request || data.empty()) return {};   // RFC 9110 §9.3.2: HEAD gets no body
    if (!stream_chunked_) return out.queue(data);
    // The size line and the CRLF around the caller's bytes, which are queued without a copy
    // into a chunk of their own.
    std::array<char, 24> line;
    proto::ResponseWriter size_line(line);
    size_line.chunk_size(data.size());
    WriteStatus s = out.queue(bytes_of(size_line.view()));
    s |= out.queue(data);
    proto::ResponseWriter end(line);
    end.chunk_end();
    s |= out.queue(bytes_of(end.view()));
    return s;
}

WriteStatus HttpExchange::end_stream(SocketWriter& out, bool head_request) {
    stream_ended_ = true;
    if (!stream_chunked_) return {};
    std::array<char, 8> buf;
    proto::ResponseWriter w(buf);
    w.set_head_request(head_request);
    w.last_chunk();   // RFC 9112 §7.1: "0\r\n\r\n", no trailers
    return out.queue(bytes_of(w.view()));
}

WriteStatus HttpExchange::send_error(SocketWriter& out, const Answer& a, int status, std::string_view extra_headers,
                                     std::string_view body) {
    const bool closes_anyway = proto::error_closes_connection(status);
    const bool close = closes_anyway || closes(a.request, a.shutting_down) || phase_ != Phase::busy;
    // RFC 9110 §6.6.1: an origin server with a clock MUST send Date, in error responses too.
    std::string extra = "Date: " + std::string(a.dates.value()) + "\r\n";
    extra += extra_headers;
    if (close && !closes_anyway) extra += "Connection: close\r\n";
    std::array<char, 2048> buf;
    const std::size_t n = proto::write_error_response(status, buf, extra, body);
    responded_ = true;
    if (close) close_after_ = true;
    return out.queue(bytes_of(std::string_view(buf.data(), n)));
}

WriteStatus HttpExchange::continue_100(SocketWriter& out) {
    std::array<char, 32> buf;
    proto::ResponseWriter w(buf);
    w.continue_100();
    return out.queue(bytes_of(w.view()));
}

}  // namespace sluice::detail
