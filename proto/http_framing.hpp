// proto/http_framing.hpp — reading Content-Length and Transfer-Encoding, for both roles.
//
// Both fields may appear on several lines; each line is fed to an accumulator in arrival
// order, then the accumulator says what the framing is. One implementation of the rules
// for the request parser and the response parser.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/http_error.hpp"

namespace sluice::proto {

// RFC 9110 §8.6, RFC 9112 §6.3 rule 5: Content-Length = 1*DIGIT. A list of identical values
// ("42, 42", or two lines "42") is accepted as that value; differing values are
// conflicting; a sign, a space inside, hex, an empty value, or more than 19 digits is bad.
struct ContentLengthField {
    bool present = false;
    bool bad = false;
    bool conflicting = false;
    std::uint64_t value = 0;
    void add_line(std::string_view value) noexcept;
    HttpError error() const noexcept;  // none, bad_content_length or conflicting_content_length
};

// RFC 9112 §6.1, §7: Transfer-Encoding = #transfer-coding, case-insensitive, across lines;
// empty list elements are ignored (RFC 9110 §5.6.1), so "chunked ," is chunked.
// Only chunked is implemented: any other coding makes the framing unsupported (501).
// chunked twice, chunked with parameters, a non-token element, or no element at all: bad.
struct TransferEncodingField {
    bool present = false;
    bool chunked = false;      // chunked was seen
    bool chunked_last = false; // ... and it was the last coding
    bool bad = false;
    bool unknown = false;      // a coding other than chunked
    bool any = false;          // at least one non-empty element
    void add_line(std::string_view value) noexcept;
    HttpError error() const noexcept;  // none, bad_transfer_encoding or unsupported_transfer_coding
};

}  // namespace sluice::proto
