// The microbenchmark runner: see bench.hpp for usage. Figures on a shared or busy machine
// are indicative only; compare medians taken on a quiet one.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "perf/micro/bench.hpp"

namespace {

struct Options {
    std::vector<std::string> filters;
    int reps = 9;
    double min_ms = 20.0;
    bool list = false;
    unsigned long long count = 0;  // --count=N: N untimed ops of each chosen benchmark
};

bool selected(const Options& o, const std::string& name) {
    if (o.filters.empty()) return true;
    return std::any_of(o.filters.begin(), o.filters.end(),
                       [&](const std::string& f) { return name.find(f) != std::string::npos; });
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ns per op of one run of `iterations`.
double run_once(const sluice::bench::Benchmark& b, std::uint64_t iterations) {
    sluice::bench::State state(iterations);
    b.fn(state);
    return state.elapsed_ns() / static_cast<double>(iterations);
}

// Doubles the iteration count until a run lasts 1 ms, then scales to min_ms.
std::uint64_t calibrate(const sluice::bench::Benchmark& b, double min_ms) {
    std::uint64_t iterations = 1;
    for (;;) {
        const double ns_per_op = run_once(b, iterations);
        const double total_ms = ns_per_op * static_cast<double>(iterations) / 1e6;
        if (total_ms >= 1.0 || iterations >= (1ull << 40)) {
            const double wanted = min_ms * 1e6 / std::max(ns_per_op, 1e-3);
            return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
        }
        iterations *= 2;
    }
}

// --count: N ops in one untimed run, for valgrind --tool=callgrind --toggle-collect='*run_counted*':
// instructions per op = the collected Ir / N (deterministic on a noisy machine; the
// benchmark's one result check before its loop adds one op's worth at most).
[[gnu::noinline]] void run_counted(const sluice::bench::Benchmark& b, std::uint64_t n) {
    sluice::bench::State state(n);
    b.fn(state);
}

void usage(const char* argv0) {
    std::printf("usage: %s [--reps=N] [--min-ms=MS] [--wall] [--list] [--count=N] [FILTER...]\n"
                "  runs the benchmarks whose names contain any FILTER (all if none);\n"
                "  times thread CPU time unless --wall; --count=N runs N untimed ops of each\n"
                "  in run_counted() (for callgrind --toggle-collect='*run_counted*')\n",
                argv0);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (sluice::bench::parse_timing_flag(a, o.reps, o.min_ms)) {
            o.reps = std::max(1, o.reps);
            o.min_ms = std::max(0.1, o.min_ms);
        } else if (std::strncmp(a, "--count=", 8) == 0) {
            o.count = std::strtoull(a + 8, nullptr, 10);
        } else if (std::strcmp(a, "--list") == 0) {
            o.list = true;
        } else if (std::strcmp(a, "--help") == 0 || std::strcmp(a, "-h") == 0) {
            usage(argv[0]);
            return 0;
        } else if (a[0] == '-') {
            usage(argv[0]);
            return 2;
        } else {
            o.filters.emplace_back(a);
        }
    }

    std::vector<sluice::bench::Benchmark> chosen;
    for (const auto& b : sluice::bench::registry()) {
        if (selected(o, b.name)) chosen.push_back(b);
    }
    std::sort(chosen.begin(), chosen.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
    if (o.list) {
        for (const auto& b : chosen) std::printf("%s\n", b.name.c_str());
        return 0;
    }
    if (chosen.empty()) {
        std::fprintf(stderr, "no benchmark matches\n");
        return 1;
    }

    if (o.count > 0) {
        for (const auto& b : chosen) run_counted(b, o.count);
        return 0;
    }

    std::printf("# %s time, %d runs of ~%.0f ms each after one warm-up; ns/op is the median run\n",
                sluice::bench::use_wall_clock() ? "wall" : "thread CPU", o.reps, o.min_ms);
    std::printf("%-34s %10s %10s %10s %7s %9s\n", "benchmark", "ns/op", "min", "max", "MAD%", "GB/s");
    for (const auto& b : chosen) {
        const std::uint64_t iterations = calibrate(b, o.min_ms);
        run_once(b, iterations);  // warm-up: caches, branch predictors, CPU clock
        std::vector<double> runs;
        for (int r = 0; r < o.reps; ++r) runs.push_back(run_once(b, iterations));
        const double med = median(runs);
        std::vector<double> deviations;
        for (double x : runs) deviations.push_back(std::fabs(x - med));
        const double mad_pct = med > 0 ? 100.0 * median(deviations) / med : 0.0;
        const auto [lo, hi] = std::minmax_element(runs.begin(), runs.end());
        char gbps[32] = "-";
        if (b.bytes_per_op > 0 && med > 0) std::snprintf(gbps, sizeof gbps, "%.2f", static_cast<double>(b.bytes_per_op) / med);
        std::printf("%-34s %10.2f %10.2f %10.2f %7.1f %9s\n", b.name.c_str(), med, *lo, *hi, mad_pct, gbps);
        std::fflush(stdout);
    }
    return 0;
}
