// app/detail/push_request.cpp
#include "app/detail/push_request.hpp"

#include <span>

#include "proto/http_fields.hpp"
#include "proto/http_request.hpp"

namespace sluice::detail {

std::optional<std::string_view> query_raw(std::string_view query, std::string_view name) noexcept {
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) != name) continue;
        return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    return std::nullopt;
}

std::optional<std::string> decode_query_value(std::string_view raw) {
    std::string out(raw.size(), '\0');
    const auto n = proto::percent_decode(raw, std::span<char>(out.data(), out.size()));
    if (!n) return std::nullopt;
    out.resize(*n);
    return out;
}

ResumeFrom resume_from(const RequestCopy& request, bool sse) {
    ResumeFrom r;
    std::optional<std::string_view> raw;
    if (sse) {
        if (const auto h = request.header("Last-Event-ID")) {
            r.asked = true;
            r.text = std::string(*h);
        } else {
            raw = query_raw(request.query(), "lastEventId");
        }
    } else {
        raw = query_raw(request.query(), "since");
    }
    if (raw) {
        r.asked = true;
        auto decoded = decode_query_value(*raw);
        if (!decoded) {
            r.bad = true;
            return r;
        }
        r.text = std::move(*decoded);
    }
    if (!r.text.empty() && !parse_event_id(r.text)) r.bad = true;
    return r;
}

bool accepts_event_stream(const RequestCopy& request) {
    const auto accept = request.header("Accept");
    if (!accept) return true;
    std::string_view rest = *accept;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const std::size_t semi = item.find(';');
        std::string_view type = item.substr(0, semi);
        while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
        while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
        if (!proto::ascii_iequals(type, "text/event-stream") && !proto::ascii_iequals(type, "text/*") &&
            type != "*/*") {
            continue;
        }
        const std::string_view params = semi == std::string_view::npos ? std::string_view() : item.substr(semi);
        const std::size_t q = params.find("q=");
        if (q != std::string_view::npos) {
            std::string_view v = params.substr(q + 2);
            v = v.substr(0, v.find_first_of(" \t;"));
            if (v == "0" || v == "0." || v == "0.0" || v == "0.00" || v == "0.000") continue;   // §12.4.2: not acceptable
        }
        return true;
    }
    return false;
}

}  // namespace sluice::detail
