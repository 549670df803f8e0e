#include "proto/http_parser.hpp"

#include <cstring>

#include "proto/http_chars.hpp"
#include "proto/http_framing.hpp"
#include "proto/http_target.hpp"

namespace sluice::proto {

namespace {

constexpr std::size_t kMaxOffset = std::size_t{1} << 30;
constexpr std::size_t clamp(std::size_t v) noexcept { return v > kMaxOffset ? kMaxOffset : v; }

std::string_view view(const std::uint8_t* p, std::size_t begin, std::size_t end) noexcept {
    return {reinterpret_cast<const char*>(p) + begin, end - begin};
}

// The sizeof(T) bytes at p as one integer, and a literal's bytes as the same integer (both
// in the machine's byte order, memcpy: any alignment): a fixed string compared in one go.
template <typename T>
T load_word(const std::uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <typename T, std::size_t N>
T word(const char (&lit)[N]) noexcept {
    static_assert(N - 1 == sizeof(T), "the literal fills the word exactly");
    T v;
    std::memcpy(&v, lit, sizeof v);
    return v;
}

// Field names the parser acts on, compared 8 bytes at a time. `lit` is lower-case letters
// and '-'; OR-ing 0x20 into a token byte maps exactly 'A'-'Z' onto 'a'-'z' among the bytes
// that could then equal a letter or '-' (no other token byte becomes one), so this is an
// exact case-insensitive comparison for token input. It is exact for validated field
// values too: the only other bytes that map onto '-' or a digit are CR and C0 controls.
std::uint64_t load_folded(const char* p, std::size_t n) noexcept {  // n in 1..8 bytes, OR 0x20 each
    std::uint64_t v = 0;
    std::memcpy(&v, p, n);
    return v | (0x2020202020202020ULL >> (8 * (8 - n)));
}

template <std::size_t N>
bool name_is(std::string_view name, const char (&lit)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    static_assert(n >= 4, "names and tokens compared here are 4 bytes or more");
    if (name.size() != n) return false;
    // Whole 8-byte words, then the last (up to 8) bytes as one overlapping word: no byte loop.
    std::size_t i = 0;
    for (; i + 8 < n; i += 8) {
        if (load_folded(name.data() + i, 8) != load_folded(lit + i, 8)) return false;
    }
    if constexpr (n >= 8) {
        return load_folded(name.data() + n - 8, 8) == load_folded(lit + n - 8, 8);
    } else {
        return load_folded(name.data(), n) == load_folded(lit, n);
    }
}

// Content-Length, Transfer-Encoding and Expect, across all lines: rare enough per request
// (none in a GET) that they are read in a second walk over the fields, from the first of them
// HeadRules saw.
struct FramingFields {
    bool expect = false;
    ContentLengthField cl;
    TransferEncodingField te;

    explicit FramingFields(std::span<const HttpHeader> headers) noexcept {
        for (const HttpHeader& h : headers) {
            switch (h.name.size()) {
                case 6:
                    if (name_is(h.name, "expect")) {
                        for_each_list_element(h.value, [&](std::string_view e) {
                            expect = expect || name_is(e, "100-continue");
                            return true;
                        });
                    }
                    break;
                case 14:
                    if (name_is(h.name, "content-length")) cl.add_line(h.value);
                    break;
                case 17:
                    if (name_is(h.name, "transfer-encoding")) te.add_line(h.value);
                    break;
                default:
                    break;
            }
        }
    }
};

// §9.3: the Connection options a server acts on, as HeadRules' flag bits (close 1, keep-alive 2).
[[gnu::noinline]] std::uint8_t connection_options(std::string_view value) noexcept {
    std::uint8_t options = 0;
    for_each_list_element(value, [&](std::string_view e) {
        if (name_is(e, "close")) options |= 1;
        if (name_is(e, "keep-alive")) options |= 2;
        return true;
    });
    return options;
}

// The rules that need every field line, fed one line at a time (by finish(), or by the fast
// path as it scans each line), then applied once the head is complete. Host (counted and
// checked as its line passes) and Connection are read here; Expect, Content-Length and
// Transfer-Encoding are only noted, for FramingFields. Three small scalars, so that the fast
// path keeps them in registers across its field loop.
struct HeadRules {
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};
    // Lengths of the field names add() acts on (4 host, 6 expect, 10 connection,
    // 14 content-length, 17 transfer-encoding): one bit test skips every other name.
    static constexpr std::uint32_t kNameLengths = 1u << 4 | 1u << 6 | 1u << 10 | 1u << 14 | 1u << 17;
    static constexpr std::uint8_t kClose = 1, kKeepAlive = 2, kBadHost = 4;  // flags
    std::uint32_t framing_from = kNone;  // index of the first field FramingFields reads, if any
    std::uint32_t hosts = 0;             // Host lines
    std::uint8_t flags = 0;              // Connection options (§9.3); a Host value that is not uri-host [":" port]

    // A Host line, and whether its value is uri-host [":" port] (RFC 9110 §7.2).
    void add_host(bool valid) noexcept {
        ++hosts;
        if (!valid) flags |= kBadHost;
    }

    // The field line at `index` of the head's fields.
    [[gnu::always_inline]] void add(std::string_view name, std::string_view value, std::size_t index) noexcept {
        const std::size_t n = name.size();
        if (n >= 32 || ((kNameLengths >> n) & 1) == 0) return;
        if (n == 4) {
            if (name_is(name, "host")) add_host(is_valid_host_inline(value));
            return;
        }
        if (n == 10) {
            if (name_is(name, "connection")) flags |= connection_options(value);
            return;
        }
        const bool framing = n == 6    ? name_is(name, "expect")
                             : n == 14 ? name_is(name, "content-length")
                                       : name_is(name, "transfer-encoding");
        if (framing && framing_from == kNone) framing_from = static_cast<std::uint32_t>(index);
    }

    // Sets out's framing, keep_alive and expect_continue (out.headers holds every field), or
    // returns the rule the head broke.
    [[gnu::always_inline]] HttpError apply(HttpVersion version, std::uint64_t max_body,
                                           HttpRequest& out) const noexcept {
        // §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
        // request message that lacks a Host header field and to any request message that contains
        // more than one Host header field line or a Host header field with an invalid field value."
        if (hosts > 1) return HttpError::duplicate_host;
        if (hosts == 0 && version == HttpVersion::http11) return HttpError::missing_host;
        if ((flags & kBadHost) != 0) return HttpError::bad_host;
        if (framing_from == kNone) {
            // §6.3 (7): a request with neither Content-Length nor Transfer-Encoding has a body
            // of length zero; §9.3: HTTP/1.1 persists unless "close", HTTP/1.0 only with
            // "keep-alive" (and no "close"); no 100-continue expectation.
            out.body_framing = BodyFraming::none;
            out.content_length = 0;
            out.keep_alive = keep_alive(version);
            out.expect_continue = false;
            return HttpError::none;
        }
        return apply_framing(FramingFields(out.headers.subspan(framing_from)), version, max_body, keep_alive(version),
                             out);
    }

    // §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive" (and no "close").
    bool keep_alive(HttpVersion version) const noexcept {
        return (flags & kClose) == 0 && (version == HttpVersion::http11 || (flags & kKeepAlive) != 0);
    }

    // Static: the rules' fields stay in registers (their address is never taken).
    static HttpError apply_framing(const FramingFields& f, HttpVersion version, std::uint64_t max_body,
                                   bool keep_alive, HttpRequest& out) noexcept {
        if (f.te.present) {
            // §6.1: Transfer-Encoding in HTTP/1.0 MUST be treated as faulty framing: refused.
            if (version == HttpVersion::http10) return HttpError::transfer_encoding_in_http10;
            // §6.1: a server MAY reject a request with both; §6.3 (3): "ought to be handled as an
            // error" (request smuggling). We reject.
            if (f.cl.present) return HttpError::content_length_and_transfer_encoding;
            // §6.3 (4) chunked not final -> 400; §6.1 unknown coding -> 501 (http_framing.cpp).
            if (HttpError e = f.te.error(); e != HttpError::none) return e;
            out.body_framing = BodyFraming::chunked;
            out.content_length = 0;
        } else if (f.cl.present) {
            // §6.3 (5): an invalid Content-Length MUST be answered 400 and the connection closed.
            if (HttpError e = f.cl.error(); e != HttpError::none) return e;
            // RFC 9110 §15.5.14: 413 for content larger than the server is willing to process.
            if (f.cl.value > max_body) return HttpError::body_too_large;
            out.body_framing = BodyFraming::content_length;
            out.content_length = f.cl.value;
        } else {
            // §6.3 (7): a request with neither has a body of length zero.
            out.body_framing = BodyFraming::none;
            out.content_length = 0;
        }
        // §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive" (and no "close").
        out.keep_alive = keep_alive;
        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
        out.expect_continue = f.expect && version == HttpVersion::http11;
        return HttpError::none;
    }
};

}  // namespace

HttpRequestParser::HttpRequestParser(const HttpLimits& limits) noexcept : limits_(limits) {
    limits_.max_request_line = clamp(limits_.max_request_line);
    limits_.max_header_section = clamp(limits_.max_header_section);
    if (limits_.max_headers > 0xffff) limits_.max_headers = 0xffff;
}

HeadResult HttpRequestParser::fail(HttpError e) noexcept {
    state_.phase = Phase::error;
    state_.error = e;
    return {ParseStatus::error, e, 0};
}

// The request-line, RFC 9112 §3, one byte class at a time within [pos, window).
HeadResult HttpRequestParser::parse_request_line(const std::uint8_t* p, std::size_t size) noexcept {
    State s = state_;
    HeadResult r = request_line(s, p, size);
    if (r.status == ParseStatus::error) s.phase = Phase::error, s.error = r.error;
    state_ = s;
    return r;
}

// Works on a local copy of the state (kept in registers); the caller stores it back.
HeadResult HttpRequestParser::request_line(State& s, const std::uint8_t* p, std::size_t size) const noexcept {
    auto refuse = [](HttpError e) { return HeadResult{ParseStatus::error, e, 0}; };
    const std::size_t window = size < limits_.max_request_line ? size : limits_.max_request_line;
    std::size_t i = s.pos;
    while (i < window) {
        const std::uint8_t c = p[i];
        switch (s.phase) {
            case Phase::lead:  // §2.2: empty lines before the request-line are ignored
                if (c == '\r') {
                    s.phase = Phase::lead_lf;
                    ++i;
                    break;
                }
                // §2.2: a bare LF is not a line end here (a recipient MAY accept it; we do not).
                if (c == '\n') return refuse(HttpError::bare_lf);
                s.line_start = static_cast<std::uint32_t>(i);
                s.phase = Phase::method;
                [[fallthrough]];
            case Phase::method: {
                i = detail::scan_token(p, i, window);
                if (i == window) break;
                // §3.1: method = token, then exactly one SP (§3).
                if (p[i] != ' ' || i == s.line_start) return refuse(HttpError::bad_method);
                ++i;
                s.target_start = static_cast<std::uint32_t>(i);
                s.phase = Phase::target;
                break;
            }
            case Phase::lead_lf:
                // §2.2: "A recipient of such a bare CR MUST consider that element to be invalid".
                if (c != '\n') return refuse(HttpError::bare_cr);
                s.phase = Phase::lead;
                ++i;
                break;
            case Phase::target: {
                i = detail::scan_target(p, i, window);
                if (i == window) break;
                const std::uint8_t t = p[i];
                if (t == '%') {
                    s.phase = Phase::target_pct1;
                    ++i;
                    break;
                }
                if (t == '[' || t == ']') {
                    s.target_brackets = true;
                    ++i;
                    break;
                }
                if (t == ' ') {
                    if (i == s.target_start) return refuse(HttpError::bad_request_line);
                    s.target_end = static_cast<std::uint32_t>(i);
                    // §3.2: the target's form must fit the method (§3.2.1-§3.2.4).
                    HttpError form = check_target_form(view(p, s.line_start, s.target_start - 1),
                                                       view(p, s.target_start, i), s.target_brackets);
                    if (form != HttpError::none) return refuse(form);
                    s.phase = Phase::version;
                    s.version_index = 0;
                    ++i;
                    break;
                }
                if (t == '\r' || t == '\n') return refuse(HttpError::bad_request_line);
                // §3.2: a request-target byte outside RFC 3986 (SP, "#", CTL, non-ASCII).
                return refuse(HttpError::bad_target);
            }
            case Phase::target_pct1:
            case Phase::target_pct2:
                // RFC 3986 §2.1: pct-encoded = "%" HEXDIG HEXDIG.
                if (detail::hex_value(c) < 0) return refuse(HttpError::bad_target);
                s.phase = s.phase == Phase::target_pct1 ? Phase::target_pct2 : Phase::target;
                ++i;
                break;
            case Phase::version: {
                // Fast path: the whole "HTTP/1.x\r\n" is here.
                if (s.version_index == 0 && i + 10 <= window && std::memcmp(p + i, "HTTP/1.", 7) == 0 &&
                    (p[i + 7] == '1' || p[i + 7] == '0') && p[i + 8] == '\r' && p[i + 9] == '\n') {
                    s.version = p[i + 7] == '1' ? HttpVersion::http11 : HttpVersion::http10;
                    i += 10;
                    s.phase = Phase::fields;
                    s.fields = detail::FieldState{};
                    s.fields.pos = s.fields.section_start = static_cast<std::uint32_t>(i);
                    s.pos = static_cast<std::uint32_t>(i);
                    return {ParseStatus::done, HttpError::none, 0};
                }
                // §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
                static constexpr char kName[] = "HTTP/";
                const std::uint8_t k = s.version_index;
                if (k < 5) {
                    if (c != static_cast<std::uint8_t>(kName[k])) return refuse(HttpError::bad_version);
                } else if (k == 5 || k == 7) {
                    if (!detail::is_digit(c)) return refuse(HttpError::bad_version);
                } else if (k == 6) {
                    if (c != '.') return refuse(HttpError::bad_version);
                } else {
                    if (c == '\r') {
                        s.phase = Phase::line_lf;
                        ++i;
                        break;
                    }
                    if (c == '\n') return refuse(HttpError::bare_lf);
                    return refuse(detail::is_digit(c) ? HttpError::bad_version : HttpError::bad_request_line);
                }
                ++s.version_index;
                ++i;
                if (s.version_index == 8) {
                    const std::uint8_t major = p[i - 3], minor = p[i - 1];
                    // RFC 9110 §15.6.6: a major version we do not support -> 505.
                    if (major != '1' || (minor != '0' && minor != '1'))
                        return refuse(HttpError::version_not_supported);
                    s.version = minor == '1' ? HttpVersion::http11 : HttpVersion::http10;
                }
                break;
            }
            case Phase::line_lf:
                if (c != '\n') return refuse(HttpError::bare_cr);  // §2.2: bare CR is invalid
                ++i;
                s.phase = Phase::fields;
                s.fields = detail::FieldState{};
                s.fields.pos = s.fields.section_start = static_cast<std::uint32_t>(i);
                s.pos = static_cast<std::uint32_t>(i);
                return {ParseStatus::done, HttpError::none, 0};
            default:
                return refuse(HttpError::bad_request_line);
        }
    }
    s.pos = static_cast<std::uint32_t>(i);
    // §3: "A server that receives a request-target longer than any URI it wishes to parse
    // MUST respond with a 414 (URI Too Long) status code."
    if (window < size) return refuse(HttpError::uri_too_long);
    return {ParseStatus::need_more, HttpError::none, 0};
}

// The fast path for the common case, a fresh head of ordinary lines, in one straight pass
// (no per-byte state machine, no second walk over the fields: each line is fed to the
// HeadRules as it is scanned, a "Host:" name is matched in one compare, and the first "?"
// of the target is noted on the way). It accepts only: it stops at the first byte it does
// not expect (an error, a "[" in the target, leading CRLFs, the end of the input), leaving
// the state at the last whole unit it passed (nothing, the request-line, whole field
// lines); parse_fresh_head then resumes there with the general machine, which gives
// every error its answer. So every byte rule below is also enforced, and cited, in
// request_line / scan_fields; the whole-head rules are HeadRules'. The request-line's parts
// go to `out` as soon as the line is whole (the general machine writes them again when it
// finishes). Returns true when it has the answer in `result` (the head complete: done, or
// the error of a whole-head rule); test/proto/http_parser_fast_path_test.cpp pins it to the
// general machine at every split of a set of requests.
[[gnu::always_inline]] inline bool HttpRequestParser::parse_fresh(const std::uint8_t* p, std::size_t size,
                                                                  std::span<HttpHeader> storage, HttpRequest& out,
                                                                  HeadResult& result) noexcept {
    // §3.1 method = token, then one SP: "GET " (the usual method) in one 4-byte compare.
    const std::size_t window = size < limits_.max_request_line ? size : limits_.max_request_line;
    std::size_t target_start = 4;
    if (window < 4 || load_word<std::uint32_t>(p) != word<std::uint32_t>("GET ")) {
        if (window == 0 || !detail::is_token(p[0])) return false;
        const std::size_t sp = detail::scan_token(p, 1, window);
        if (sp == window || p[sp] != ' ') return false;
        target_start = sp + 1;
    }
    // §3.2 target bytes, each "%" followed by two HEXDIG; the first "?" noted (the query).
    std::size_t i = target_start;
    std::size_t query = 0;  // 0: none (the method comes first)
    for (;;) {
        i = query == 0 ? detail::scan_path(p, i, window) : detail::scan_target(p, i, window);
        if (i == window) return false;
        if (p[i] == '?') {  // only the first "?" stops scan_path
            query = i++;
            continue;
        }
        if (p[i] != '%') break;
        if (i + 2 >= window || detail::hex_value(p[i + 1]) < 0 || detail::hex_value(p[i + 2]) < 0) return false;
        i += 3;
    }
    if (p[i] != ' ' || i == target_start) return false;
    const std::size_t target_end = i;
    // §3.2: an origin-form target fits every method but CONNECT ("CONNECT " is 8 bytes: a
    // 7-byte method with a "/" target is checked whole, as every other form).
    const bool origin = p[target_start] == '/' && target_start != 8;
    if (!origin && check_target_form(view(p, 0, target_start - 1), view(p, target_start, target_end), false) !=
                       HttpError::none)
        return false;
    // §2.3: "HTTP/1.1" or "HTTP/1.0" (they differ in one bit), then CRLF.
    i = target_end + 1;
    if (i + 10 > window) return false;
    const std::uint64_t name = load_word<std::uint64_t>(p + i);
    const std::uint64_t minor_bit = word<std::uint64_t>("HTTP/1.1") ^ word<std::uint64_t>("HTTP/1.0");
    if ((name | minor_bit) != word<std::uint64_t>("HTTP/1.1") ||
        load_word<std::uint16_t>(p + i + 8) != word<std::uint16_t>("\r\n"))
        return false;
    const HttpVersion version = (name & minor_bit) != 0 ? HttpVersion::http11 : HttpVersion::http10;
    i += 10;
    // The request-line passed: the general machine resumes after it if the fields stop early.
    State& s = state_;
    s.line_start = 0;
    s.target_start = static_cast<std::uint32_t>(target_start);
    s.target_end = static_cast<std::uint32_t>(target_end);
    s.version = version;
    s.fields.section_start = static_cast<std::uint32_t>(i);
    out.method = view(p, 0, target_start - 1);
    out.target = view(p, target_start, target_end);
    out.version = version;
    if (origin) {  // path and query (§3.2), as split_origin_form / split_target give them
        out.path = view(p, target_start, query != 0 ? query : target_end);
        out.query = query != 0 ? view(p, query + 1, target_end) : std::string_view{};
    } else {
        const TargetParts parts = split_target(out.method, out.target);
        out.path = parts.path;
        out.query = parts.query;
    }

    // §5: field-line = field-name ":" OWS field-value OWS CRLF, one whole line at a time. A
    // complete head has at least 4 bytes after a line's colon (CRLF, and the empty line's
    // CRLF): a line with fewer is left to the general machine.
    const std::size_t limit = i + limits_.max_header_section;
    const std::size_t end = size < limit ? size : limit;
    const std::size_t max_fields = storage.size() < limits_.max_headers ? storage.size() : limits_.max_headers;
    HttpHeader* const first = storage.data();
    HttpHeader* const last = first + max_fields;  // past the last field line allowed
    HttpHeader* f = first;
    bool done = false;
    HeadRules rules;
    while (i < end) {
        if (p[i] == '\r') {  // the empty line ends the section
            done = i + 1 < end && p[i + 1] == '\n';
            i += done ? 2 : 0;
            break;
        }
        // "Host:" (every HTTP/1.1 head has it) in one compare; OR 0x20 maps only "H" onto
        // "h" (and so on), whatever the byte. Any other name is scanned as a token.
        if (i + 6 > end) break;  // no whole field line and empty line fit
        const bool host = (load_word<std::uint32_t>(p + i) | 0x20202020) == word<std::uint32_t>("host") &&
                          p[i + 4] == ':';
        const std::size_t colon = host ? i + 4 : detail::scan_token(p, i, end);
        if (colon == i || colon + 5 > end || p[colon] != ':' || f == last) break;
        std::size_t v = colon + 1;
        if (p[v] == ' ') ++v;  // the usual single SP; any other OWS below
        if (p[v] <= ' ') {
            while (v < end && (p[v] == ' ' || p[v] == '\t')) ++v;
        }
        const std::size_t cr = detail::scan_value(p, v, end);
        if (cr + 1 >= end || load_word<std::uint16_t>(p + cr) != word<std::uint16_t>("\r\n")) break;
        std::size_t value_end = cr;  // trailing OWS is not part of the value
        if (p[cr - 1] <= ' ') {      // only SP and HTAB are value bytes <= SP (and p[colon] is ':')
            while (value_end > v && (p[value_end - 1] == ' ' || p[value_end - 1] == '\t')) --value_end;
        }
        *f = HttpHeader{view(p, i, colon), view(p, v, value_end)};
        if (host) {
            rules.add_host(is_valid_host_inline(f->value));
        } else {
            rules.add(f->name, f->value, static_cast<std::size_t>(f - first));
        }
        ++f;
        i = cr + 2;
    }
    const auto count = static_cast<std::size_t>(f - first);
    s.fields.count = static_cast<std::uint16_t>(count);
    s.fields.pos = static_cast<std::uint32_t>(i);
    if (!done) {  // whole field lines passed: the general machine resumes at the next one
        s.fields.phase = detail::FieldPhase::line_start;
        s.phase = Phase::fields;
        return false;
    }
    s.fields.phase = detail::FieldPhase::done;
    s.phase = Phase::done;
    out.headers = std::span<const HttpHeader>(first, count);
    const HttpError e = rules.apply(version, limits_.max_body, out);
    result = e == HttpError::none ? HeadResult{ParseStatus::done, HttpError::none, i} : fail(e);
    return true;
}

// A fresh head: the fast path, then the general machine where it stopped.
[[gnu::noinline]] HeadResult HttpRequestParser::parse_fresh_head(const std::uint8_t* p, std::size_t size,
                                                                 std::span<HttpHeader> storage,
                                                                 HttpRequest& out) noexcept {
    HeadResult r;
    if (parse_fresh(p, size, storage, out, r)) return r;
    return parse_general(p, size, storage, true, out);
}

HeadResult HttpRequestParser::parse_head(std::span<const std::uint8_t> input,
                                         std::span<HttpHeader> header_storage, HttpRequest& out) noexcept {
    if (state_.phase == Phase::lead && state_.pos == 0)
        return parse_fresh_head(input.data(), input.size(), header_storage, out);
    return parse_general(input.data(), input.size(), header_storage, false, out);
}

// Everything the fast path does not finish: resumes where the last call (or the fast path)
// stopped. Out of line, so the fast path's frame stays small.
[[gnu::noinline]] HeadResult HttpRequestParser::parse_general(const std::uint8_t* p, std::size_t size,
                                                              std::span<HttpHeader> header_storage, bool fresh,
                                                              HttpRequest& out) noexcept {
    State& s = state_;
    if (s.phase == Phase::error) return {ParseStatus::error, s.error, 0};
    if (s.phase == Phase::done) return finish(p, size, header_storage, true, out);
    // Field lines passed in an earlier call point into bytes that may have moved since (the
    // fast path's, when this call was fresh, were stored from this call's bytes).
    const bool refill = !fresh && s.phase == Phase::fields && s.fields.count > 0;
    if (s.phase != Phase::fields) {
        HeadResult r = parse_request_line(p, size);
        if (r.status != ParseStatus::done) return r;
    }
    detail::FieldScan f = detail::scan_fields(s.fields, p, size, limits_.max_header_section,
                                              limits_.max_headers, header_storage);
    if (f.status == ParseStatus::error) return fail(f.error);
    if (f.status == ParseStatus::need_more) return {ParseStatus::need_more, HttpError::none, 0};
    s.phase = Phase::done;
    return finish(p, size, header_storage, refill, out);
}

// The head is complete: fill the request and apply the rules that need every field.
HeadResult HttpRequestParser::finish(const std::uint8_t* p, std::size_t size, std::span<HttpHeader> storage,
                                     bool refill, HttpRequest& out) noexcept {
    const State& s = state_;
    if (refill) detail::refill_fields(p, size, s.fields.section_start, s.fields.count, storage);
    out.method = view(p, s.line_start, s.target_start - 1);
    out.target = view(p, s.target_start, s.target_end);
    out.version = s.version;
    out.headers = std::span<const HttpHeader>(storage.data(), s.fields.count);

    // Path and query (§3.2): see HttpRequest for each form.
    // (CONNECT's authority-form never starts with "/", so "/" means origin-form here.)
    const TargetParts parts =
        out.target.front() == '/' ? split_origin_form(out.target) : split_target(out.method, out.target);
    out.path = parts.path;
    out.query = parts.query;

    HeadRules rules;
    for (std::size_t k = 0; k < out.headers.size(); ++k) rules.add(out.headers[k].name, out.headers[k].value, k);
    if (HttpError e = rules.apply(s.version, limits_.max_body, out); e != HttpError::none) return fail(e);
    return {ParseStatus::done, HttpError::none, s.fields.pos};
}

}  // namespace sluice::proto
