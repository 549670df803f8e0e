// app/detail/push_formats.cpp
#include "app/detail/push_formats.hpp"

#include <span>

#include "app/detail/topic_history.hpp"
#include "app/json.hpp"

namespace sluice::detail {

std::string sse_event_bytes(const proto::SseMessage& m) {
    const proto::SseEncodeResult need = proto::sse_encoded_size(m);
    if (need.error != proto::SseEncodeError::none) return {};
    std::string out(need.size, '\0');
    const proto::SseEncodeResult r =
        proto::encode_sse(m, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
    if (r.error != proto::SseEncodeError::none) return {};
    out.resize(r.size);
    return out;
}

std::string sse_message_bytes(std::string_view epoch, std::uint64_t seq, std::string_view data) {
    proto::SseMessage m;
    m.data = data;
    std::string id;
    if (seq != 0) {
        append_event_id(id, epoch, seq);
        m.id = id;
    }
    return sse_event_bytes(m);
}

std::string sse_reset_bytes(std::string_view epoch, std::uint64_t last) {
    std::string id;
    append_event_id(id, epoch, last);
    proto::SseMessage m;
    m.id = id;
    m.event = "reset";
    m.data = id;
    return sse_event_bytes(m);
}

void begin_poll_body(std::string& out, std::string_view epoch) {
    out.append("{\"epoch\":");
    json::append_string(out, epoch);
    out.append(",\"messages\":[");
}

void append_poll_message(std::string& out, std::string_view epoch, std::uint64_t seq, std::string_view data) {
    if (out.back() != '[') out.push_back(',');
    std::string id;
    append_event_id(id, epoch, seq);
    out.append("{\"id\":");
    json::append_string(out, id);
    out.append(",\"data\":");
    json::append_string(out, data);
    out.push_back('}');
}

void end_poll_body(std::string& out, bool reset) { out.append(reset ? "],\"reset\":true}" : "],\"reset\":false}"); }

std::string ws_envelope(std::string_view epoch, std::uint64_t seq, std::string_view data) {
    std::string id;
    append_event_id(id, epoch, seq);
    std::string out = "{\"id\":";
    json::append_string(out, id);
    out.append(",\"data\":");
    json::append_string(out, data);
    out.push_back('}');
    return out;
}

std::string ws_reset_envelope(std::string_view epoch, std::uint64_t last) {
    std::string id;
    append_event_id(id, epoch, last);
    std::string out = "{\"reset\":true,\"id\":";
    json::append_string(out, id);
    out.push_back('}');
    return out;
}

std::string as_chunk(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string size;
    for (std::size_t n = bytes.size(); n != 0 || size.empty(); n >>= 4) size.insert(size.begin(), kHex[n & 0xF]);
    std::string out;
    out.reserve(size.size() + bytes.size() + 4);
    out.append(size).append("\r\n").append(bytes).append("\r\n");
    return out;
}

}  // namespace sluice::detail
