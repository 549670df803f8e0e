// app/http_exchange.hpp — what only an HTTP connection needs: the parsers, the body being
// read, the unparsed tail of the input and the response being built.
//
// A Connection allocates one at accept and frees it at the WebSocket upgrade, so an idle
// WebSocket carries none of it (see app/connection.hpp). Plain data: the Connection runs
// the exchange; this struct only groups its state.
#pragma once

#include <string>

#include "net/timer.hpp"
#include "proto/http_body.hpp"
#include "proto/http_parser.hpp"

namespace sluice::detail {

struct HttpExchange {  // Owns the parse state, the request body, the input tail and the extra response headers.
    explicit HttpExchange(const proto::HttpLimits& limits, net::TimePoint accepted) noexcept
        : parser(limits), accepted_at(accepted) {}

    proto::HttpRequestParser parser;
    proto::BodyDecoder decoder;
    std::string body;            // the request body, whole (decoded if chunked)
    std::string tail;            // unparsed bytes of a partial request head (or pipelined requests)
    std::string extra_headers;   // set_header() lines for the response being built
    net::TimePoint accepted_at;  // the first request head is bound by handshake_timeout from here
    bool responded = false;      // a response (or stream) was started
    bool streaming = false;
    bool stream_chunked = false;
    bool stream_ended = false;
};

}  // namespace sluice::detail
