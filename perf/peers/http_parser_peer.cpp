// perf/peers/http_parser_peer.cpp — sluice's HTTP/1.1 request-head parser against
// picohttpparser, side by side, in one process and one run, on the same bytes.
//
// Built and run by perf/bench_http_peer.sh (never by the Makefile): it links the release
// objects of proto/ and core/ and Debian's libh2o (which exports picohttpparser's
// phr_parse_request). Nothing of picohttpparser is copied here: only its documented C
// prototype is declared below.
//
// One op:
//   sluice          HttpRequestParser::reset() + parse_head() -> done, every field filled
//   picohttpparser  phr_parse_request(..., last_len = 0) -> bytes of head, every field filled
// on a request held in one buffer. The requests: the ~700-byte browser request of
// perf/micro/http_bench.cpp (10 fields, a long cookie; the shape of picohttpparser's own
// benchmark) and a minimal "GET / HTTP/1.1". Before timing, both parsers must accept each
// request whole, with the same method, target, field count and field names and values.
//
// Timing: perf/micro/bench.hpp's State and clock (thread CPU time unless --wall). The
// iteration count is calibrated once per request so that one run lasts about --min-ms;
// after one warm-up run of each parser, --reps runs alternate sluice, pico, sluice, pico...
// so that a noisy neighbour hits both alike. Reported: the median run.
//
//   http_parser_peer [--reps=N] [--min-ms=MS] [--wall]
//   http_parser_peer --count=N --parser=sluice|pico --request=browser|minimal
//       N untimed parses of one request by one parser, in count_parses(), for
//       valgrind --tool=callgrind --toggle-collect='*count_parses*': instructions per
//       parse = the collected Ir / N (deterministic, unlike time on a shared machine).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "perf/micro/bench.hpp"
#include "perf/micro/http_requests.hpp"
#include "proto/http_parser.hpp"

// The flags sluice's objects were built with (perf/bench_http_peer.sh passes them).
#ifndef SLUICE_PEER_FLAGS
#define SLUICE_PEER_FLAGS "-O2 -march=native"
#endif

// picohttpparser's public C interface (picohttpparser.h), declared from its documentation.
extern "C" {
struct phr_header {
    const char* name;
    size_t name_len;
    const char* value;
    size_t value_len;
};
int phr_parse_request(const char* buf, size_t len, const char** method, size_t* method_len, const char** path,
                      size_t* path_len, int* minor_version, struct phr_header* headers, size_t* num_headers,
                      size_t last_len);
}

