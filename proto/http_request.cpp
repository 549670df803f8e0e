#include "proto/http_request.hpp"

#include "proto/http_chars.hpp"

namespace sluice::proto {

std::optional<std::size_t> percent_decode(std::string_view in, std::span<char> out) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (n == out.size()) return std::nullopt;
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = detail::hex_value(static_cast<std::uint8_t>(in[i + 1]));
            int lo = detail::hex_value(static_cast<std::uint8_t>(in[i + 2]));
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        out[n++] = c;
    }
    return n;
}

}  // namespace sluice::proto
