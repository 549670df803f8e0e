// fuzz/ws_deflate_offer.cpp — permessage-deflate negotiation (RFC 7692 §5, §7.1) on
// arbitrary Sec-WebSocket-Extensions lines (the payload split at '\n' into header lines).
// The first payload byte picks the server settings. Checked:
//   - choose_deflate never picks an agreement outside the settings and the RFC's ranges;
//   - our answer is accepted by the client check of an offer that allows everything, with
//     the same agreement, and parses as valid parameters (§7.1);
//   - the offer parser and the element splitter never read outside the value (ASan);
//   - the client's side, with an offer the same first byte picks: the offer it writes is
//     chosen by a server that allows everything, within what it asked (§7.1.1.1, §7.1.2.1);
//     the input lines read as the server's answer are accepted only within the offer, and
//     the agreement is what the answer said (§7.1.2.2: otherwise our offered value or 15).
#include "proto/ws_deflate_offer.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.hpp"

namespace {

using namespace sluice::proto;

void check_client(std::uint8_t bits, std::span<const HttpHeader> answer) {
    DeflateOffer offer;
    offer.server_no_context_takeover = (bits & 1) != 0;
    offer.client_no_context_takeover = (bits & 2) != 0;
    offer.server_max_window_bits = ((bits >> 2) & 7) == 7 ? 0 : static_cast<std::uint8_t>(9 + ((bits >> 2) & 7));
    offer.client_max_window_bits = (bits & 0x20) == 0;
    offer.client_max_window_bits_value = (bits >> 6) == 0 ? 0 : static_cast<std::uint8_t>(12 + (bits >> 6));
    char text[160];
    const std::size_t n = write_deflate_offer(offer, text);
    SLUICE_FUZZ_CHECK(n > 0);
    SLUICE_FUZZ_CHECK(write_deflate_offer(offer, std::span<char>(text, n - 1)) == 0);  // too small: nothing
    DeflateSettings everything;
    everything.enabled = true;
    const HttpHeader offered[] = {{kExtensionsHeader, std::string_view(text, n)}};
    DeflateAgreement agreed;
    SLUICE_FUZZ_CHECK(choose_deflate(offered, everything, agreed));
    SLUICE_FUZZ_CHECK(offer.server_max_window_bits == 0 || agreed.server_max_window_bits <= offer.server_max_window_bits);
    SLUICE_FUZZ_CHECK(!offer.server_no_context_takeover || agreed.server_no_context_takeover);

    DeflateAgreement seen;
    if (check_deflate_answer(answer, offer, seen) != DeflateAnswerCheck::accepted) return;
    SLUICE_FUZZ_CHECK(seen.server_max_window_bits >= 8 && seen.server_max_window_bits <= 15);
    SLUICE_FUZZ_CHECK(offer.server_max_window_bits == 0 || seen.server_max_window_bits <= offer.server_max_window_bits);
    SLUICE_FUZZ_CHECK(!offer.server_no_context_takeover || seen.server_no_context_takeover);
    SLUICE_FUZZ_CHECK(!offer.client_no_context_takeover || seen.client_no_context_takeover);
    SLUICE_FUZZ_CHECK(seen.client_max_window_bits >= 8 && seen.client_max_window_bits <= 15);
    SLUICE_FUZZ_CHECK(offer.client_max_window_bits_value == 0 || seen.client_max_window_bits <= offer.client_max_window_bits_value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sluice::proto;
    if (size < 1) return 0;
    DeflateSettings settings;
    settings.enabled = true;
    settings.server_no_context_takeover = (data[0] & 1) != 0;
    settings.client_no_context_takeover = (data[0] & 2) != 0;
    settings.server_max_window_bits = static_cast<std::uint8_t>(8 + ((data[0] >> 2) & 7));
    settings.client_max_window_bits = (data[0] & 0x20) != 0 ? 15 : static_cast<std::uint8_t>(8 + ((data[0] >> 6) & 3));
    const std::string_view text = sluice::fuzz::as_chars(std::span<const std::uint8_t>(data + 1, size - 1));
    std::vector<HttpHeader> headers;
    for (std::size_t i = 0; i <= text.size();) {
        std::size_t end = text.find('\n', i);
        if (end == std::string_view::npos) end = text.size();
        headers.push_back({kExtensionsHeader, text.substr(i, end - i)});
        i = end + 1;
    }
    // Every element's parameters, parsed on their own.
    for (const HttpHeader& h : headers) {
        for_each_extension(h.value, [](std::string_view name, std::string_view params) {
            DeflateParams p;
            if (!name.empty() && parse_deflate_params(params, p)) {
                SLUICE_FUZZ_CHECK(p.server_max_window_bits == 0 ||
                                  (p.server_max_window_bits >= 8 && p.server_max_window_bits <= 15));
                SLUICE_FUZZ_CHECK(p.client_max_window_bits_value == 0 ||
                                  (p.client_max_window_bits_value >= 8 && p.client_max_window_bits_value <= 15));
            }
            return true;
        });
    }
    check_client(data[0], headers);
    DeflateAgreement agreed;
    if (!choose_deflate(headers, settings, agreed)) return 0;
    SLUICE_FUZZ_CHECK(agreed.server_max_window_bits >= 8 && agreed.server_max_window_bits <= settings.server_max_window_bits);
    SLUICE_FUZZ_CHECK(agreed.client_max_window_bits >= 8 && agreed.client_max_window_bits <= 15);
    SLUICE_FUZZ_CHECK(agreed.client_max_window_bits <= settings.client_max_window_bits);
    SLUICE_FUZZ_CHECK(!settings.server_no_context_takeover || agreed.server_no_context_takeover);
    char answer[128];
    const std::size_t n = write_deflate_answer(agreed, answer);
    SLUICE_FUZZ_CHECK(n > 0);
    DeflateParams p;
    SLUICE_FUZZ_CHECK(parse_deflate_params(std::string_view(answer, n).substr(kPermessageDeflate.size()), p));
    DeflateOffer anything;
    anything.client_max_window_bits = true;
    const HttpHeader reply[] = {{kExtensionsHeader, std::string_view(answer, n)}};
    DeflateAgreement seen;
    SLUICE_FUZZ_CHECK(check_deflate_answer(reply, anything, seen) == DeflateAnswerCheck::accepted);
    SLUICE_FUZZ_CHECK(seen.server_max_window_bits == agreed.server_max_window_bits);
    SLUICE_FUZZ_CHECK(seen.client_max_window_bits == agreed.client_max_window_bits);
    SLUICE_FUZZ_CHECK(seen.server_no_context_takeover == agreed.server_no_context_takeover);
    SLUICE_FUZZ_CHECK(seen.client_no_context_takeover == agreed.client_no_context_takeover);
    return 0;
}
