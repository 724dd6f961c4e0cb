// AVX2 + FMA + F16C F16 attention (compiled with -mavx2 -mfma -mf16c, see flags.cmake): the
// same steps as detail::ref_attend_f16, eight dimensions at a time. All scores are computed
// first (they do not depend on the accumulator), then one online-softmax pass over the values.
#include <immintrin.h>

#include <cmath>
#include <limits>

#include "engine/kernels/detail/ref.h"
#include "engine/kernels/detail/table.h"
#include "engine/kernels/detail/x86_common.h"

namespace engine::kernels::detail {
namespace {

inline __m256 load_half8(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

inline __m256 round_half8(__m256 x) {
    return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
}

// q16 . k over head_dim (a multiple of 8) dimensions.
inline float dot_row(const float* q16, const uint16_t* k, int head_dim) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int d = 0;
    for (; d + 16 <= head_dim; d += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q16 + d), load_half8(k + d), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q16 + d + 8), load_half8(k + d + 8), a1);
    }
    if (d < head_dim) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q16 + d), load_half8(k + d), a0);
    return hsum(_mm256_add_ps(a0, a1));
}

void attend_f16_avx2(const float* q, const uint16_t* k, const uint16_t* v, size_t row_stride,
                     int n, int head_dim, float scale, float* out, float* scratch) {
    if (head_dim % 8 != 0) {
        ref_attend_f16(q, k, v, row_stride, n, head_dim, scale, out, scratch);
        return;
    }
    float* q16 = scratch;
    float* acc = scratch + head_dim;  // F16 values held as floats
    float* scores = scratch + 2 * head_dim;
    for (int d = 0; d < head_dim; d += 8) {
        _mm256_storeu_ps(q16 + d, round_half8(_mm256_loadu_ps(q + d)));
        _mm256_storeu_ps(acc + d, _mm256_setzero_ps());
    }
    for (int j = 0; j < n; ++j)
        scores[j] = dot_row(q16, k + static_cast<size_t>(j) * row_stride, head_dim) * scale;

    float m = -std::numeric_limits<float>::infinity();
    float s = 0.0f;
    for (int j = 0; j < n; ++j) {
        const float score = scores[j];
        float ms = 1.0f;
        float vs = 1.0f;
        if (score > m) {
            ms = std::exp(m - score);
            m = score;
            const __m256 f = _mm256_set1_ps(ms);
            for (int d = 0; d < head_dim; d += 8)
                _mm256_storeu_ps(acc + d, round_half8(_mm256_mul_ps(_mm256_loadu_ps(acc + d), f)));
        } else {
            vs = std::exp(score - m);
        }
        const uint16_t* vr = v + static_cast<size_t>(j) * row_stride;
        const __m256 w = _mm256_set1_ps(vs);
        for (int d = 0; d < head_dim; d += 8)
            _mm256_storeu_ps(acc + d,
                             round_half8(_mm256_fmadd_ps(load_half8(vr + d), w, _mm256_loadu_ps(acc + d))));
        s = s * ms + vs;
    }
    const __m256 inv = _mm256_set1_ps(1.0f / s);
    for (int d = 0; d < head_dim; d += 8) _mm256_storeu_ps(out + d, _mm256_mul_ps(_mm256_loadu_ps(acc + d), inv));
}

}  // namespace

void fill_avx2_attention(KernelTable* t) { t->attend_f16 = attend_f16_avx2; }

}  // namespace engine::kernels::detail
