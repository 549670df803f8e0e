// app/detail/push_request.hpp — what a push transport's request asks for, read from the
// request copy whenever needed (nothing is stored per connection):
//
//   transport   resume from                                          other
//   SSE         Last-Event-ID header, else ?lastEventId= (a client   Accept must allow
//               that cannot set headers)                             text/event-stream
//   long-poll   ?since=<epoch>:<seq>                                 ?wait=0: answer at once
//   WebSocket   ?since=<epoch>:<seq> (present, even empty: the client wants ids: envelopes)
//
// An id that is not "<epoch>:<seq>" is refused with 400 before anything is streamed; an
// empty one means "from now on". Query values are percent-decoded (RFC 3986 §2.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/detail/request_copy.hpp"
#include "app/detail/topic_history.hpp"

namespace sluice::detail {

// The raw (still encoded) value of the first `name=value` (or bare `name`: "") of a query;
// nullopt if the name is absent.
std::optional<std::string_view> query_raw(std::string_view query, std::string_view name) noexcept;
// A query value percent-decoded; nullopt if an escape is malformed.
std::optional<std::string> decode_query_value(std::string_view raw);

struct ResumeFrom {
    bool asked = false;   // the request names a resume field (even empty)
    bool bad = false;     // it is not an id: 400
    std::string text;     // the id as sent, decoded ("" = from now on)
    std::optional<EventId> id() const noexcept { return text.empty() ? std::nullopt : parse_event_id(text); }
};
ResumeFrom resume_from(const RequestCopy& request, bool sse);

// RFC 9110 §12.5.1: an absent Accept accepts anything; otherwise it must name
// text/event-stream, text/* or */* (parameters, q-values other than 0, and case ignored).
bool accepts_event_stream(const RequestCopy& request);

}  // namespace sluice::detail
