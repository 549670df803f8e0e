// proto/http_field_scanner.hpp — the resumable field-section scanner both head parsers share.
//
// Internal to proto/ (namespace detail). It validates field lines (RFC 9112 §5, RFC 9110
// §5) one byte class at a time and stops at the empty line. Its state is offsets into the
// unconsumed input, never pointers, so the caller may move the bytes between calls; each
// call resumes at `pos` and never looks at a byte twice.
//
//   field-line = field-name ":" OWS field-value OWS CRLF        (RFC 9112 §5)
//
//   line_start --token--> name --":"--> value_ows --vchar--> value --CR--> value_lf --LF-->
//       |  \--CR--> end_lf --LF--> done                                     line_start
//       \--SP/HTAB--> obs_fold (400), or leading_whitespace before the first field
//
// Decisions: a bare LF ends nothing (bare_lf, 400) and a CR must be followed by LF
// (bare_cr, 400), RFC 9112 §2.2 lets a recipient accept a bare LF, we do not: a lenient
// recipient behind a strict proxy (or the reverse) is how requests get smuggled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "proto/http_error.hpp"
#include "proto/http_fields.hpp"

namespace sluice::proto::detail {

enum class FieldPhase : std::uint8_t { line_start, name, value_ows, value, value_lf, end_lf, done };

// Persistent scanner state: offsets from the start of the unconsumed input. Zero = fresh.
struct FieldState {
    std::uint32_t pos = 0;            // next byte to examine
    std::uint32_t section_start = 0;  // first byte of the field section (after the start-line)
    std::uint32_t line_start = 0;     // first byte of the current field line
    std::uint32_t colon = 0;          // the current line's ':'
    std::uint32_t value_start = 0;    // the current line's first value byte after OWS
    std::uint16_t count = 0;          // complete field lines so far
    FieldPhase phase = FieldPhase::line_start;
};
static_assert(sizeof(FieldState) <= 24);

struct FieldScan {
    ParseStatus status;
    HttpError error;
};

// Scans from s.pos. Each completed line is stored at storage[s.count] (views into `p`).
// At most `max_fields` lines (more: too_many_headers as soon as the next name starts);
// at most `max_section` bytes from section_start including the final CRLF (more:
// header_section_too_large as soon as the first byte over the limit is present).
FieldScan scan_fields(FieldState& s, const std::uint8_t* p, std::size_t size, std::size_t max_section,
                      std::size_t max_fields, std::span<HttpHeader> storage) noexcept;

// Re-derives the views of the first `count` field lines from section_start, for lines that
// were validated in an earlier call (the bytes may have moved since). Trusts the input:
// only call it over bytes scan_fields accepted.
void refill_fields(const std::uint8_t* p, std::size_t size, std::size_t section_start, std::size_t count,
                   std::span<HttpHeader> storage) noexcept;

}  // namespace sluice::proto::detail
