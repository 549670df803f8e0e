#include "proto/resp_encoder.hpp"

#include <cstring>

namespace sluice::proto {

namespace {

std::size_t length_digits(std::size_t v) noexcept {
    std::size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

// "<type><decimal>\r\n" at p; returns the end.
std::uint8_t* put_header(std::uint8_t* p, char type, std::size_t v) noexcept {
    *p++ = static_cast<std::uint8_t>(type);
    const std::size_t k = length_digits(v);
    for (std::size_t i = k; i-- > 0; v /= 10) p[i] = static_cast<std::uint8_t>('0' + v % 10);
    p += k;
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

constexpr std::size_t header_size(std::size_t digits) noexcept { return 1 + digits + 2; }

}  // namespace

std::size_t resp_command_size(std::span<const std::string_view> args) noexcept {
    if (args.empty()) return 0;
    std::size_t n = header_size(length_digits(args.size()));
    for (std::string_view a : args) n += header_size(length_digits(a.size())) + a.size() + 2;
    return n;
}

std::size_t encode_resp_command(std::span<const std::string_view> args, std::span<std::uint8_t> out) noexcept {
    const std::size_t n = resp_command_size(args);
    if (n == 0 || out.size() < n) return 0;
    std::uint8_t* p = put_header(out.data(), '*', args.size());
    for (std::string_view a : args) {
        p = put_header(p, '$', a.size());
        if (!a.empty()) std::memcpy(p, a.data(), a.size());
        p += a.size();
        *p++ = '\r';
        *p++ = '\n';
    }
    return n;
}

}  // namespace sluice::proto
