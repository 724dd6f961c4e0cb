// AVX2 + FMA + F16C kernels (x86-64 only; compiled with -mavx2 -mfma -mf16c, see flags.cmake).
// Integer dot products use the sign trick: maddubs(|x|, sign(y, x)) = x * y pairwise.
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/detail/ref.h"
#include "engine/kernels/detail/table.h"
#include "engine/kernels/detail/x86_common.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels::detail {
namespace {

float dot_f32(int n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), acc1);
    }
    float sum = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

float dot_f16(int n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 x0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
        const __m256 x1 =
            _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i + 8)));
        acc0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(y + i), acc0);
        acc1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(y + i + 8), acc1);
    }
    float sum = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) sum += half_to_float(x[i]) * y[i];
    return sum;
}

float dot_bf16(int n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i h =
            _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
        acc = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(h, 16)), _mm256_loadu_ps(y + i),
                              acc);
    }
    float sum = hsum(acc);
    for (; i < n; ++i)
        sum +=
            _mm_cvtss_f32(_mm_castsi128_ps(_mm_cvtsi32_si128(static_cast<int>(x[i]) << 16))) * y[i];
    return sum;
}

// The quantized kernels are templates over NT, the number of activation rows sharing one
// pass over the weights (1 for decode, kDotRows for batches). Each output's arithmetic is the
// same for every NT, so batched and single-token results are bit-identical.
template <class B>
const B* act_row(const void* a, size_t stride, int t) {
    return reinterpret_cast<const B*>(static_cast<const uint8_t*>(a) +
                                      stride * static_cast<size_t>(t));
}

template <int NT>
void dot_q4_0_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const BlockQ8_0* y[NT];
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_0>(a, stride, t);
        acc[t] = _mm256_setzero_ps();
    }
    const __m256i eight = _mm256_set1_epi8(8);
    for (int i = 0; i < n / kQK; ++i) {
        const float dx = half_to_float(x[i].d);
        const __m256i qx = _mm256_sub_epi8(unpack_nibbles16(x[i].qs), eight);
        const __m256i ax = _mm256_sign_epi8(qx, qx);
        for (int t = 0; t < NT; ++t) {
            const __m256i sy = _mm256_sign_epi8(load256(y[t][i].qs), qx);
            const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), _mm256_set1_epi16(1));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * half_to_float(y[t][i].d)),
                                     _mm256_cvtepi32_ps(p), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]);
}

template <int NT>
void dot_q8_0_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const BlockQ8_0* y[NT];
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_0>(a, stride, t);
        acc[t] = _mm256_setzero_ps();
    }
    for (int i = 0; i < n / kQK; ++i) {
        const float dx = half_to_float(x[i].d);
        const __m256i qx = load256(x[i].qs);
        const __m256i ax = _mm256_sign_epi8(qx, qx);
        for (int t = 0; t < NT; ++t) {
            const __m256i sy = _mm256_sign_epi8(load256(y[t][i].qs), qx);
            const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), _mm256_set1_epi16(1));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * half_to_float(y[t][i].d)),
                                     _mm256_cvtepi32_ps(p), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]);
}

template <int NT>
void dot_q4_k_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const BlockQ8_K* y[NT];
    __m256 acc[NT];
    float mins[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_K>(a, stride, t);
        acc[t] = _mm256_setzero_ps();
        mins[t] = 0.0f;
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int i = 0; i < n / kQKK; ++i) {
        uint8_t sc[8], m[8];
        k_scales(x[i].scales, sc, m);
        const float dx = half_to_float(x[i].d), dminx = half_to_float(x[i].dmin);
        __m256i lo[4], hi[4];
        for (int c = 0; c < 4; ++c) {
            const __m256i q4 = load256(x[i].qs + 32 * c);
            lo[c] = _mm256_and_si256(q4, low4);
            hi[c] = _mm256_and_si256(_mm256_srli_epi16(q4, 4), low4);
        }
        for (int t = 0; t < NT; ++t) {
            const BlockQ8_K& yb = y[t][i];
            mins[t] += dminx * yb.d * static_cast<float>(k_min_term(m, yb));
            __m256i sumi = _mm256_setzero_si256();
            for (int c = 0; c < 4; ++c) {
                const __m256i p0 = _mm256_maddubs_epi16(lo[c], load256(yb.qs + 64 * c));
                const __m256i p1 = _mm256_maddubs_epi16(hi[c], load256(yb.qs + 64 * c + 32));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * c])));
                sumi =
                    _mm256_add_epi32(sumi, _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * c + 1])));
            }
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * yb.d), _mm256_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]) - mins[t];
}

