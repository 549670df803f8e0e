// core/cpu.cpp — CPUID and XGETBV, read once (see core/cpu.hpp).
#include "core/cpu.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define SLUICE_CPU_X86 1
#endif

namespace sluice::core {

namespace {

#if defined(SLUICE_CPU_X86)
constexpr bool cpuid_bit(unsigned reg, unsigned n) noexcept { return ((reg >> n) & 1u) != 0; }

// XCR0, the register that says which register files the OS saves. Inline asm rather than
// _xgetbv(): that intrinsic needs the "xsave" target, and this file is built for any -march.
unsigned long long read_xcr0() noexcept {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<unsigned long long>(hi) << 32) | lo;
}

CpuFeatures detect_cpu_features() noexcept {
    CpuFeatures f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    // Leaf 1: EDX bit 26 SSE2; ECX bit 9 SSSE3, bit 19 SSE4.1, bit 27 OSXSAVE, bit 28 AVX.
    if (__get_cpuid(1, &a, &b, &c, &d) == 0) return f;
    f.sse2 = cpuid_bit(d, 26);
    f.ssse3 = cpuid_bit(c, 9);
    f.sse41 = cpuid_bit(c, 19);
    const bool os_saves_ymm = cpuid_bit(c, 27) && cpuid_bit(c, 28) && (read_xcr0() & 0x6) == 0x6;   // XMM and YMM state
    // Leaf 7, subleaf 0: EBX bit 5 AVX2, bit 29 SHA. __get_cpuid_count checks the leaf exists.
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return f;
    f.avx2 = os_saves_ymm && cpuid_bit(b, 5);
    f.sha = cpuid_bit(b, 29);
    return f;
}
#else
CpuFeatures detect_cpu_features() noexcept { return {}; }
#endif

}  // namespace

const CpuFeatures& cpu_features() noexcept {
    static const CpuFeatures features = detect_cpu_features();
    return features;
}

}  // namespace sluice::core