namespace {

using namespace sluice::proto;
using sluice::bench::do_not_optimize;
using sluice::bench::State;

using sluice::bench::kBrowser700;  // the same bytes perf/micro/http_bench.cpp times
using sluice::bench::kMinimal;

constexpr std::size_t kMaxHeaders = 100;  // both parsers get room for 100 fields

struct Options {
    int reps = 9;
    double min_ms = 30.0;
};

struct Case {
    const char* name;
    const std::string* request;
};

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void die(const char* what, const char* request) {
    std::fprintf(stderr, "http_parser_peer: %s (%s)\n", what, request);
    std::exit(1);
}

// Both parsers must accept the request whole and agree on what they read.
void check_agreement(const Case& c) {
    const std::string& req = *c.request;
    HttpRequestParser parser;
    std::array<HttpHeader, kMaxHeaders> storage{};
    HttpRequest out;
    const HeadResult r = parser.parse_head(bytes(req), storage, out);
    if (r.status != ParseStatus::done || r.consumed != req.size()) die("sluice did not parse the whole head", c.name);

    const char* method = nullptr;
    const char* path = nullptr;
    std::size_t method_len = 0;
    std::size_t path_len = 0;
    int minor = -1;
    std::array<phr_header, kMaxHeaders> headers{};
    std::size_t num_headers = headers.size();
    const int n = phr_parse_request(req.data(), req.size(), &method, &method_len, &path, &path_len, &minor,
                                    headers.data(), &num_headers, 0);
    if (n < 0 || static_cast<std::size_t>(n) != req.size()) die("picohttpparser did not parse the whole head", c.name);

    if (out.method != std::string_view(method, method_len)) die("methods differ", c.name);
    if (out.target != std::string_view(path, path_len)) die("targets differ", c.name);
    if (minor != (out.version == HttpVersion::http11 ? 1 : 0)) die("versions differ", c.name);
    if (out.headers.size() != num_headers) die("field counts differ", c.name);
    for (std::size_t i = 0; i < num_headers; ++i) {
        if (out.headers[i].name != std::string_view(headers[i].name, headers[i].name_len) ||
            out.headers[i].value != std::string_view(headers[i].value, headers[i].value_len)) {
            die("a field differs", c.name);
        }
    }
    std::printf("# %-12s %4zu bytes: both parse it whole; method %.*s, target %.*s, field count %zu, same names and values\n",
                c.name, req.size(), static_cast<int>(method_len), method, static_cast<int>(path_len), path,
                num_headers);
}

// ns per op of one run of `iterations` sluice parses.
double run_sluice(const std::string& req, std::uint64_t iterations) {
    HttpRequestParser parser;
    std::array<HttpHeader, kMaxHeaders> storage{};
    HttpRequest out;
    const auto in = bytes(req);
    State state(iterations);
    for (auto _ : state) {
        parser.reset();
        HeadResult r = parser.parse_head(in, storage, out);
        do_not_optimize(r);
        do_not_optimize(out);
    }
    return state.elapsed_ns() / static_cast<double>(iterations);
}

// ns per op of one run of `iterations` picohttpparser parses.
double run_pico(const std::string& req, std::uint64_t iterations) {
    std::array<phr_header, kMaxHeaders> headers{};
    const char* method = nullptr;
    const char* path = nullptr;
    std::size_t method_len = 0;
    std::size_t path_len = 0;
    int minor = 0;
    State state(iterations);
    for (auto _ : state) {
        std::size_t num_headers = headers.size();
        int n = phr_parse_request(req.data(), req.size(), &method, &method_len, &path, &path_len, &minor,
                                  headers.data(), &num_headers, 0);
        do_not_optimize(n);
        do_not_optimize(num_headers);
        do_not_optimize(headers);
    }
    return state.elapsed_ns() / static_cast<double>(iterations);
}

// The body of --count: N parses, nothing else, so callgrind's collected Ir / N is one parse.
[[gnu::noinline]] void count_parses(bool sluice, const std::string& req, std::uint64_t n) {
    HttpRequestParser parser;
    std::array<HttpHeader, kMaxHeaders> storage{};
    HttpRequest out;
    std::array<phr_header, kMaxHeaders> headers{};
    const char* method = nullptr;
    const char* path = nullptr;
    std::size_t method_len = 0;
    std::size_t path_len = 0;
    int minor = 0;
    for (std::uint64_t k = 0; k < n; ++k) {
        if (sluice) {
            parser.reset();
            HeadResult r = parser.parse_head(bytes(req), storage, out);
            do_not_optimize(r);
            do_not_optimize(out);
        } else {
            std::size_t num_headers = headers.size();
            int r = phr_parse_request(req.data(), req.size(), &method, &method_len, &path, &path_len, &minor,
                                      headers.data(), &num_headers, 0);
            do_not_optimize(r);
            do_not_optimize(num_headers);
            do_not_optimize(headers);
        }
    }
}

// Doubles the count until a run of the slower parser lasts 1 ms, then scales to min_ms.
std::uint64_t calibrate(const std::string& req, double min_ms) {
    std::uint64_t iterations = 1;
    for (;;) {
        const double ns = std::max(run_sluice(req, iterations), run_pico(req, iterations));
        if (ns * static_cast<double>(iterations) >= 1e6 || iterations >= (1ull << 40)) {
            const double wanted = min_ms * 1e6 / std::max(ns, 1e-3);
            return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
        }
        iterations *= 2;
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void usage(const char* argv0) {
    std::printf("usage: %s [--reps=N] [--min-ms=MS] [--wall]\n"
                "  times sluice and picohttpparser on the same requests, alternating runs;\n"
                "  thread CPU time unless --wall\n"
                "       %s --count=N --parser=sluice|pico --request=browser|minimal\n"
                "  N untimed parses in count_parses(), for callgrind --toggle-collect\n",
                argv0, argv0);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    unsigned long long count = 0;
    std::string_view count_parser = "sluice";
    std::string_view count_request = "minimal";
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (std::strncmp(a, "--count=", 8) == 0) {
            count = std::strtoull(a + 8, nullptr, 10);
        } else if (std::strncmp(a, "--parser=", 9) == 0) {
            count_parser = a + 9;
        } else if (std::strncmp(a, "--request=", 10) == 0) {
            count_request = a + 10;
        } else if (sluice::bench::parse_timing_flag(a, o.reps, o.min_ms)) {
            o.reps = std::max(7, o.reps);
            o.min_ms = std::max(1.0, o.min_ms);
        } else if (std::strcmp(a, "--help") == 0 || std::strcmp(a, "-h") == 0) {
            usage(argv[0]);
            return 0;
        } else {
            usage(argv[0]);
            return 2;
        }
    }

    const Case cases[] = {{"browser-700B", &kBrowser700}, {"minimal-GET", &kMinimal}};
    for (const Case& c : cases) check_agreement(c);
    if (count > 0) {
        if ((count_parser != "sluice" && count_parser != "pico") ||
            (count_request != "browser" && count_request != "minimal")) {
            usage(argv[0]);
            return 2;
        }
        count_parses(count_parser == "sluice", count_request == "browser" ? kBrowser700 : kMinimal, count);
        return 0;
    }

    std::printf("# sluice: HttpRequestParser reset()+parse_head(), built with %s.\n", SLUICE_PEER_FLAGS);
    std::printf("# pico:   phr_parse_request() from Debian's libh2o (shared library, called through the PLT),\n"
                "#         built by Debian for baseline x86-64: without SSE4.2, so picohttpparser's\n"
                "#         PCMPESTRI fast path is compiled out (see the objdump check printed above by\n"
                "#         perf/bench_http_peer.sh). For scale, issue 4 quotes picohttpparser's own benchmark:\n"
                "#         ~2.8 M parses/s without SSE4.2, ~5.0 M/s with it (700-byte request).\n"
                "# Both check different amounts: sluice also validates the target, Host, Content-Length,\n"
                "#         Transfer-Encoding and Connection (RFC 9112); picohttpparser checks tokens/bytes.\n");
    std::printf("# %s time; %d alternating runs of ~%.0f ms each per parser after one warm-up; median run\n",
                sluice::bench::use_wall_clock() ? "wall" : "thread CPU", o.reps, o.min_ms);
    std::printf("%-13s %5s | %9s %8s %7s | %9s %8s %7s | %11s\n", "request", "bytes", "sluice", "M/s", "GB/s",
                "pico", "M/s", "GB/s", "sluice/pico");
    std::printf("%-13s %5s | %9s %8s %7s | %9s %8s %7s | %11s\n", "", "", "ns/op", "", "", "ns/op", "", "",
                "(speed)");
    for (const Case& c : cases) {
        const std::string& req = *c.request;
        const std::uint64_t iterations = calibrate(req, o.min_ms);
        run_sluice(req, iterations);  // warm-up
        run_pico(req, iterations);
        std::vector<double> s_runs;
        std::vector<double> p_runs;
        for (int r = 0; r < o.reps; ++r) {
            s_runs.push_back(run_sluice(req, iterations));
            p_runs.push_back(run_pico(req, iterations));
        }
        const double s = median(s_runs);
        const double p = median(p_runs);
        const double size = static_cast<double>(req.size());
        std::printf("%-13s %5zu | %9.1f %8.2f %7.2f | %9.1f %8.2f %7.2f | %10.2fx\n", c.name, req.size(), s,
                    1e3 / s, size / s, p, 1e3 / p, size / p, p / s);
        std::fflush(stdout);
    }
    std::printf("# sluice/pico (speed) = pico ns/op / sluice ns/op: above 1 means sluice parses faster.\n");
    return 0;
}
