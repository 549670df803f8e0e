// app/detail/publication.cpp
#include "app/detail/publication.hpp"

#include <cstring>

#include "app/detail/push_formats.hpp"
#include "proto/ws_frame.hpp"

namespace sluice::detail {

core::SharedBytes Publication::share(std::string_view bytes) {
    core::SharedBytes b = core::SharedBytes::create(&pool_, bytes.size());
    if (b && !bytes.empty()) std::memcpy(b.writable().data(), bytes.data(), bytes.size());
    return b;
}

const core::SharedBytes& Publication::ws_envelope() {
    if (!envelope_) {
        const std::string json = detail::ws_envelope(epoch_, seq_, text_view());
        std::uint8_t header[proto::kMaxFrameHeader];
        const std::size_t h = proto::encode_frame_header(header, proto::Opcode::text, true, json.size());
        std::string frame(reinterpret_cast<const char*>(header), h);
        frame += json;
        envelope_ = share(frame);
    }
    return envelope_;
}

const core::SharedBytes& Publication::sse(bool chunked) {
    core::SharedBytes& form = chunked ? sse_chunked_ : sse_plain_;
    if (!form) {
        const std::string event = sse_message_bytes(epoch_, seq_, text_view());
        form = share(chunked ? as_chunk(event) : event);
    }
    return form;
}

const std::string& Publication::poll_body() {
    if (poll_body_.empty()) {
        begin_poll_body(poll_body_, epoch_);
        append_poll_message(poll_body_, epoch_, seq_, text_view());
        end_poll_body(poll_body_, false);
    }
    return poll_body_;
}

}  // namespace sluice::detail
