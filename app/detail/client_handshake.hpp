// app/detail/client_handshake.hpp — the client's side of one opening handshake (RFC 6455 §4.1)
// over a byte stream: the request to send, and the server's answer judged as it arrives.
//
//   prepare(spec) ─▶ request() (a fresh key per attempt) ─▶ [sent by the connection]
//   feed(bytes)... ─▶ need_more
//                 └─▶ open:   a 101 that keeps every §4.1 rule; rest() = the first frames
//                 └─▶ failed: error(): a status other than 101 (with the body's first bytes,
//                             read until kErrorBodyBytes, the body's end or EOF), a broken
//                             rule, a head that does not parse or is too large
//   end_of_stream() ─▶ the server closed first: failed (or the error whose body was awaited)
//
// The proto/ pieces do the work: write_client_request, HttpResponseParser,
// check_server_response; this file keeps the bytes between reads and words the errors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "app/client.hpp"
#include "proto/http_response.hpp"

namespace sluice::detail {

struct ClientSpec;

class ClientHandshake {  // Owns the request bytes, the key and the response received so far (bounded).
 public:
    enum class Result : std::uint8_t { need_more, open, failed };
    static constexpr std::size_t kMaxResponseHead = 16 * 1024;   // a larger head fails the attempt

    // Writes the request with a fresh key from the OS. "" or why it cannot be written.
    std::string prepare(const ClientSpec& spec);
    std::string_view request() const noexcept { return request_; }

    Result feed(std::span<const std::uint8_t> bytes);
    Result end_of_stream(int error);   // read() saw EOF (error 0) or a reset (errno)
    // After open: the bytes that followed the 101's head (frames), mutable for the session.
    std::span<std::uint8_t> rest() noexcept;
    std::string_view subprotocol() const noexcept { return subprotocol_; }
    const ClientError& error() const noexcept { return error_; }
    void release() noexcept { *this = ClientHandshake{}; }   // frees what it held (after open)

 private:
    Result fail(ClientError::Kind kind, std::string message);
    Result judge_head(const proto::HttpResponse& response);
    Result finish_status_error();

    const ClientSpec* spec_ = nullptr;
    std::string request_;
    std::array<char, 24> key_{};
    std::string received_;              // the response so far (head, then rest or error body)
    proto::HttpResponseParser parser_;
    std::size_t head_size_ = 0;         // once the head is parsed
    std::size_t body_wanted_ = 0;       // a non-101: how much of its body to wait for
    std::string subprotocol_;
    ClientError error_;
};

}  // namespace sluice::detail
