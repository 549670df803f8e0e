// test/core/cpu_test.cpp — the one CPU-feature answer: what the kernel says, asked once,
// the same from every thread.
#include "core/cpu.hpp"

#include <doctest/doctest.h>

#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

namespace {

using sluice::core::CpuFeatures;
using sluice::core::cpu_features;

// The "flags" line of /proc/cpuinfo's first processor: what Linux saw and lets programs use
// (it clears avx2 where it does not save the ymm registers). Empty elsewhere.
std::set<std::string> kernel_cpu_flags() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        std::set<std::string> flags;
        for (std::string w; words >> w;) flags.insert(w);
        return flags;
    }
    return {};
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("cpu: the answer agrees with the kernel's /proc/cpuinfo flags") {
    const std::set<std::string> flags = kernel_cpu_flags();
    if (flags.empty()) {
        MESSAGE("no /proc/cpuinfo flags here: nothing to compare with");
        return;
    }
    const CpuFeatures& f = cpu_features();
#if defined(__x86_64__) || defined(__i386__)
    CHECK(f.sse2 == (flags.count("sse2") == 1));
    CHECK(f.ssse3 == (flags.count("ssse3") == 1));
    CHECK(f.sse41 == (flags.count("sse4_1") == 1));
    CHECK(f.avx2 == (flags.count("avx2") == 1));
    CHECK(f.sha == (flags.count("sha_ni") == 1));
#else
    CHECK_FALSE(f.sse2 || f.ssse3 || f.sse41 || f.avx2 || f.sha);
#endif
}

TEST_CASE("cpu: the build's own target features are never denied") {
    const CpuFeatures& f = cpu_features();
#if defined(__x86_64__)
    CHECK(f.sse2);   // part of x86-64 itself
#endif
#if defined(__AVX2__)
    CHECK(f.avx2);   // this binary already runs AVX2 code
#endif
    CHECK(sluice::core::cpu_has_avx2() == f.avx2);
}

TEST_CASE("cpu: detected once; every thread sees the same object") {
    std::array<const CpuFeatures*, 4> seen{};
    {
        std::array<std::thread, 4> threads;
        for (std::size_t i = 0; i < threads.size(); ++i) {
            threads[i] = std::thread([&seen, i] { seen[i] = &cpu_features(); });
        }
        for (auto& t : threads) t.join();
    }
    const CpuFeatures* first = &cpu_features();
    for (const CpuFeatures* p : seen) CHECK(p == first);
}

}  // TEST_SUITE
