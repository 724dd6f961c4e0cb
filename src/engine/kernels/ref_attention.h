// The scalar F16 attention of the reference kernel level, callable whatever level is active:
// the forward pass's precise mode uses it (score sums in double, as llama.cpp's CPU flash
// attention does for head sizes below its SIMD step), the fast path uses attend_f16.
//   std::vector<float> s(attend_f16_scratch_floats(n, d));
//   attend_f16_reference(q, k, v, row_stride, n, d, 1 / sqrt(d), out, s.data());
#pragma once

#include <cstddef>
#include <cstdint>

namespace engine::kernels {

// Same contract as attend_f16 (attention.h), computed by the scalar reference kernel.
void attend_f16_reference(const float* q, const uint16_t* k, const uint16_t* v, size_t row_stride, int n,
                          int head_dim, float scale, float* out, float* scratch);

}  // namespace engine::kernels
