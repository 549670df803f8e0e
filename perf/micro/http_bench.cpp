// Benchmarks of proto/ HTTP/1.1: request-head parsing (whole and in two halves), chunked
// body decoding, and response writing.
//
// One op of "http/parse/*" = reset() + parse_head() of one complete request head held in
// one buffer, returning done with every field filled (request/s = 10^9 / (ns/op); GB/s
// counts the head's bytes). For scale: picohttpparser's own benchmark (a 700-byte browser
// request with 10 headers and a long cookie) runs at about 5.0 M parses/s with SSE4.2 on
// the reference machine; "http/parse/browser-700B" is a request of that shape, written
// here (not copied).
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "perf/micro/bench.hpp"
#include "perf/micro/http_requests.hpp"
#include "proto/http_body.hpp"
#include "proto/http_parser.hpp"
#include "proto/http_writer.hpp"

namespace {

using namespace sluice::proto;
using sluice::bench::do_not_optimize;
using sluice::bench::kBrowser700;
using sluice::bench::kMinimal;

// ~500 bytes, 12 fields: a current browser's navigation request.
const std::string kBrowser500 =
    "GET /docs/guide/getting-started?lang=en HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Referer: https://www.example.com/docs/\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "\r\n";


std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void parse_loop(sluice::bench::State& state, const std::string& request) {
    HttpRequestParser parser;
    std::array<HttpHeader, 100> storage{};
    HttpRequest out;
    const auto in = bytes(request);
    if (parser.parse_head(in, storage, out).status != ParseStatus::done) std::abort();
    for (auto _ : state) {
        parser.reset();
        HeadResult r = parser.parse_head(in, storage, out);
        do_not_optimize(r);
        do_not_optimize(out);
    }
}

// The head arrives in two reads: the first call stops mid-way, the second resumes.
void parse_halves_loop(sluice::bench::State& state, const std::string& request) {
    HttpRequestParser parser;
    std::array<HttpHeader, 100> storage{};
    HttpRequest out;
    const auto in = bytes(request);
    const auto half = in.first(in.size() / 2);
    for (auto _ : state) {
        parser.reset();
        HeadResult first = parser.parse_head(half, storage, out);
        HeadResult r = parser.parse_head(in, storage, out);
        do_not_optimize(first);
        do_not_optimize(r);
        do_not_optimize(out);
    }
}

}  // namespace

SLUICE_BENCH("http/parse/browser-700B-10h", kBrowser700.size()) { parse_loop(state, kBrowser700); }
SLUICE_BENCH("http/parse/browser-500B-12h", kBrowser500.size()) { parse_loop(state, kBrowser500); }
SLUICE_BENCH("http/parse/minimal-GET", kMinimal.size()) { parse_loop(state, kMinimal); }
SLUICE_BENCH("http/parse/browser-700B-in-2-reads", kBrowser700.size()) { parse_halves_loop(state, kBrowser700); }

// One op = decode a 16 KiB body sent as 16 chunks of 1 KiB (with an extension on each),
// in place; the encoded body is restored from a copy before each op (memcpy included).
SLUICE_BENCH("http/body/chunked-16x1KiB", 16 * 1024) {
    std::string encoded;
    for (int i = 0; i < 16; ++i) encoded += "400;n=" + std::to_string(i) + "\r\n" + std::string(1024, 'x') + "\r\n";
    encoded += "0\r\n\r\n";
    std::string work = encoded;
    HttpLimits limits;
    BodyDecoder d;
    for (auto _ : state) {
        work.assign(encoded);
        d.start(BodyFraming::chunked, 0, limits);
        BodyResult r = d.decode({reinterpret_cast<std::uint8_t*>(work.data()), work.size()});
        do_not_optimize(r);
    }
}

// One op = a complete 200 response with Date, Content-Type and a 13-byte body.
SLUICE_BENCH("http/write/200-with-date", 0) {
    std::array<char, 512> out{};
    DateCache dates;
    std::int64_t t = 1719912345;
    SimpleResponse r;
    r.body = "Hello, world!";
    r.date = &dates;
    for (auto _ : state) {
        dates.update(t);
        std::size_t n = write_response(r, out);
        do_not_optimize(n);
    }
}

SLUICE_BENCH("http/write/date-reformat", 0) {
    DateCache dates;
    std::int64_t t = 1719912345;
    for (auto _ : state) {
        dates.update(++t);
        do_not_optimize(dates);
    }
}
