// app/detail/client_connection.cpp — a Connection in the client role while it dials: TCP
// connect, the request, the server's answer; then it becomes a WebSocket like any other
// (Connection::begin_websocket, in the client role). The handshake's state is the dialer's
// (client_dialer.hpp, client_handshake.hpp); what is here is the glue to the connection.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "app/detail/client_dialer.hpp"
#include "app/detail/connection.hpp"
#include "app/detail/extras.hpp"
#include "app/detail/worker.hpp"
#include "net/socket.hpp"
#include "proto/http_parser.hpp"
#include "proto/ws_frame.hpp"

namespace sluice::detail {

Connection::Connection(Worker& worker, int fd, std::uint64_t id, ClientDialer& dialer) : Connection(worker, fd, id) {
    http_.reset();   // no HTTP exchange: the client's handshake is the dialer's
    client_ = true;
    extras().dialer = &dialer;   // in Extras: a server's connection carries no pointer for it
    mode_ = Mode::dialing;
}

ClientDialer& Connection::dialer() noexcept { return *extras_->dialer; }

void Connection::start_client(std::string_view address) {
    request_.set_peer(address);
    // kWritable reports the connect's end (success; a failure comes as kError / kHangup).
    interest_ = net::kWritable;
    if (!worker_.reactor.add(fd_, interest_, this)) {
        dialer().connect_failed("connect to " + std::string(address) + ": cannot watch the socket");
        destroy();
        return;
    }
    arm_deadline(Deadline::dial, dialer().spec().options.connect_timeout);
    if (worker_.state.logging_connections())
        worker_.state.log("connect #" + std::to_string(id_) + " " + std::string(address) + " " + dialer().spec().url);
}

void Connection::dial_events(net::EventMask events) {
    if (!dialer().connected()) {
        on_dial_connected();
        return;
    }
    if ((events & net::kWritable) != 0) flush();
    if (mode_ != Mode::dialing) return;
    if ((events & (net::kReadable | net::kHangup | net::kError)) != 0) on_dial_input();
}

void Connection::on_dial_connected() {
    const int error = net::socket_error(fd_);
    if (error != 0) {
        dialer().connect_failed("connect to " + std::string(peer()) + ": " + std::strerror(error));
        destroy();
        return;
    }
    dialer().on_connected();
    const Settings& s = worker_.settings;
    net::set_nodelay(fd_, s.nodelay);
    // RFC 6455 §4.1: the opening handshake, then wait for the server's whole answer.
    queue_bytes(bytes_of(dialer().handshake().request()));
    interest_ = 0;
    update_interest();   // readable (and writable while the request is queued)
    arm_deadline(Deadline::dial, dialer().spec().options.handshake_timeout);
}

void Connection::on_dial_input() {
    std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    const net::IoResult r = net::read_some(fd_, buffer);
    if (r.status == net::IoStatus::would_block) return;
    ClientHandshake& handshake = dialer().handshake();
    const ClientHandshake::Result result = r.status == net::IoStatus::ok ? handshake.feed(buffer.first(r.bytes))
                                                                         : handshake.end_of_stream(r.error);
    switch (result) {
        case ClientHandshake::Result::need_more: return;
        case ClientHandshake::Result::failed:
            dialer().attempt_failed(handshake.error());
            destroy();
            return;
        case ClientHandshake::Result::open: open_client(); return;
    }
}

// The 101 keeps every §4.1 rule: the conversation starts, as a server's does after its 101.
void Connection::open_client() {
    ClientHandshake& handshake = dialer().handshake();
    // Context shows the request we sent (method, path, query, our headers), parsed back.
    const std::string_view request = handshake.request();
    proto::HttpRequestParser parser;
    proto::HttpRequest parsed;
    const auto bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(request.data()), request.size());
    if (parser.parse_head(bytes, worker_.header_storage, parsed).status == proto::ParseStatus::done) request_.assign(parsed);
    if (!handshake.subprotocol().empty()) request_.set_subprotocol(handshake.subprotocol());
    ClientDialer& d = dialer();   // kept: a handler may end this connection while frames are fed
    d.on_open();
    begin_websocket(d.spec().route.get(), proto::Role::client, d.spec().options.max_message_size,
                    d.spec().options.max_message_size, {});
    // The frames that came with the 101, through the receive buffer (the session unmasks and
    // delivers in place, as for any read), in pieces of its size: a head split across reads
    // can leave more than one buffer of frames behind it.
    const std::span<std::uint8_t> rest = handshake.rest();
    const std::span<std::uint8_t> buffer = worker_.reactor.receive_buffer();
    for (std::size_t at = 0; at < rest.size() && mode_ == Mode::websocket;) {
        const std::size_t n = std::min(rest.size() - at, buffer.size());
        std::memcpy(buffer.data(), rest.data() + at, n);
        session().feed(buffer.first(n));
        at += n;
    }
    d.handshake().release();   // the response and its buffer are not needed any more
}

void Connection::on_dial_deadline() {
    if (mode_ != Mode::dialing) return;
    const ClientOptions& o = dialer().spec().options;
    if (!dialer().connected()) {
        dialer().connect_failed("connect to " + std::string(peer()) + ": no answer within " +
                                    std::to_string(o.connect_timeout.count()) + " ms (connect_timeout)",
                                true);
    } else {
        ClientError e;
        e.kind = ClientError::Kind::timeout;
        e.message = dialer().spec().url + ": no complete handshake response within " +
                    std::to_string(o.handshake_timeout.count()) + " ms (handshake_timeout)";
        dialer().attempt_failed(e);
    }
    destroy();
}

// A published frame is a server's (encoded once, unmasked, for every subscriber); a client
// must mask each frame (§5.1), so the payload is framed again by its session.
void Connection::send_shared_as_client(const core::SharedBytes& frame, std::size_t size) {
    const std::span<const std::uint8_t> bytes = frame.bytes().first(size);
    proto::FrameHeader h;
    const std::size_t n = proto::decode_frame_header(bytes, h);
    if (n != 0) session().send_message(h.opcode, bytes.subspan(n));
}

void Connection::client_closing(std::uint16_t code) noexcept { dialer().on_closing(code, session().close_received()); }

void Connection::client_gone() noexcept {
    ClientDialer* d = std::exchange(extras_->dialer, nullptr);
    if (d != nullptr) d->connection_gone();
}

}  // namespace sluice::detail
