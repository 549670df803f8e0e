// proto/http_limits.hpp — the byte and count limits of an HTTP/1.1 message, as one setting.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::proto {

// Each limit has its own answer: request line -> 414, field section or field count -> 431,
// body -> 413. Byte limits count every byte including CRLFs. Values above 1 GiB are
// clamped to 1 GiB (the parsers keep 32-bit offsets).
// RFC 9112 §3: request-lines of at least 8000 octets are RECOMMENDED; the default is 8 KiB.
struct HttpLimits {
    std::size_t max_request_line = 8 * 1024;     // request-line incl. CRLF (and ignored empty lines)
    std::size_t max_header_section = 16 * 1024;  // field lines + final CRLF; also bounds trailers
    std::size_t max_headers = 100;               // field lines
    std::uint64_t max_body = 1024 * 1024;        // decoded body bytes
};

}  // namespace sluice::proto
