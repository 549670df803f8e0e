// test/support/push_test_client.hpp — clients of the push transports for the app tests: an
// SSE stream reader (HTTP/1.1 chunked or HTTP/1.0 close-delimited, events parsed by
// proto::SseParser, comments counted) and one-shot HTTP requests (long-poll, publish).
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "proto/sse_parser.hpp"
#include "test/support/ws_test_client.hpp"

namespace sluice::test {

struct SseTestEvent {
    std::string type, data, id;
};

class SseTestClient {  // Owns its socket, the parser and its storage.
 public:
    SseTestClient() : parser_(std::span<char>(storage_.data(), storage_.size())) {}

    // Sends the GET and reads the response head; true on 200 text/event-stream.
    bool open(std::uint16_t port, std::string_view target, std::string_view extra_headers = "Accept: text/event-stream\r\n",
              bool http10 = false) {
        if (!tcp.connect(port)) return false;
        std::string req = "GET " + std::string(target) + (http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n") +
                          "Host: 127.0.0.1\r\n" + std::string(extra_headers) + "\r\n";
        if (!tcp.send_all(req) || !tcp.read_until("\r\n\r\n")) return false;
        const std::size_t end = tcp.pending.find("\r\n\r\n") + 4;
        head = tcp.pending.substr(0, end);
        tcp.pending.erase(0, end);
        status = std::atoi(head.c_str() + 9);
        chunked = head.find("Transfer-Encoding: chunked") != std::string::npos;
        return status == 200;
    }

    // The next event within `timeout`, or nullopt (timeout, EOF).
    std::optional<SseTestEvent> next(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            dechunk();
            while (!body_.empty()) {
                const auto* p = reinterpret_cast<const std::uint8_t*>(body_.data());
                const proto::SseResult r = parser_.parse({p, body_.size()});
                body_.erase(0, r.consumed);
                if (r.status == proto::SseStatus::event) {
                    return SseTestEvent{std::string(r.event.type), std::string(r.event.data),
                                        std::string(r.event.last_event_id)};
                }
                if (r.status != proto::SseStatus::retry) break;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0 || tcp.eof()) return std::nullopt;
            tcp.read_some(tcp.pending, left);
        }
    }
    // Heartbeat comments received so far (in what next() has read).
    std::size_t heartbeats() const {
        std::size_t n = 0;
        for (std::size_t at = all_.find(": heartbeat\n"); at != std::string::npos; at = all_.find(": heartbeat\n", at + 1)) ++n;
        return n;
    }
    std::string_view raw_body() const { return all_; }

    TcpClient tcp;
    std::string head;
    int status = 0;
    bool chunked = false;

 private:
    // Moves whole chunks (or, close-delimited, everything) from tcp.pending to body_.
    void dechunk() {
        for (;;) {
            if (!chunked) {
                take(tcp.pending);
                tcp.pending.clear();
                return;
            }
            if (chunk_left_ == 0) {
                const std::size_t eol = tcp.pending.find("\r\n");
                if (eol == std::string::npos) return;
                chunk_left_ = std::stoul(tcp.pending.substr(0, eol), nullptr, 16) + 2;   // + the CRLF after it
                tcp.pending.erase(0, eol + 2);
            }
            const std::size_t n = std::min(chunk_left_, tcp.pending.size());
            if (n == 0) return;
            std::string piece = tcp.pending.substr(0, n);
            tcp.pending.erase(0, n);
            chunk_left_ -= n;
            // The last two bytes of each chunk are its CRLF, not data.
            const std::size_t data_end = chunk_left_ >= 2 ? piece.size() : piece.size() - (2 - chunk_left_);
            take(piece.substr(0, data_end));
        }
    }
    void take(std::string_view bytes) {
        all_.append(bytes);
        body_.append(bytes);
    }

    std::array<char, 1 << 16> storage_{};
    proto::SseParser parser_;
    std::string body_;
    std::string all_;
    std::size_t chunk_left_ = 0;
};

// One request on a fresh connection, its response read whole.
inline HttpReply http_request(std::uint16_t port, std::string_view method, std::string_view target,
                              std::string_view body = {}, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    TcpClient c(port);
    std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    c.send_all(req);
    return read_http_response(c, timeout);
}

}  // namespace sluice::test
