// proto/http_body.hpp — decodes a message body after its head: Content-Length or chunked.
//
// RFC 9112 §6.3 (length), §7.1 (chunked):
//
//   chunked-body = *chunk last-chunk trailer-section CRLF
//   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//   chunk-size   = 1*HEXDIG
//   chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//   chunk-ext-val = token / quoted-string
//   last-chunk   = 1*("0") [ chunk-ext ] CRLF
//
// Decoding is in place and streaming: the decoder keeps no views, so each call may be given
// any later part of the body (one byte at a time included); the framing is squeezed out and
// the data bytes are moved to the front of `input`. Chunk extensions are validated and
// dropped (no extension is defined, §7.1.1 lets a recipient ignore them); trailer fields are
// validated as field lines and dropped (RFC 9110 §6.5.1: a recipient may discard them).
//
// Limits: a Content-Length over max_body -> body_too_large from the first decode() call
// (the request parser refuses it earlier; this covers responses); decoded bytes over
// max_body -> body_too_large (413) the moment a chunk-size
// digit announces it, before its data; a chunk-size line over kMaxChunkLine bytes (long
// extensions) -> bad_chunk; a trailer section over max_header_section -> 431.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "proto/http_error.hpp"
#include "proto/http_limits.hpp"
#include "proto/http_request.hpp"

namespace sluice::proto {

struct BodyResult {
    ParseStatus status;     // done = the body (and trailers) ended
    std::size_t consumed;   // input bytes used up (framing included)
    std::size_t produced;   // body bytes now at the front of `input`
    HttpError error;
};

// Owns only its state; never the input.
class BodyDecoder {
 public:
    static constexpr std::uint32_t kMaxChunkLine = 4096;  // chunk-size line incl. extensions

    BodyDecoder() noexcept = default;
    void start(const HttpRequest& request, const HttpLimits& limits) noexcept;
    // For the client role: the framing read from a response (length ignored unless content_length).
    void start(BodyFraming framing, std::uint64_t length, const HttpLimits& limits) noexcept;

    // Decodes in place: the first `produced` bytes of `input` become body bytes; `consumed`
    // input bytes are used up (the rest, e.g. a pipelined request, is untouched).
    BodyResult decode(std::span<std::uint8_t> input) noexcept;

    bool done() const noexcept { return phase_ == Phase::done; }
    std::uint64_t body_bytes() const noexcept { return total_; }  // decoded so far

    enum class Phase : std::uint8_t {
        done, length, size, ext_pre, ext_name_bws, ext_name, ext_after_name, ext_value_bws,
        ext_value, ext_quoted, ext_quoted_pair, ext_after_quoted, size_lf, data, data_cr, data_lf,
        trailer_start, trailer_name, trailer_value, trailer_value_lf, trailer_end_lf, error
    };

 private:
    std::uint64_t remaining_ = 0;   // content-length left, or chunk-size being read / data left
    std::uint64_t total_ = 0;       // decoded body bytes so far
    std::uint64_t max_body_ = 0;
    std::uint32_t line_ = 0;        // bytes of the current chunk-size line, or of the trailers
    std::uint32_t max_trailers_ = 0;
    Phase phase_ = Phase::done;
    HttpError error_ = HttpError::none;
};

}  // namespace sluice::proto
