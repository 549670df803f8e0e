// app/request_copy.cpp — see app/request_copy.hpp for the layout.
#include "app/request_copy.hpp"

#include <cctype>
#include <cstring>
#include <functional>

namespace sluice::detail {

namespace {

constexpr std::size_t kLenBytes = sizeof(std::uint32_t);

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
}

std::uint32_t load_len(const char* p) noexcept {
    std::uint32_t v = 0;
    std::memcpy(&v, p, kLenBytes);
    return v;
}

}  // namespace

void RequestCopy::assign(const proto::HttpRequest& req) {
    const std::array<std::string_view, 4> parts{req.method, req.target, req.path, req.query};
    std::size_t total = 0;
    for (std::string_view p : parts) total += p.size();
    for (const auto& h : req.headers) total += 2 * kLenBytes + h.name.size() + h.value.size();
    storage_.clear();
    storage_.reserve(total);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        storage_.append(parts[i]);
        lens_[i] = static_cast<std::uint32_t>(parts[i].size());
    }
    for (const auto& h : req.headers) put_pair(h.name, h.value);
    headers_end_ = static_cast<std::uint32_t>(storage_.size());
    keep_alive_ = req.keep_alive;
    http10_ = req.version == proto::HttpVersion::http10;
    head_ = req.method == "HEAD";
}

void RequestCopy::add_param(std::string_view name, std::string_view value) {
    const RouteParam one{name, value};
    add_params(std::span<const RouteParam>(&one, 1));
}

void RequestCopy::add_params(std::span<const RouteParam> params) {
    // A router match's values are views into path(): they are rebased after the one
    // reserve, so storage_ never moves under a value still to be appended.
    std::size_t need = storage_.size();
    for (const RouteParam& p : params) need += 2 * kLenBytes + p.name.size() + p.value.size();
    const char* old_base = storage_.data();
    const std::size_t old_size = storage_.size();
    storage_.reserve(need);
    const std::less_equal<const char*> le;
    for (const RouteParam& p : params) {
        std::string_view value = p.value;
        if (!value.empty() && le(old_base, value.data()) && le(value.data() + value.size(), old_base + old_size)) {
            value = std::string_view(storage_).substr(static_cast<std::size_t>(value.data() - old_base), value.size());
        }
        put_pair(p.name, value);
    }
}

void RequestCopy::clear() noexcept {
    storage_.clear();
    lens_ = {};
    headers_end_ = 0;
    keep_alive_ = true;
    http10_ = head_ = false;
}

void RequestCopy::put_pair(std::string_view name, std::string_view value) {
    char lens[2 * kLenBytes];
    const auto n = static_cast<std::uint32_t>(name.size());
    const auto v = static_cast<std::uint32_t>(value.size());
    std::memcpy(lens, &n, kLenBytes);
    std::memcpy(lens + kLenBytes, &v, kLenBytes);
    storage_.append(lens, sizeof lens).append(name).append(value);
}

std::string_view RequestCopy::part(std::size_t i) const noexcept {
    std::size_t at = 0;
    for (std::size_t k = 0; k < i; ++k) at += lens_[k];
    return std::string_view(storage_).substr(at, lens_[i]);
}

template <class Match>
std::optional<std::string_view> RequestCopy::find(std::size_t from, std::size_t to, Match match) const noexcept {
    const std::string_view all = storage_;
    while (from + 2 * kLenBytes <= to) {
        const std::size_t n = load_len(all.data() + from);
        const std::size_t v = load_len(all.data() + from + kLenBytes);
        const std::size_t name_at = from + 2 * kLenBytes;
        if (match(all.substr(name_at, n))) return all.substr(name_at + n, v);
        from = name_at + n + v;
    }
    return std::nullopt;
}

std::optional<std::string_view> RequestCopy::header(std::string_view name) const noexcept {
    const std::size_t begin = std::size_t{lens_[0]} + lens_[1] + lens_[2] + lens_[3];
    return find(begin, headers_end_, [name](std::string_view n) { return iequals(n, name); });
}

std::optional<std::string_view> RequestCopy::param(std::string_view name) const noexcept {
    return find(headers_end_, storage_.size(), [name](std::string_view n) { return n == name; });
}

std::size_t RequestCopy::header_count() const noexcept {
    std::size_t count = 0;
    const std::size_t begin = std::size_t{lens_[0]} + lens_[1] + lens_[2] + lens_[3];
    find(begin, headers_end_, [&count](std::string_view) {
        ++count;
        return false;
    });
    return count;
}

}  // namespace sluice::detail