template <int NT>
void dot_q5_k_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ5_K*>(w);
    const BlockQ8_K* y[NT];
    __m256 acc[NT];
    float mins[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_K>(a, stride, t);
        acc[t] = _mm256_setzero_ps();
        mins[t] = 0.0f;
    }
    for (int i = 0; i < n / kQKK; ++i) {
        uint8_t sc[8], m[8];
        k_scales(x[i].scales, sc, m);
        const float dx = half_to_float(x[i].d), dminx = half_to_float(x[i].dmin);
        __m256i lo[4], hi[4];
        for (int c = 0; c < 4; ++c) q5_k_chunk(x[i], c, &lo[c], &hi[c]);
        for (int t = 0; t < NT; ++t) {
            const BlockQ8_K& yb = y[t][i];
            mins[t] += dminx * yb.d * static_cast<float>(k_min_term(m, yb));
            __m256i sumi = _mm256_setzero_si256();
            for (int c = 0; c < 4; ++c) {
                const __m256i p0 = _mm256_maddubs_epi16(lo[c], load256(yb.qs + 64 * c));
                const __m256i p1 = _mm256_maddubs_epi16(hi[c], load256(yb.qs + 64 * c + 32));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * c])));
                sumi =
                    _mm256_add_epi32(sumi, _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * c + 1])));
            }
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * yb.d), _mm256_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]) - mins[t];
}

// One 32-weight group of Q6_K: (q - 32) * y pairwise, times the two 16-weight scales.
inline __m256i q6_group(__m256i q, const int8_t* y, __m256i scales) {
    const __m256i yv = load256(y);
    const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, yv),
                                       _mm256_maddubs_epi16(_mm256_set1_epi8(32), yv));
    return _mm256_madd_epi16(p, scales);
}

template <int NT>
void dot_q6_k_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const BlockQ8_K* y[NT];
    __m256 acc[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_K>(a, stride, t);
        acc[t] = _mm256_setzero_ps();
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(3);
    for (int i = 0; i < n / kQKK; ++i) {
        __m256i sumi[NT];
        for (int t = 0; t < NT; ++t) sumi[t] = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = load256(x[i].ql + 64 * h), ql1 = load256(x[i].ql + 64 * h + 32);
            const __m256i qh = load256(x[i].qh + 32 * h);
            const int8_t* sc = x[i].scales + 8 * h;
            auto high = [&](int shift) {
                return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, shift), low2), 4);
            };
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(ql0, low4), high(0)),
                _mm256_or_si256(_mm256_and_si256(ql1, low4), high(2)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4), high(4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4), high(6)),
            };
            for (int g = 0; g < 4; ++g) {
                const __m256i s =
                    _mm256_set_m128i(_mm_set1_epi16(sc[2 * g + 1]), _mm_set1_epi16(sc[2 * g]));
                for (int t = 0; t < NT; ++t)
                    sumi[t] =
                        _mm256_add_epi32(sumi[t], q6_group(q[g], y[t][i].qs + 128 * h + 32 * g, s));
            }
        }
        const float dx = half_to_float(x[i].d);
        for (int t = 0; t < NT; ++t)
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * y[t][i].d), _mm256_cvtepi32_ps(sumi[t]),
                                     acc[t]);
    }
    for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]);
}

template <void (*F)(int, const void*, const void*, size_t, float*)>
float single(int n, const void* w, const void* a) {
    float r;
    F(n, w, a, 0, &r);
    return r;
}

// ---- activation quantization: byte-identical to the reference (quantize_q8_0/q8_k) ----

inline float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

