// app/detail/connection_deflate.cpp — a connection's permessage-deflate (RFC 7692): the
// answer at the upgrade, inflating what arrives with RSV1, compressing what it sends. The
// codecs and buffers are the worker's (DeflateScratch) unless the agreement keeps a context,
// then the connection's own (in Extras, from first use). See app/detail/ws_compression.hpp.
#include "app/detail/connection.hpp"
#include "app/detail/extras.hpp"
#include "app/detail/worker.hpp"
#include "core/utf8.hpp"

namespace sluice::detail {

void Connection::accept_deflate(const proto::HttpRequest& req, std::uint32_t target, proto::HandshakeDecision& d,
                                std::span<char> answer) {
    deflate_ = {};   // a kept-alive connection's earlier upgrade, rejected by its hook, agreed nothing
    if (d.status != 101) return;
    std::string_view extensions;
    if (worker_.state.compression.negotiate(target, req.headers, deflate_, answer, extensions)) {
        d.extensions = extensions;
    }
}

proto::WsDeflate& Connection::own_deflate() {
    Extras& e = extras();
    if (!e.deflate) {
        const Compression& c = worker_.state.compression.profile(deflate_.profile());
        e.deflate = std::make_unique<proto::WsDeflate>(
            proto::Role::server, deflate_.agreement(),
            c.level == Compression::Level::fast ? core::DeflateLevel::fast : core::DeflateLevel::normal);
    }
    return *e.deflate;
}

// RFC 7692 §7.2.2: the payload (+ 00 00 ff ff) inflated, at most max_message_size bytes
// (RFC 6455 §10.4: a bomb ends there, 1009); text is UTF-8 checked on the inflated bytes
// (RFC 6455 §8.1: 1007). The handler gets a view, as for any message.
proto::WsError Connection::on_ws_compressed(proto::Opcode op, std::span<const std::uint8_t> bytes) {
    DeflateScratch& scratch = worker_.deflate;
    proto::WsDeflate& codec =
        deflate_.client_takeover() ? own_deflate() : scratch.inflater(deflate_.client_window_bits());
    const proto::WsDeflateResult r = scratch.inflate(codec, bytes, worker_.settings.max_message_size);
    proto::WsError e = proto::ws_error_of(r.status);
    if (e == proto::WsError::none && op == proto::Opcode::text &&
        !core::is_valid_utf8(
            std::string_view(reinterpret_cast<const char*>(scratch.inflated(r.size).data()), r.size))) {
        e = proto::WsError::invalid_utf8;
    }
    if (e == proto::WsError::none) on_ws_message(op, scratch.inflated(r.size));
    scratch.trim_inflated();
    return e;
}

// RFC 7692 §7.2.1: compressed, RSV1 on the frame. A message that does not shrink goes out
// plain (§6.1 allows either per message); a compressor with context then forgets it, since
// the peer's window never saw those bytes.
SendResult Connection::send_deflated(bool text, std::span<const std::uint8_t> payload) {
    const Compression& c = worker_.state.compression.profile(deflate_.profile());
    DeflateScratch& scratch = worker_.deflate;
    const bool own = deflate_.server_takeover();
    proto::WsDeflate& codec = own ? own_deflate() : scratch.compressor(c.level, deflate_.server_window_bits());
    const std::span<std::uint8_t> out = scratch.output(codec.compress_bound(payload.size()));
    const proto::WsDeflateResult r = codec.compress(payload, out);
    const proto::Opcode op = text ? proto::Opcode::text : proto::Opcode::binary;
    const bool backlog = output().want_write();
    if (r.status == proto::WsDeflateStatus::ok && r.size < payload.size()) {
        session().send_compressed_message(op, out.first(r.size));
    } else {
        if (own) codec.forget_sent();
        session().send_message(op, payload);
    }
    scratch.trim_output();  // not the inflated message: the handler sending may still read it
    return backlog ? SendResult::queued : SendResult::sent;
}

}  // namespace sluice::detail
