// perf/micro/bench.hpp — sluice's own microbenchmark harness (no third-party code).
//
// A benchmark is a function registered with a name and the bytes one operation
// processes; its body does any set-up, then loops over `state`, and only the loop is timed:
//
//   SLUICE_BENCH("sha1/60B", 60) {
//       const std::string input(60, 'k');                       // set-up: not timed
//       for (auto _ : state) sluice::bench::do_not_optimize(sluice::core::sha1(input));
//   }
//
// The runner (main.cpp) picks an iteration count that makes one run last about
// --min-ms (default 20 ms), does one warm-up run, then --reps (default 9) timed runs, and
// prints one table: median ns/op, the fastest and slowest run, the median absolute
// deviation in percent, and GB/s (10^9 bytes per second) at the median.
//
//   build/release/perf/micro                 every benchmark
//   build/release/perf/micro utf8 sha1       names containing "utf8" or "sha1"
//   build/release/perf/micro --reps=21 --min-ms=50 --wall --list
//
// Owns nothing shared: the registry is a function-local static filled before main().
#pragma once

#include <time.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::bench {

// Which clock times a run. By default the thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
// which leaves out the time the thread spends descheduled on a busy, shared machine; on
// a quiet machine it equals wall time for these single-threaded loops. --wall uses the
// steady wall clock instead.
inline bool& use_wall_clock() noexcept {
    static bool wall = false;
    return wall;
}

// The timing flags every benchmark program takes: --reps=N, --min-ms=MS, --wall. Returns
// false if `arg` is none of them; each program clamps reps and min_ms to its own floor.
inline bool parse_timing_flag(const char* arg, int& reps, double& min_ms) noexcept {
    if (std::strncmp(arg, "--reps=", 7) == 0) {
        reps = std::atoi(arg + 7);
    } else if (std::strncmp(arg, "--min-ms=", 9) == 0) {
        min_ms = std::atof(arg + 9);
    } else if (std::strcmp(arg, "--wall") == 0) {
        use_wall_clock() = true;
    } else {
        return false;
    }
    return true;
}

inline std::int64_t now_ns() noexcept {
    if (use_wall_clock()) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

class State {  // One timed run: `iterations` passes of the benchmark's loop. Owns its counters.
 public:
    explicit State(std::uint64_t iterations) noexcept : iterations_(iterations) {}

    struct Sentinel {};
    class Iterator {
     public:
        Iterator(State* state, std::uint64_t left) noexcept : state_(state), left_(left) {}
        // The loop variable: an empty tag, never read.
        struct [[maybe_unused]] Tick {};
        Tick operator*() const noexcept { return {}; }
        Iterator& operator++() noexcept {
            --left_;
            return *this;
        }
        bool operator!=(Sentinel) noexcept {
            if (left_ != 0) return true;
            state_->stop_ = now_ns();
            return false;
        }

     private:
        State* state_;
        std::uint64_t left_;
    };

    // The clock starts when the loop starts and stops when it ends.
    Iterator begin() noexcept {
        start_ = now_ns();
        return {this, iterations_};
    }
    Sentinel end() noexcept { return {}; }

    std::uint64_t iterations() const noexcept { return iterations_; }
    double elapsed_ns() const noexcept { return static_cast<double>(stop_ - start_); }

 private:
    std::uint64_t iterations_;
    std::int64_t start_ = 0;
    std::int64_t stop_ = 0;
};

// A benchmark body. SLUICE_BENCH makes a plain function; code that registers a matrix of
// cases (sizes x inputs) may pass a capturing lambda to Registration.
using BenchFn = std::function<void(State&)>;

struct Benchmark {
    std::string name;
    std::size_t bytes_per_op;  // 0: not a throughput benchmark (no GB/s column)
    BenchFn fn;
};

inline std::vector<Benchmark>& registry() {
    static std::vector<Benchmark> benchmarks;
    return benchmarks;
}

struct Registration {
    Registration(std::string name, std::size_t bytes_per_op, BenchFn fn) {
        registry().push_back({std::move(name), bytes_per_op, std::move(fn)});
    }
};

// Makes the compiler believe `value` is read (so computing it cannot be optimised away).
template <typename T>
inline void do_not_optimize(const T& value) noexcept {
    asm volatile("" : : "g"(&value) : "memory");
}

// Makes the compiler believe all memory may be read and written here.
inline void clobber_memory() noexcept { asm volatile("" : : : "memory"); }

}  // namespace sluice::bench

#define SLUICE_BENCH_CAT2(a, b) a##b
#define SLUICE_BENCH_CAT(a, b) SLUICE_BENCH_CAT2(a, b)
// SLUICE_BENCH("name", bytes_per_op) { ...set-up...; for (auto _ : state) { ...one op... } }
#define SLUICE_BENCH(name, bytes_per_op)                                                                    \
    static void SLUICE_BENCH_CAT(sluice_bench_fn_, __LINE__)(::sluice::bench::State & state);               \
    static const ::sluice::bench::Registration SLUICE_BENCH_CAT(sluice_bench_reg_, __LINE__){              \
        name, bytes_per_op, &SLUICE_BENCH_CAT(sluice_bench_fn_, __LINE__)};                                 \
    static void SLUICE_BENCH_CAT(sluice_bench_fn_, __LINE__)([[maybe_unused]] ::sluice::bench::State & state)
