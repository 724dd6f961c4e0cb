// Scalar F16 attention (the reference level), the public entry point, which runs the active
// level's kernel from the table, and attend_f16_reference (precise mode), which always runs
// the scalar one.
#include <cmath>
#include <limits>

#include "engine/kernels/attention.h"
#include "engine/kernels/ref_attention.h"
#include "engine/kernels/detail/ref.h"
#include "engine/kernels/detail/table.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels {
namespace detail {
namespace {

float round_f16(float x) { return fp16_to_fp32(fp32_to_fp16(x)); }

// Products of two halves are exact in float; summed in double as llama.cpp's ggml_vec_dot_f16
// does for rows shorter than its SIMD step (head sizes below 64 on AVX-512).
float dot_q16_k(const float* q16, const uint16_t* k, int n) {
    double sum = 0;
    for (int d = 0; d < n; ++d) sum += static_cast<double>(q16[d] * fp16_to_fp32(k[d]));
    return static_cast<float>(sum);
}

}  // namespace

void ref_attend_f16(const float* q, const uint16_t* k, const uint16_t* v, size_t row_stride,
                    int n, int head_dim, float scale, float* out, float* scratch) {
    float* q16 = scratch;
    float* acc = scratch + head_dim;  // holds F16 values (each result rounded to half)
    for (int d = 0; d < head_dim; ++d) {
        q16[d] = round_f16(q[d]);
        acc[d] = 0.0f;
    }
    float m = -std::numeric_limits<float>::infinity();
    float s = 0.0f;
    for (int j = 0; j < n; ++j) {
        const size_t at = static_cast<size_t>(j) * row_stride;
        const float score = dot_q16_k(q16, k + at, head_dim) * scale;
        float ms = 1.0f;  // rescales what was accumulated when the max grows
        float vs = 1.0f;  // weight of this value row
        if (score > m) {
            ms = std::exp(m - score);
            m = score;
            for (int d = 0; d < head_dim; ++d) acc[d] = round_f16(acc[d] * ms);
        } else {
            vs = std::exp(score - m);
        }
        // fused, as llama.cpp's compiled ggml_vec_mad_f16
        for (int d = 0; d < head_dim; ++d)
            acc[d] = round_f16(std::fma(fp16_to_fp32(v[at + static_cast<size_t>(d)]), vs, acc[d]));
        s = s * ms + vs;
    }
    const float inv = 1.0f / s;
    for (int d = 0; d < head_dim; ++d) out[d] = acc[d] * inv;
}

}  // namespace detail

int attend_f16_scratch_floats(int n, int head_dim) { return n + 2 * head_dim; }

void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, size_t row_stride, int n,
                int head_dim, float scale, float* out, float* scratch) {
    detail::active_table().attend_f16(q, k, v, row_stride, n, head_dim, scale, out, scratch);
}

void attend_f16_reference(const float* q, const uint16_t* k, const uint16_t* v, size_t row_stride, int n,
                          int head_dim, float scale, float* out, float* scratch) {
    detail::ref_attend_f16(q, k, v, row_stride, n, head_dim, scale, out, scratch);
}

}  // namespace engine::kernels
