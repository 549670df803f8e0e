// app/detail/client_handshake.cpp — see client_handshake.hpp.
#include "app/detail/client_handshake.hpp"

#include <algorithm>
#include <cstring>

#include "app/detail/client_dialer.hpp"
#include "app/detail/client_random.hpp"
#include "proto/http_error.hpp"
#include "proto/ws_handshake.hpp"

namespace sluice::detail {

namespace {

// A header value for a message: printable ASCII only, cut at 80 bytes.
std::string printable_excerpt(std::string_view v) {
    v = v.substr(0, 80);
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
    std::string out;
    for (const char c : v) out += (c >= 0x20 && c < 0x7F) ? c : '?';
    return out;
}

}  // namespace

std::string ClientHandshake::prepare(const ClientSpec& spec) {
    *this = ClientHandshake{};
    spec_ = &spec;
    // RFC 6455 §4.1 item 7: "a randomly selected 16-byte value ... for each connection".
    std::array<std::uint8_t, 16> nonce{};
    if (!os_random(nonce)) return "the OS gave no random bytes for the Sec-WebSocket-Key";
    proto::ClientRequest r;
    r.host = spec.target.host_header;
    r.path = spec.target.resource;
    r.subprotocols = spec.subprotocols;
    r.origin = spec.options.origin;
    r.headers = spec.headers;
    // permessage-deflate: once the client offers it, the offer is a field of proto::ClientRequest
    // set here, and judge_head passes it to check_server_response with the subprotocols.
    std::size_t size = 1024;
    for (const auto& [name, value] : spec.options.headers) size += name.size() + value.size() + 4;
    for (const auto& p : spec.options.subprotocols) size += p.size() + 2;
    request_.resize(size + spec.target.resource.size() + spec.target.host_header.size() + spec.options.origin.size());
    const std::size_t n = proto::write_client_request(r, nonce, request_, key_);
    if (n == 0) return "a header, subprotocol or origin cannot be sent as given";
    request_.resize(n);
    return {};
}

ClientHandshake::Result ClientHandshake::fail(ClientError::Kind kind, std::string message) {
    error_.kind = kind;
    error_.message = spec_->url + ": " + std::move(message);
    return Result::failed;
}

ClientHandshake::Result ClientHandshake::feed(std::span<const std::uint8_t> bytes) {
    received_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (head_size_ != 0) return received_.size() - head_size_ >= body_wanted_ ? finish_status_error() : Result::need_more;
    std::array<proto::HttpHeader, 64> storage;
    proto::HttpResponse response;
    const auto span = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(received_.data()), received_.size());
    const proto::HeadResult r = parser_.parse_head(span, storage, response);
    if (r.status == proto::ParseStatus::error) {
        return fail(ClientError::Kind::handshake,
                    "the server's answer is not an HTTP/1.1 response (" + std::string(proto::http_error_name(r.error)) + ")");
    }
    if (r.status == proto::ParseStatus::need_more) {
        if (received_.size() > kMaxResponseHead)
            return fail(ClientError::Kind::handshake, "the server's response head is over 16 KiB");
        return Result::need_more;
    }
    head_size_ = r.consumed;
    return judge_head(response);
}

ClientHandshake::Result ClientHandshake::judge_head(const proto::HttpResponse& response) {
    using Check = proto::ServerResponseCheck;
    const std::string_view key(key_.data(), key_.size());
    const Check check = proto::check_server_response(response, key, spec_->subprotocols);
    switch (check) {
        case Check::ok: break;
        case Check::not_101: {
            // §4.1: "If the status code received from the server is not 101, the client
            // handles the response per HTTP procedures" -- for us, an error that carries the
            // status and the first bytes of the body, read until they are here.
            error_.status = response.status;
            std::size_t wanted = ClientError::kErrorBodyBytes;
            if (response.body_framing == proto::BodyFraming::content_length) {
                wanted = std::min<std::size_t>(wanted, static_cast<std::size_t>(response.content_length));
            } else if (response.body_framing == proto::BodyFraming::none && !response.body_until_close) {
                wanted = 0;
            }
            body_wanted_ = wanted;
            std::string text = "the server answered " + std::to_string(response.status);
            if (!response.reason.empty()) text += " " + printable_excerpt(response.reason);
            if (const auto location = response.header("Location"))
                text += " (Location: " + printable_excerpt(*location) + ")";
            text += " instead of 101 Switching Protocols (RFC 6455 §4.1)";
            error_.kind = ClientError::Kind::status;
            error_.message = spec_->url + ": " + text;
            return received_.size() - head_size_ >= body_wanted_ ? finish_status_error() : Result::need_more;
        }
        case Check::missing_upgrade:
            return fail(ClientError::Kind::handshake, "the 101 lacks 'Upgrade: websocket' (RFC 6455 §4.1 item 2)");
        case Check::missing_connection:
            return fail(ClientError::Kind::handshake, "the 101 lacks 'Connection: Upgrade' (RFC 6455 §4.1 item 3)");
        case Check::bad_accept: {
            const auto expected = proto::compute_accept(key);
            const auto got = response.header("Sec-WebSocket-Accept");
            return fail(ClientError::Kind::handshake,
                        "Sec-WebSocket-Accept is " +
                            (got ? "'" + printable_excerpt(*got) + "'" + (response.header_count("Sec-WebSocket-Accept") > 1 ? " (repeated)" : "")
                                 : std::string("missing")) +
                            ", expected '" + std::string(expected.data(), expected.size()) + "' (RFC 6455 §4.1 item 4)");
        }
        case Check::unexpected_extension:
            return fail(ClientError::Kind::handshake,
                        "the server chose the extension '" + printable_excerpt(response.header("Sec-WebSocket-Extensions").value_or("")) +
                            "', which was not offered (RFC 6455 §4.1 item 5)");
        case Check::unexpected_subprotocol:
            return fail(ClientError::Kind::handshake,
                        "the server chose the subprotocol '" + printable_excerpt(response.header("Sec-WebSocket-Protocol").value_or("")) +
                            "', which was not offered" +
                            (response.header_count("Sec-WebSocket-Protocol") > 1 ? " (or named more than one)" : "") +
                            " (RFC 6455 §4.1 item 6)");
    }
    subprotocol_ = std::string(response.header("Sec-WebSocket-Protocol").value_or(""));
    return Result::open;
}

ClientHandshake::Result ClientHandshake::finish_status_error() {
    const std::size_t have = received_.size() - head_size_;
    error_.body = received_.substr(head_size_, std::min(have, body_wanted_));
    if (!printable_excerpt(error_.body).empty()) error_.message += ": " + printable_excerpt(error_.body);
    return Result::failed;
}

ClientHandshake::Result ClientHandshake::end_of_stream(int error) {
    if (head_size_ != 0 && error_.kind == ClientError::Kind::status) return finish_status_error();
    const std::string how = error == 0 ? "closed the connection" : "reset the connection (" + std::string(std::strerror(error)) + ")";
    return fail(ClientError::Kind::closed,
                "the server " + how + (received_.empty() ? " before answering the handshake" : " in the middle of its answer"));
}

std::span<std::uint8_t> ClientHandshake::rest() noexcept {
    auto* base = reinterpret_cast<std::uint8_t*>(received_.data());
    return {base + head_size_, received_.size() - head_size_};
}

}  // namespace sluice::detail
