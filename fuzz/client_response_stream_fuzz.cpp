// fuzz/client_response_stream_fuzz.cpp — app/'s client handshake (ClientHandshake, the layer
// above proto/'s response parser that client_handshake_fuzz covers) fed arbitrary server
// answers as a socket delivers them: the head accumulated across reads, the 101 judged, the
// frames after it kept, a non-101's body read up to its first bytes (RFC 6455 §4.1).
// fuzz-links: app/detail/client_handshake.cpp app/detail/client_random.cpp
//
// Input: [offer] [split header, fuzz_input.hpp] [response bytes]. `offer` % 3 picks the offered
// subprotocols (none, one, two); (`offer` / 3) odd adds an Origin and an extra field to the
// request (and a request that cannot be written, a CR in a field, is refused each run). The key is random per run (as in the client), so the first
// "@@@@" of the response is replaced by the right Sec-WebSocket-Accept for it: the fuzzer can
// reach an accepted 101 without knowing the key. Asserted:
//   - the answer fed whole and fed in the input's chunks ends the same (result, error kind,
//     status, body, subprotocol, the bytes after the head);
//   - open only when proto's check_server_response says ok for the same head;
//   - a status error carries a status other than 101 and at most kErrorBodyBytes of body;
//   - the end of the stream after need_more is always a failure.
#include "app/detail/client_handshake.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/detail/client_dialer.hpp"
#include "fuzz/fuzz_input.hpp"
#include "proto/http_response.hpp"
#include "proto/ws_handshake.hpp"

namespace {

using namespace sluice;
using Result = detail::ClientHandshake::Result;

struct Outcome {
    Result result = Result::need_more;
    ClientError::Kind kind = ClientError::Kind::url;
    int status = 0;
    std::string body;
    std::string subprotocol;
    std::string rest;
    bool operator==(const Outcome&) const = default;
};

Outcome outcome_of(detail::ClientHandshake& h, Result r) {
    Outcome o;
    o.result = r;
    if (r == Result::failed) {
        o.kind = h.error().kind;
        o.status = h.error().status;
        o.body = h.error().body;
    } else if (r == Result::open) {
        o.subprotocol = std::string(h.subprotocol());
        const auto rest = h.rest();
        o.rest.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
    }
    return o;
}

detail::ClientSpec make_spec(std::size_t offers, bool extras) {
    detail::ClientSpec spec;
    spec.url = "ws://fuzz.test/";
    spec.target.host = "fuzz.test";
    spec.target.host_header = "fuzz.test";
    spec.target.resource = "/";
    const char* names[] = {"chat", "superchat"};
    for (std::size_t i = 0; i < offers; ++i) spec.options.subprotocols.emplace_back(names[i]);
    spec.subprotocols.assign(spec.options.subprotocols.begin(), spec.options.subprotocols.end());
    if (extras) {  // an Origin and an extra field, as ClientOptions carries them
        spec.options.origin = "https://fuzz.test";
        spec.options.headers = {{"X-Trace", "1"}};
        for (const auto& [name, value] : spec.options.headers) spec.headers.push_back({name, value});
    }
    return spec;
}

// A spec the request cannot carry (a CR in a field's value): prepare refuses it, and says so.
void check_refused_spec() {
    detail::ClientSpec spec = make_spec(0, false);
    spec.options.headers = {{"X-Bad", "a\r\nInjected: 1"}};
    spec.headers.push_back({spec.options.headers[0].first, spec.options.headers[0].second});
    detail::ClientHandshake h;
    SLUICE_FUZZ_CHECK(!h.prepare(spec).empty());
}

std::string key_of(std::string_view request) {
    const std::size_t at = request.find("Sec-WebSocket-Key: ");
    return std::string(request.substr(at + 19, 24));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool extras = (data[0] / 3) % 2 == 1;
    const detail::ClientSpec spec = make_spec(data[0] % 3, extras);
    detail::ClientHandshake prepared;
    if (!prepared.prepare(spec).empty()) return 0;   // no OS randomness: nothing to test
    if (extras) {
        SLUICE_FUZZ_CHECK(prepared.request().find("\r\nOrigin: https://fuzz.test\r\n") != std::string_view::npos);
        SLUICE_FUZZ_CHECK(prepared.request().find("\r\nX-Trace: 1\r\n") != std::string_view::npos);
    }
    check_refused_spec();
    const std::string key = key_of(prepared.request());

    // The response, with the first "@@@@" made the right accept for this run's key.
    const fuzz::SplitInput input(data + 1, size - 1);
    std::string response(reinterpret_cast<const char*>(input.payload().data()), input.payload().size());
    if (const std::size_t at = response.find("@@@@"); at != std::string::npos) {
        const auto accept = proto::compute_accept(key);
        response.replace(at, 4, accept.data(), accept.size());
    }
    const auto bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(response.data()), response.size());

    // Whole: one read.
    detail::ClientHandshake whole = prepared;   // the same key and request for both runs
    Result r = whole.feed(bytes);
    if (r == Result::need_more) {
        detail::ClientHandshake ended = whole;
        SLUICE_FUZZ_CHECK(ended.end_of_stream(0) == Result::failed);
    }
    const Outcome whole_outcome = outcome_of(whole, r);

    // Split: the input's chunks, as reads deliver them, until a verdict.
    detail::ClientHandshake split = prepared;
    Result sr = Result::need_more;
    std::size_t at = 0;
    for (std::size_t i = 0; at < bytes.size() && sr == Result::need_more; ++i) {
        // The input's chunk lengths, cycled over the response (longer than the payload by the
        // accept put in for "@@@@", so SplitInput::chunk_length's own bound does not apply).
        const std::span<const std::uint8_t> lengths = input.lengths();
        const std::size_t rest = bytes.size() - at;
        const std::size_t want = lengths.empty() ? 0 : lengths[i % lengths.size()];
        const std::size_t n = want == 0 || want > rest ? rest : want;
        sr = split.feed(bytes.subspan(at, n));
        at += n;
    }
    // A verdict reached before the last chunk: the whole run saw the same bytes and more,
    // which changes nothing once the head is judged, but the rest (frames, error body)
    // holds only what had arrived; compare those only when both saw everything.
    const Outcome split_outcome = outcome_of(split, sr);
    if (at == bytes.size()) {
        SLUICE_FUZZ_CHECK(split_outcome == whole_outcome);
    } else {
        SLUICE_FUZZ_CHECK(split_outcome.result == whole_outcome.result);
        SLUICE_FUZZ_CHECK(split_outcome.kind == whole_outcome.kind);
        SLUICE_FUZZ_CHECK(split_outcome.status == whole_outcome.status);
    }

    // Open exactly when proto's own check passes on the same head.
    proto::HttpResponseParser parser;
    std::array<proto::HttpHeader, 64> storage;
    proto::HttpResponse head;
    if (parser.parse_head(bytes, storage, head).status == proto::ParseStatus::done) {
        const auto check = proto::check_server_response(head, key, spec.subprotocols);
        SLUICE_FUZZ_CHECK((r == Result::open) == (check == proto::ServerResponseCheck::ok));
    } else {
        SLUICE_FUZZ_CHECK(r != Result::open);
    }
    if (r == Result::failed && whole.error().kind == ClientError::Kind::status) {
        SLUICE_FUZZ_CHECK(whole.error().status != 101);
        SLUICE_FUZZ_CHECK(whole.error().body.size() <= ClientError::kErrorBodyBytes);
    }
    return 0;
}
