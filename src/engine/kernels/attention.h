// Attention of one query head over a KV cache stored in F16, computed the way llama.cpp's CPU
// flash attention does (query rounded to F16, online softmax, values accumulated in F16), with
// the active kernel level (F16C + FMA on x86-64 when available). Used by model/blocks.cpp.
//   std::vector<float> s(attend_f16_scratch_floats(n, d));
//   attend_f16(q, k, v, row_stride, n, d, 1 / sqrt(d), out, s.data());
#pragma once

#include <cstddef>
#include <cstdint>

namespace engine::kernels {

// Floats of scratch attend_f16 needs for n cached rows of head_dim elements.
int attend_f16_scratch_floats(int n, int head_dim);

// out[d] = sum_j softmax_j(q . k_j * scale) v_j[d] over rows j < n, where row j of the keys
// starts at k + j * row_stride (elements; same for v) and holds head_dim halves.
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, size_t row_stride, int n,
                int head_dim, float scale, float* out, float* scratch);

}  // namespace engine::kernels
