// app/detail/request_copy.cpp — see app/request_copy.hpp for the layout.
#include "app/detail/request_copy.hpp"

#include <cstring>
#include <functional>
#include <utility>

#include "proto/http_fields.hpp"

namespace sluice::detail {

namespace {

// A length is one byte below 255, else 255 and then four bytes (native order).
constexpr std::size_t kLongLen = 255;
constexpr std::size_t kLongLenBytes = 1 + sizeof(std::uint32_t);

std::size_t len_bytes(std::size_t n) noexcept { return n < kLongLen ? 1 : kLongLenBytes; }

void put_len(std::string& out, std::size_t n) {
    if (n < kLongLen) {
        out.push_back(static_cast<char>(n));
        return;
    }
    char b[kLongLenBytes];
    b[0] = static_cast<char>(kLongLen);
    const auto v = static_cast<std::uint32_t>(n);
    std::memcpy(b + 1, &v, sizeof v);
    out.append(b, sizeof b);
}

// Reads a length at `at`, advancing it.
std::size_t load_len(std::string_view all, std::size_t& at) noexcept {
    const auto first = static_cast<unsigned char>(all[at]);
    if (first < kLongLen) {
        at += 1;
        return first;
    }
    std::uint32_t v = 0;
    std::memcpy(&v, all.data() + at + 1, sizeof v);
    at += kLongLenBytes;
    return v;
}

}  // namespace

void RequestCopy::set_peer(std::string_view peer) {
    storage_.assign(peer);
    lens_ = {};
    lens_[0] = static_cast<std::uint32_t>(peer.size());
    headers_end_ = lens_[0];
}

void RequestCopy::assign(const proto::HttpRequest& req) {
    const std::array<std::string_view, 4> parts{req.method, req.target, req.path, req.query};
    std::size_t total = lens_[0];
    for (std::string_view p : parts) total += p.size();
    for (const auto& h : req.headers) total += len_bytes(h.name.size()) + len_bytes(h.value.size()) + h.name.size() + h.value.size();
    storage_.resize(lens_[0]);
    storage_.reserve(total);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        storage_.append(parts[i]);
        lens_[i + 1] = static_cast<std::uint32_t>(parts[i].size());
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
    for (const RouteParam& p : params) need += len_bytes(p.name.size()) + len_bytes(p.value.size()) + p.name.size() + p.value.size();
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
    storage_.resize(lens_[0]);
    for (std::size_t i = 1; i < lens_.size(); ++i) lens_[i] = 0;
    headers_end_ = lens_[0];
    keep_alive_ = true;
    http10_ = head_ = false;
}

void RequestCopy::retain(std::span<const std::string> headers) {
    const auto kept = [headers](std::string_view name) {
        for (const std::string& h : headers) {
            if (proto::ascii_iequals(h, name)) return true;
        }
        return false;
    };
    const std::string_view all = storage_;
    const std::size_t begin = headers_begin();
    std::size_t total = begin + (all.size() - headers_end_);
    find(begin, headers_end_, [&](std::string_view name) {
        if (kept(name)) total = all.size();   // rare: a field kept; no exact count needed
        return false;
    });
    std::string fresh(total, '\0');   // constructed at its size: the block is no larger
    fresh.resize(0);
    fresh.append(all.substr(0, begin));
    std::size_t at = begin;
    while (at < headers_end_) {
        const std::size_t n = load_len(all, at);
        const std::size_t v = load_len(all, at);
        const std::string_view name = all.substr(at, n);
        if (kept(name)) {
            put_len(fresh, n);
            put_len(fresh, v);
            fresh.append(name).append(all.substr(at + n, v));
        }
        at += n + v;
    }
    const std::size_t params_at = fresh.size();
    fresh.append(all.substr(headers_end_));
    headers_end_ = static_cast<std::uint32_t>(params_at);
    storage_ = std::move(fresh);
}

void RequestCopy::put_pair(std::string_view name, std::string_view value) {
    put_len(storage_, name.size());
    put_len(storage_, value.size());
    storage_.append(name).append(value);
}

std::string_view RequestCopy::part(std::size_t i) const noexcept {
    std::size_t at = 0;
    for (std::size_t k = 0; k < i; ++k) at += lens_[k];
    return std::string_view(storage_).substr(at, lens_[i]);
}

template <class Match>
std::optional<std::string_view> RequestCopy::find(std::size_t from, std::size_t to, Match match) const noexcept {
    const std::string_view all = storage_;
    while (from < to) {
        const std::size_t n = load_len(all, from);
        const std::size_t v = load_len(all, from);
        if (match(all.substr(from, n))) return all.substr(from + n, v);
        from += n + v;
    }
    return std::nullopt;
}

std::size_t RequestCopy::headers_begin() const noexcept {
    std::size_t at = 0;
    for (std::uint32_t n : lens_) at += n;
    return at;
}

std::optional<std::string_view> RequestCopy::header(std::string_view name) const noexcept {
    return find(headers_begin(), headers_end_, [name](std::string_view n) { return proto::ascii_iequals(n, name); });
}

std::optional<std::string_view> RequestCopy::param(std::string_view name) const noexcept {
    return find(headers_end_, storage_.size(), [name](std::string_view n) { return n == name; });
}

std::size_t RequestCopy::header_count() const noexcept {
    std::size_t count = 0;
    find(headers_begin(), headers_end_, [&count](std::string_view) {
        ++count;
        return false;
    });
    return count;
}

}  // namespace sluice::detail
