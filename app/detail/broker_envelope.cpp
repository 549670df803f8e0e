// app/detail/broker_envelope.cpp
#include "app/detail/broker_envelope.hpp"

#include <algorithm>
#include <cstring>

#include "core/utf8.hpp"

namespace sluice::detail {

namespace {
constexpr char kMagic[] = "~sl";
bool is_hex_digit(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

std::string node_id_text(std::uint64_t id) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, id >>= 4) s[static_cast<std::size_t>(i)] = kDigits[id & 15];
    return s;
}

void write_envelope(std::span<char, kEnvelopeSize> out, std::string_view node, bool text) noexcept {
    std::memcpy(out.data(), kMagic, 3);
    out[3] = text ? 't' : 'b';
    std::fill(out.begin() + 4, out.begin() + 20, '0');
    std::memcpy(out.data() + 4, node.data(), std::min<std::size_t>(node.size(), 16));
    out[20] = '|';
}

Envelope read_envelope(std::span<const std::uint8_t> message) noexcept {
    const std::string_view s(reinterpret_cast<const char*>(message.data()), message.size());
    const bool ours = s.size() >= kEnvelopeSize && s.substr(0, 3) == kMagic && (s[3] == 't' || s[3] == 'b') &&
                      s[20] == '|' && std::all_of(s.begin() + 4, s.begin() + 20, is_hex_digit);
    if (ours) {
        const auto payload = message.subspan(kEnvelopeSize);   // text is checked: Redis is not trusted
        return {s.substr(4, 16), s[3] == 't' && core::is_valid_utf8(payload), payload};
    }
    return {{}, core::is_valid_utf8(message), message};
}

}  // namespace sluice::detail
