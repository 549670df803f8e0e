// core/cpu.hpp — the x86 instruction-set extensions this machine offers, asked once.
//
// The SIMD paths of core/utf8.cpp (SSE2, AVX2), proto/ws_unmask.cpp (SSE2, AVX2) and
// core/sha1_x86.cpp (SHA, SSSE3, SSE4.1) are compiled whatever the build's -march (with
// __attribute__((target(...)))) and chosen at run time by this one answer. It reads CPUID
// itself rather than calling __builtin_cpu_supports: clang 14 does not know "sha" there,
// and the answer must be the same under g++ and clang++.
//
// AVX2 counts only when the OS also saves the 256-bit registers on a context switch
// (CPUID.1:ECX.OSXSAVE and XCR0 bits 1-2, Intel SDM vol. 1 §14.3); a CPU that has AVX2 under
// an OS that does not would fault on the first ymm instruction.
//
// Elsewhere than x86 every answer is false, and the callers' scalar paths run.
#pragma once

namespace sluice::core {

struct CpuFeatures {
    bool sse2 = false, ssse3 = false, sse41 = false;   // the 128-bit extensions
    bool avx2 = false;   // CPU and OS both (see above)
    bool sha = false;    // the SHA extensions (sha1rnds4, ...; "sha_ni" in /proc/cpuinfo)
};

// Detected on the first call (a function-local static: thread-safe initialisation, so any
// thread may call it at any time) and the same object, unchanged, on every later call.
const CpuFeatures& cpu_features() noexcept;

// For the hot paths: true at compile time when the build already targets AVX2
// (-mavx2, -march=native on such a machine), else the run-time answer.
inline bool cpu_has_avx2() noexcept {
#if defined(__AVX2__)
    return true;
#else
    return cpu_features().avx2;
#endif
}

}  // namespace sluice::core
