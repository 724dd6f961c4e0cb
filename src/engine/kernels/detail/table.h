// Internal: the kernel table, one function pointer per operation and type, filled once per
// level (ref first, then each SIMD file overrides what it implements).
//   const detail::KernelTable& k = detail::active_table();  k.dot[id](n, w, a);
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/cpu.h"

namespace engine::kernels::detail {

using DotFn = float (*)(int n, const void* w, const void* a);
// NT dot products of one weight row with NT activation rows (a, a + a_stride, ...): the
// weight blocks are decoded once for all NT rows. Each out[t] is bit-identical to DotFn's.
using Dot4Fn = void (*)(int n, const void* w, const void* a, size_t a_stride, float* out);
inline constexpr int kDotRows = 4;  // NT of Dot4Fn
using QuantizeFn = void (*)(const float* x, void* dst, int64_t n);
// See attention.h (attend_f16).
using AttendF16Fn = void (*)(const float* q, const uint16_t* k, const uint16_t* v,
                            size_t row_stride, int n, int head_dim, float scale, float* out,
                            float* scratch);

inline constexpr int kMaxTypeId = 40;  // ggml type ids are below this

struct KernelTable {
    Level level = Level::Ref;
    DotFn dot[kMaxTypeId] = {};    // indexed by weight TensorType id; null = unsupported
    Dot4Fn dot4[kMaxTypeId] = {};  // optional; null = call dot once per activation row
    QuantizeFn quantize_q8_0 = nullptr;
    QuantizeFn quantize_q8_k = nullptr;
    AttendF16Fn attend_f16 = nullptr;
};

void fill_ref_table(KernelTable* t);
// Defined by x86_avx2.cpp / x86_avx512.cpp (only built on x86-64); each calls the level
// below first and overrides the kernels it has.
void fill_avx2_table(KernelTable* t);
void fill_avx512_table(KernelTable* t);
void fill_avx2_attention(KernelTable* t);  // x86_avx2_attention.cpp

bool build_has_level(Level l);  // the SIMD file for l is compiled in
const KernelTable& active_table();

}  // namespace engine::kernels::detail
