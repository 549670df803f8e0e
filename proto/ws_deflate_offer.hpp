// proto/ws_deflate_offer.hpp — permessage-deflate negotiation (RFC 7692 §5, §7.1), both roles.
//
//   client: write_deflate_offer(offer) ──► "permessage-deflate; client_max_window_bits"
//   server: choose_deflate(request headers, settings) ──► agreement | declined
//           write_deflate_answer(agreement) ──► "permessage-deflate; server_no_context_takeover; ..."
//   client: check_deflate_answer(response headers, offer) ──► agreement | the rule broken
//
// Offers (§5): Sec-WebSocket-Extensions may appear on several lines and list several
// extensions; the order is the client's preference. Each permessage-deflate element is one
// offer; the server takes the first it can accept. Its parameters (§7.1):
//   server_no_context_takeover, client_no_context_takeover   no value
//   server_max_window_bits=8..15                             value required
//   client_max_window_bits[=8..15]                           value optional (offers only)
// A value may be a token or a quoted-string (RFC 7230 §3.2.6; backslash escapes undone).
// §7.1: a duplicated parameter, an unknown one, a bad value or a value where none is
// allowed makes that offer invalid: the server declines it ("MUST decline") and looks at
// the next one; a client receiving such an answer fails the connection.
// Nothing here allocates; the headers are views the caller owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "proto/http_fields.hpp"

namespace sluice::proto {

inline constexpr std::string_view kExtensionsHeader = "Sec-WebSocket-Extensions";
inline constexpr std::string_view kPermessageDeflate = "permessage-deflate";

// The parameters of one permessage-deflate element, as parsed (§7.1).
struct DeflateParams {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::uint8_t server_max_window_bits = 0;  // 0: absent; else 8..15
    bool client_max_window_bits = false;      // present (with or without a value)
    std::uint8_t client_max_window_bits_value = 0;  // 0: no value; else 8..15
};

// What both ends use once the handshake is done (§7.1): each side's compressor window and
// whether it resets between messages. The defaults are the RFC's (15 bits, takeover).
struct DeflateAgreement {
    bool server_no_context_takeover = false;  // the server resets its compressor per message
    bool client_no_context_takeover = false;  // the client resets its compressor per message
    std::uint8_t server_max_window_bits = 15;  // the server compresses within 2^this
    std::uint8_t client_max_window_bits = 15;  // the client compresses within 2^this
};

// The server's policy (a setting).
struct DeflateSettings {
    bool enabled = false;
    std::uint8_t server_max_window_bits = 15;  // our compressor's window (memory: core/deflate.hpp)
    // The largest client window we decode (our inflater's window). Below 15 it can only be
    // asked of a client that offered client_max_window_bits; other offers are declined.
    std::uint8_t client_max_window_bits = 15;
    bool server_no_context_takeover = false;  // reset our compressor per message (less memory held)
    bool client_no_context_takeover = false;  // ask the client to reset (we keep no window between messages)
};

// §7.1: parses the parameters of one element (the text after "permessage-deflate", e.g.
// "; client_max_window_bits; server_max_window_bits=10"). False if the offer is invalid.
bool parse_deflate_params(std::string_view params, DeflateParams& out) noexcept;

// Server (§5.1, §7.1): the first permessage-deflate offer in `headers` (every
// Sec-WebSocket-Extensions line, in order) that is valid and acceptable under `settings`,
// turned into the agreement. False: none (answer without the extension).
bool choose_deflate(std::span<const HttpHeader> headers, const DeflateSettings& settings,
                    DeflateAgreement& out) noexcept;

// The Sec-WebSocket-Extensions value that answers with `agreed` (parameters only where
// they differ from the defaults, or the client asked for them). Returns the bytes written,
// or 0 if `out` is too small (128 bytes always suffice).
std::size_t write_deflate_answer(const DeflateAgreement& agreed, std::span<char> out) noexcept;

// Client: what to offer.
struct DeflateOffer {
    bool server_no_context_takeover = false;  // ask the server to reset per message
    bool client_no_context_takeover = false;  // announce we reset per message
    std::uint8_t server_max_window_bits = 0;  // 0: not sent; else ask the server to stay within 2^this
    bool client_max_window_bits = true;       // tell the server it may limit our window
    std::uint8_t client_max_window_bits_value = 0;  // 0: no value; else our window (8..15)
};

// The Sec-WebSocket-Extensions value for `offer`; bytes written, or 0 if `out` is too small.
std::size_t write_deflate_offer(const DeflateOffer& offer, std::span<char> out) noexcept;

// §7.1.1.x, §7.1.2.x: what a client checks in the server's answer, one value per rule.
enum class DeflateAnswerCheck : std::uint8_t {
    accepted,             // the answer holds one valid permessage-deflate; `out` is filled
    not_accepted,         // no permessage-deflate in the answer: go on without compression
    malformed,            // §7.1: an unknown or duplicated parameter, a bad value, bad syntax
    unknown_extension,    // RFC 6455 §9.1: an extension we did not offer
    more_than_one,        // §5: the server accepted two permessage-deflate offers
    server_window_too_large,    // §7.1.2.1: server_max_window_bits above what we offered
    unexpected_client_window,   // §7.1.2.2: client_max_window_bits though we did not offer it
    client_window_too_large,    // §7.1.2.2: client_max_window_bits above our offered value
    missing_server_no_context_takeover,  // §7.1.1.1: we asked for it; it must be in the answer
};
DeflateAnswerCheck check_deflate_answer(std::span<const HttpHeader> headers, const DeflateOffer& offer,
                                        DeflateAgreement& out) noexcept;

// Calls fn(name, params) for each extension element of one Sec-WebSocket-Extensions value
// (quoted strings may hold commas); params is the text after the name. A malformed element
// is passed with name empty. Stops early if fn returns false.
template <typename Fn>
bool for_each_extension(std::string_view value, Fn&& fn) noexcept;

namespace detail {
// The end of the element starting at `begin`: the next comma outside a quoted-string.
std::size_t extension_element_end(std::string_view value, std::size_t begin) noexcept;
bool is_tchar(char c) noexcept;
}  // namespace detail

template <typename Fn>
bool for_each_extension(std::string_view value, Fn&& fn) noexcept {
    std::size_t i = 0;
    while (i <= value.size()) {
        const std::size_t end = detail::extension_element_end(value, i);
        std::string_view element = value.substr(i, end - i);
        while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) element.remove_prefix(1);
        while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) element.remove_suffix(1);
        if (!element.empty()) {
            std::size_t n = 0;
            while (n < element.size() && detail::is_tchar(element[n])) ++n;
            const std::string_view rest = element.substr(n);
            const bool ok = n > 0 && (rest.empty() || rest.front() == ';' || rest.front() == ' ' || rest.front() == '\t');
            if (!fn(ok ? element.substr(0, n) : std::string_view{}, rest)) return false;
        }
        i = end + 1;
    }
    return true;
}

}  // namespace sluice::proto
