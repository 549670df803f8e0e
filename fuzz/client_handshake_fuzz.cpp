// fuzz/client_handshake_fuzz.cpp — the client's side of the opening handshake fed arbitrary
// server responses (RFC 6455 §4.1, "the client MUST validate the server's response").
//
// Input: [offer] [split header, fuzz_input.hpp] [response bytes]. `offer` picks the
// subprotocols the client offered (none, one, two). The response is parsed by
// HttpResponseParser whole and at the input's split points (the prefix so far, as a client
// reading a socket does); a complete head is judged by check_server_response. Asserted:
//   - whole and split parses agree (status, consumed bytes, error, verdict);
//   - ok only for status 101 with exactly one Sec-WebSocket-Accept equal, byte for byte, to
//     compute_accept(key) (items 1 and 4), no extension (we offer none, item 5), at most one
//     subprotocol and one of those offered (item 6); and every such response is ok when its
//     Upgrade and Connection tokens are there (items 2 and 3).
#include "proto/ws_handshake.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "proto/http_response.hpp"

namespace {

using namespace sluice;

constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";   // RFC 6455 §1.3's sample key
constexpr std::string_view kOffers[] = {"chat", "superchat"};

struct Verdict {
    proto::ParseStatus status = proto::ParseStatus::need_more;
    std::size_t consumed = 0;
    proto::HttpError error = proto::HttpError::none;
    int http_status = 0;
    proto::ServerResponseCheck check = proto::ServerResponseCheck::not_101;

    bool operator==(const Verdict&) const = default;
};

Verdict judge(proto::HttpResponseParser& parser, std::span<const std::uint8_t> bytes,
              std::span<const std::string_view> offered) {
    std::array<proto::HttpHeader, 32> storage;
    proto::HttpResponse response;
    const proto::HeadResult r = parser.parse_head(bytes, storage, response);
    Verdict v{r.status, r.consumed, r.error, 0, proto::ServerResponseCheck::not_101};
    if (r.status != proto::ParseStatus::done) return v;
    v.http_status = response.status;
    v.check = proto::check_server_response(response, kKey, offered);
    // The rules, read off the response independently of the checker's order.
    const std::array<char, 28> accept = proto::compute_accept(kKey);
    const bool accept_ok = response.header_count("Sec-WebSocket-Accept") == 1 &&
                           *response.header("Sec-WebSocket-Accept") == std::string_view(accept.data(), accept.size());
    bool protocol_ok = response.header_count("Sec-WebSocket-Protocol") == 0;
    if (response.header_count("Sec-WebSocket-Protocol") == 1) {
        for (std::string_view p : offered) protocol_ok = protocol_ok || p == *response.header("Sec-WebSocket-Protocol");
    }
    const bool rules = response.status == 101 && accept_ok && protocol_ok &&
                       response.header_count("Sec-WebSocket-Extensions") == 0;
    const bool tokens = response.header_has_token("Upgrade", "websocket") &&
                        response.header_has_token("Connection", "upgrade");
    if (v.check == proto::ServerResponseCheck::ok && !(rules && tokens)) fuzz::fail("accepted a response §4.1 refuses");
    if (rules && tokens && v.check != proto::ServerResponseCheck::ok) fuzz::fail("refused a response §4.1 accepts");
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t offers = data[0] % 3;
    const std::span<const std::string_view> offered(kOffers, offers);
    const fuzz::SplitInput input(data + 1, size - 1);
    const std::span<const std::uint8_t> payload = input.payload();

    proto::HttpResponseParser whole_parser;
    const Verdict whole = judge(whole_parser, payload, offered);

    // As a client reading a socket: the prefix received so far, grown chunk by chunk.
    proto::HttpResponseParser split_parser;
    std::vector<std::uint8_t> received;
    Verdict split;
    bool decided = false;
    input.for_each_chunk([&](std::span<std::uint8_t> chunk) {
        if (decided) return;
        received.insert(received.end(), chunk.begin(), chunk.end());
        split = judge(split_parser, received, offered);
        decided = split.status != proto::ParseStatus::need_more;
    });
    if (payload.empty()) return 0;
    if (!(split == whole)) fuzz::fail("a split response judged differently from the whole");
    return 0;
}
