// CPU feature detection. The x86-64 probe is the only platform-specific part.
#include "engine/kernels/cpu.h"

#include "engine/kernels/detail/table.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace engine::kernels {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
uint64_t read_xcr0() {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

CpuFeatures detect() {
    CpuFeatures f;
    unsigned a, b, c, d;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d)) return f;
    const bool osxsave = (c >> 27) & 1;
    if (!osxsave) return f;
    const uint64_t xcr0 = read_xcr0();
    const bool os_avx = (xcr0 & 0x6) == 0x6;       // XMM and YMM state
    const bool os_avx512 = (xcr0 & 0xE6) == 0xE6;  // plus opmask and ZMM state
    const bool fma = (c >> 12) & 1, f16c = (c >> 29) & 1, avx = (c >> 28) & 1;
    if (!os_avx || !avx) return f;
    f.fma = fma;
    f.f16c = f16c;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f.avx2 = (b >> 5) & 1;
        if (os_avx512) {
            f.avx512f = (b >> 16) & 1;
            f.avx512bw = (b >> 30) & 1;
            f.avx512vl = (b >> 31) & 1;
            f.avx512vnni = (c >> 11) & 1;
        }
    }
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx_vnni = (a >> 4) & 1;
    return f;
}
#elif defined(__aarch64__)
CpuFeatures detect() {
    CpuFeatures f;
    f.neon = true;  // Advanced SIMD is mandatory on AArch64
    return f;
}
#else
CpuFeatures detect() { return CpuFeatures{}; }
#endif

}  // namespace

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

std::string_view level_name(Level l) {
    switch (l) {
        case Level::Ref:
            return "ref";
        case Level::Avx2:
            return "avx2";
        case Level::Avx512:
            return "avx512";
        case Level::Neon:
            return "neon";
    }
    return "unknown";
}

std::optional<Level> level_from_name(std::string_view s) {
    for (Level l : {Level::Ref, Level::Avx2, Level::Avx512, Level::Neon})
        if (level_name(l) == s) return l;
    return std::nullopt;
}

bool level_available(Level l) {
    const CpuFeatures& f = cpu_features();
    switch (l) {
        case Level::Ref:
            return true;
        case Level::Avx2:
            return detail::build_has_level(l) && f.avx2 && f.fma && f.f16c;
        case Level::Avx512:
            return level_available(Level::Avx2) && detail::build_has_level(l) && f.avx512f &&
                   f.avx512bw && f.avx512vl && f.avx512vnni;
        case Level::Neon:
            return detail::build_has_level(l) && f.neon;
    }
    return false;
}

Level best_level() {
    for (Level l : {Level::Avx512, Level::Avx2, Level::Neon})
        if (level_available(l)) return l;
    return Level::Ref;
}

}  // namespace engine::kernels