inline __m256 abs_ps(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

// Four vectors of 8 int32 (each in int8 range) -> 32 int8 in order.
inline __m256i pack_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    return _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd),
                                       _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

void quantize_q8_0_avx2(const float* x, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(dst);
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        __m256 v[4];
        __m256 m = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_loadu_ps(x + 8 * k);
            m = _mm256_max_ps(m, abs_ps(v[k]));
        }
        const float amax = hmax(m);  // as detail::quantize_q8_0_activations (llama.cpp's x86 code)
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[i].d = fp32_to_fp16(d);  // round to nearest even, as _cvtss_sh (a C99 literal in clang)
        const __m256 vid = _mm256_set1_ps(id);
        __m256i q[4];
        for (int k = 0; k < 4; ++k) q[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], vid));  // ties to even
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs), pack_i8(q[0], q[1], q[2], q[3]));
    }
}

void quantize_q8_k_avx2(const float* x, void* dst, int64_t n) {
    auto* y = static_cast<BlockQ8_K*>(dst);
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        __m256 m = _mm256_setzero_ps();
        for (int k = 0; k < kQKK; k += 8) m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(x + k)));
        const float amax = hmax(m);
        std::memset(&y[i], 0, sizeof(BlockQ8_K));
        if (amax == 0.0f) continue;
        float max =
            0.0f;  // the first element of largest magnitude, with its sign (as the reference)
        for (int k = 0; k < kQKK; ++k)
            if (std::fabs(x[k]) == amax) {
                max = x[k];
                break;
            }
        const float iscale = -127.0f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        const __m256i top = _mm256_set1_epi32(127);
        for (int g = 0; g < kQKK / 32; ++g) {
            __m256i q[4];
            for (int k = 0; k < 4; ++k)  // cvtps rounds to nearest even, as lrintf
                q[k] = _mm256_min_epi32(
                    _mm256_cvtps_epi32(_mm256_mul_ps(vs, _mm256_loadu_ps(x + 32 * g + 8 * k))),
                    top);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs + 32 * g),
                                pack_i8(q[0], q[1], q[2], q[3]));
            for (int h = 0; h < 2; ++h) {
                const __m256i s = _mm256_add_epi32(q[2 * h], q[2 * h + 1]);
                __m128i s4 =
                    _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
                s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
                s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
                y[i].bsums[2 * g + h] = static_cast<int16_t>(_mm_cvtsi128_si32(s4));
            }
        }
        y[i].d = 1.0f / iscale;
    }
}

constexpr int id(TensorType t) { return static_cast<int>(t); }

}  // namespace

void fill_avx2_table(KernelTable* t) {
    fill_ref_table(t);
    t->level = Level::Avx2;
    t->dot[id(TensorType::F32)] = dot_f32;
    t->dot[id(TensorType::F16)] = dot_f16;
    t->dot[id(TensorType::BF16)] = dot_bf16;
    t->dot[id(TensorType::Q4_0)] = single<dot_q4_0_n<1>>;
    t->dot[id(TensorType::Q8_0)] = single<dot_q8_0_n<1>>;
    t->dot[id(TensorType::Q4_K)] = single<dot_q4_k_n<1>>;
    t->dot[id(TensorType::Q5_K)] = single<dot_q5_k_n<1>>;
    t->dot4[id(TensorType::Q5_K)] = dot_q5_k_n<kDotRows>;
    t->dot[id(TensorType::Q6_K)] = single<dot_q6_k_n<1>>;
    t->dot4[id(TensorType::Q4_0)] = dot_q4_0_n<kDotRows>;
    t->dot4[id(TensorType::Q8_0)] = dot_q8_0_n<kDotRows>;
    t->dot4[id(TensorType::Q4_K)] = dot_q4_k_n<kDotRows>;
    t->dot4[id(TensorType::Q6_K)] = dot_q6_k_n<kDotRows>;
    t->quantize_q8_0 = quantize_q8_0_avx2;
    t->quantize_q8_k = quantize_q8_k_avx2;
    fill_avx2_attention(t);
}

}  // namespace engine::kernels::detail
