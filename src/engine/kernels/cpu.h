// CPU feature detection (CPUID + XGETBV on x86-64) and the kernel level used by every
// kernel call. The level is chosen once, at first use, as the best the CPU supports; tests,
// benchmarks and the app's flag can force a lower one with force_level().
//   if (!kernels::force_level(kernels::Level::Ref)) { /* CPU lacks it */ }
#pragma once

#include <optional>
#include <string_view>

namespace engine::kernels {

struct CpuFeatures {
    bool avx2 = false, fma = false, f16c = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512vnni = false;
    bool avx_vnni = false;
    bool neon = false;
};

// Detected once; also checks that the OS saves the AVX/AVX-512 registers.
const CpuFeatures& cpu_features();

// Kernel levels. Avx2 needs AVX2+FMA+F16C; Avx512 needs AVX-512 F/BW/VL/VNNI (and Avx2's).
enum class Level { Ref, Avx2, Avx512, Neon };

std::string_view level_name(Level l);                      // "ref", "avx2", "avx512", "neon"
std::optional<Level> level_from_name(std::string_view s);  // inverse of level_name
bool level_available(Level l);                             // this CPU runs it and this build has it
Level best_level();                                        // highest available level
Level active_level();                                      // the level kernels run now

// Makes every later kernel call use level l. Returns false (and changes nothing) when l is
// not available. Not for use while kernels run on other threads.
bool force_level(Level l);

}  // namespace engine::kernels
