#include "proto/ws_close.hpp"

#include <cstring>

#include "core/byte_order.hpp"

namespace sluice::proto {

// §7.4.1 / §7.4.2: the codes an endpoint may put in a Close frame (1005, 1006, 1015 MUST NOT).
bool is_valid_wire_close_code(std::uint16_t code) noexcept {
    if (code >= 1000 && code <= 1003) return true;
    if (code >= 1007 && code <= 1014) return true;
    return code >= 3000 && code <= 4999;
}

// §5.5.1: the body is the 2-byte big-endian code then the reason; §5.5: at most 125 bytes.
std::optional<std::size_t> encode_close_payload(std::uint16_t code, std::string_view reason,
                                                std::span<std::uint8_t> out) noexcept {
    if (code == kCloseNoStatus) {
        if (!reason.empty()) return std::nullopt;
        return std::size_t{0};
    }
    if (reason.size() > kMaxCloseReason || out.size() < 2 + reason.size()) return std::nullopt;
    core::store_be16(out.data(), code);
    if (!reason.empty()) std::memcpy(out.data() + 2, reason.data(), reason.size());
    return 2 + reason.size();
}

}  // namespace sluice::proto
