// AVX-512 (F/BW/VL/VNNI) kernels, x86-64 only, compiled with their own flags (flags.cmake).
// Two 32-element blocks per 512-bit register and VNNI's dpbusd (u8 x s8 -> s32 sums of 4).
// Types without an AVX-512 kernel keep the AVX2 one.
#include <immintrin.h>

// GCC 12's AVX-512 headers build _mm512_undefined_*() from a self-initialised variable and then
// warn about it at every use (GCC bug 105593); the values are never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "engine/kernels/blocks.h"
#include "engine/kernels/detail/table.h"
#include "engine/kernels/detail/x86_common.h"

namespace engine::kernels::detail {
namespace {

inline __m512i join(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

// Templates over NT activation rows sharing one pass over the weights (see x86_avx2.cpp);
// each output's arithmetic is the same for every NT.
template <class B>
const B* act_row(const void* a, size_t stride, int t) {
    return reinterpret_cast<const B*>(static_cast<const uint8_t*>(a) +
                                      stride * static_cast<size_t>(t));
}

// Sum over the odd block left at the end of a row.
inline float tail_block(__m256i qx, const BlockQ8_0& y, float dx) {
    const __m256i p = dot_i8(qx, load256(y.qs));
    return dx * half_to_float(y.d) * hsum(_mm256_cvtepi32_ps(p));
}

// Q4_0 blocks i and i+1 as 64 unsigned nibbles in the order lo(i) lo(i+1) hi(i) hi(i+1)
// (16 each): both blocks' 32 packed bytes are loaded as one ymm and split once.
inline __m512i q4_0_pair(const BlockQ4_0* x) {
    const __m256i q = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[0].qs))),
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[1].qs)), 1);
    return _mm512_and_si512(join(q, _mm256_srli_epi16(q, 4)), _mm512_set1_epi8(0x0F));
}

// Q8_0 activation blocks i and i+1 in q4_0_pair's order: 128-bit lanes 0, 2, 1, 3 of the two.
inline __m512i q8_0_pair_for_q4(const BlockQ8_0* y) {
    const __m512i a = join(load256(y[0].qs), load256(y[1].qs));
    return _mm512_shuffle_i64x2(a, a, _MM_SHUFFLE(3, 1, 2, 0));
}

// The two blocks' scale products dx * dy (the same float products as the reference), spread
// over the int32 lanes: lane k takes block idx[k], i.e. block 1 where mask `hi` is set.
// NT == 1 (decode): one conversion of the four halves instead of four scalar ones. NT > 1: the
// weight scales dx0f, dx1f are converted once per pair and each token's two separately (fewer
// operations per token than the packed conversion). Same products either way.
template <int NT>
inline __m512 pair_scales(float dx0f, float dx1f, uint16_t dx0, uint16_t dx1, uint16_t dy0, uint16_t dy1,
                          __m512i idx, __mmask16 hi) {
    if constexpr (NT == 1) {
        const __m128 f = _mm_cvtph_ps(_mm_setr_epi16(static_cast<short>(dx0), static_cast<short>(dx1),
                                                     static_cast<short>(dy0), static_cast<short>(dy1), 0, 0,
                                                     0, 0));
        return _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(_mm_mul_ps(f, _mm_movehl_ps(f, f))));
    } else {
        return _mm512_mask_blend_ps(hi, _mm512_set1_ps(dx0f * half_to_float(dy0)),
                                    _mm512_set1_ps(dx1f * half_to_float(dy1)));
    }
}

template <int NT>
void dot_q4_0_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const int nb = n / kQK;
    const BlockQ8_0* y[NT];
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_0>(a, stride, t);
        acc[t] = _mm512_setzero_ps();
    }
    const __m512i eight = _mm512_set1_epi8(8);
    // int32 lanes 0-3 and 8-11 hold block i's sums, 4-7 and 12-15 block i+1's (q4_0_pair).
    const __m512i idx = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1);
    int i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m512i qx = q4_0_pair(x + i);
        const float d0 = NT == 1 ? 0.0f : half_to_float(x[i].d);
        const float d1 = NT == 1 ? 0.0f : half_to_float(x[i + 1].d);
        for (int t = 0; t < NT; ++t) {
            const __m512i qy = q8_0_pair_for_q4(y[t] + i);
            // (q - 8) * y = q * y - 8 * y, both as u8 x s8 dot products.
            const __m512i p =
                _mm512_sub_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), qx, qy),
                                 _mm512_dpbusd_epi32(_mm512_setzero_si512(), eight, qy));
            const __m512 d =
                pair_scales<NT>(d0, d1, x[i].d, x[i + 1].d, y[t][i].d, y[t][i + 1].d, idx, 0xF0F0);
            acc[t] = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(p), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]);
    if (i < nb) {
        const __m256i qx = _mm256_sub_epi8(unpack_nibbles16(x[i].qs), _mm256_set1_epi8(8));
        for (int t = 0; t < NT; ++t) out[t] += tail_block(qx, y[t][i], half_to_float(x[i].d));
    }
}

template <int NT>
void dot_q8_0_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const int nb = n / kQK;
    const BlockQ8_0* y[NT];
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_0>(a, stride, t);
        acc[t] = _mm512_setzero_ps();
    }
    const __m512i idx = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    int i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m512i qx = join(load256(x[i].qs), load256(x[i + 1].qs));
        // x * y = |x| * (y with x's sign), so the unsigned operand of dpbusd is |x|.
        const __m512i ax = _mm512_abs_epi8(qx);
        const __mmask64 neg = _mm512_movepi8_mask(qx);
        const float d0 = NT == 1 ? 0.0f : half_to_float(x[i].d);
        const float d1 = NT == 1 ? 0.0f : half_to_float(x[i + 1].d);
        for (int t = 0; t < NT; ++t) {
            const __m512i qy = join(load256(y[t][i].qs), load256(y[t][i + 1].qs));
            const __m512i sy = _mm512_mask_sub_epi8(qy, neg, _mm512_setzero_si512(), qy);
            const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ax, sy);
            const __m512 d =
                pair_scales<NT>(d0, d1, x[i].d, x[i + 1].d, y[t][i].d, y[t][i + 1].d, idx, 0xFF00);
            acc[t] = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(p), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]);
    if (i < nb) {
        const __m256i qx = load256(x[i].qs);
        for (int t = 0; t < NT; ++t) out[t] += tail_block(qx, y[t][i], half_to_float(x[i].d));
    }
}

// Q4_K: each 32-byte chunk of nibbles holds sub-blocks 2c (low) and 2c+1 (high); joined
// side by side they line up with 64 contiguous activations, so per token a chunk costs one
// load, one dpbusd and one multiply by the two sub-block scales.
template <int NT>
void dot_q4_k_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const BlockQ8_K* y[NT];
    __m512 acc[NT];
    float mins[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_K>(a, stride, t);
        acc[t] = _mm512_setzero_ps();
        mins[t] = 0.0f;
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int i = 0; i < n / kQKK; ++i) {
        uint8_t sc[8], m[8];
        k_scales(x[i].scales, sc, m);
        const float dx = half_to_float(x[i].d), dminx = half_to_float(x[i].dmin);
        __m512i wq[4], ws[4];
        for (int c = 0; c < 4; ++c) {
            const __m256i q = load256(x[i].qs + 32 * c);
            wq[c] =
                join(_mm256_and_si256(q, low4), _mm256_and_si256(_mm256_srli_epi16(q, 4), low4));
            ws[c] = _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(sc[2 * c]),
                                            _mm512_set1_epi32(sc[2 * c + 1]));
        }
        for (int t = 0; t < NT; ++t) {
            const BlockQ8_K& yb = y[t][i];
            mins[t] += dminx * yb.d * static_cast<float>(k_min_term(m, yb));
            __m512i sumi = _mm512_setzero_si512();
            for (int c = 0; c < 4; ++c) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wq[c],
                                                      _mm512_loadu_si512(yb.qs + 64 * c));
                sumi = _mm512_add_epi32(sumi, _mm512_mullo_epi32(p, ws[c]));
            }
            acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(dx * yb.d), _mm512_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - mins[t];
}

// Q5_K: as Q4_K, with the fifth bits merged in when the chunk is decoded.
template <int NT>
void dot_q5_k_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ5_K*>(w);
    const BlockQ8_K* y[NT];
    __m512 acc[NT];
    float mins[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_K>(a, stride, t);
        acc[t] = _mm512_setzero_ps();
        mins[t] = 0.0f;
    }
    for (int i = 0; i < n / kQKK; ++i) {
        uint8_t sc[8], m[8];
        k_scales(x[i].scales, sc, m);
        const float dx = half_to_float(x[i].d), dminx = half_to_float(x[i].dmin);
        __m512i wq[4], ws[4];
        for (int c = 0; c < 4; ++c) {
            __m256i lo, hi;
            q5_k_chunk(x[i], c, &lo, &hi);
            wq[c] = join(lo, hi);
            ws[c] = _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(sc[2 * c]),
                                            _mm512_set1_epi32(sc[2 * c + 1]));
        }
        for (int t = 0; t < NT; ++t) {
            const BlockQ8_K& yb = y[t][i];
            mins[t] += dminx * yb.d * static_cast<float>(k_min_term(m, yb));
            __m512i sumi = _mm512_setzero_si512();
            for (int c = 0; c < 4; ++c) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wq[c],
                                                      _mm512_loadu_si512(yb.qs + 64 * c));
                sumi = _mm512_add_epi32(sumi, _mm512_mullo_epi32(p, ws[c]));
            }
            acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(dx * yb.d), _mm512_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - mins[t];
}

// Q6_K: groups of 32 six-bit values (q 0..63) paired into 64 contiguous weights; the -32
// offset is applied once per block through Q8_K's bsums: sum sc*(q-32)*y = sum sc*q*y
// - 32 * sum_s sc[s] * bsums[s].
template <int NT>
void dot_q6_k_n(int n, const void* w, const void* a, size_t stride, float* out) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const BlockQ8_K* y[NT];
    __m512 acc[NT];
    float offs[NT];
    for (int t = 0; t < NT; ++t) {
        y[t] = act_row<BlockQ8_K>(a, stride, t);
        acc[t] = _mm512_setzero_ps();
        offs[t] = 0.0f;
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(3);
    for (int i = 0; i < n / kQKK; ++i) {
        const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].scales));
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
        __m512i wq[4], ws[4];  // 64-weight groups in activation order, and their scales
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = load256(x[i].ql + 64 * h), ql1 = load256(x[i].ql + 64 * h + 32);
            const __m256i qh = load256(x[i].qh + 32 * h);
            auto high = [&](int shift) {
                return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, shift), low2), 4);
            };
            wq[2 * h] = join(_mm256_or_si256(_mm256_and_si256(ql0, low4), high(0)),
                             _mm256_or_si256(_mm256_and_si256(ql1, low4), high(2)));
            wq[2 * h + 1] =
                join(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4), high(4)),
                     _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4), high(6)));
        }
        for (int g = 0; g < 4; ++g) {
            // Lanes 4k..4k+3 (16 weights) take scale 4g + k.
            const __m128i idx =
                _mm_setr_epi8(static_cast<char>(4 * g), static_cast<char>(4 * g),
                              static_cast<char>(4 * g), static_cast<char>(4 * g),
                              static_cast<char>(4 * g + 1), static_cast<char>(4 * g + 1),
                              static_cast<char>(4 * g + 1), static_cast<char>(4 * g + 1),
                              static_cast<char>(4 * g + 2), static_cast<char>(4 * g + 2),
                              static_cast<char>(4 * g + 2), static_cast<char>(4 * g + 2),
                              static_cast<char>(4 * g + 3), static_cast<char>(4 * g + 3),
                              static_cast<char>(4 * g + 3), static_cast<char>(4 * g + 3));
            ws[g] = _mm512_cvtepi8_epi32(_mm_shuffle_epi8(sc8, idx));
        }
        const float dx = half_to_float(x[i].d);
        for (int t = 0; t < NT; ++t) {
            const BlockQ8_K& yb = y[t][i];
            __m512i sumi = _mm512_setzero_si512();
            for (int g = 0; g < 4; ++g) {
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wq[g],
                                                      _mm512_loadu_si512(yb.qs + 64 * g));
                sumi = _mm512_add_epi32(sumi, _mm512_mullo_epi32(p, ws[g]));
            }
            const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(yb.bsums));
            const __m256i corr = _mm256_madd_epi16(sc16, bs);  // 8 x int32, sum = sum_s sc*bsum
            const __m128i c4 =
                _mm_add_epi32(_mm256_castsi256_si128(corr), _mm256_extracti128_si256(corr, 1));
            const __m128i c2 = _mm_add_epi32(c4, _mm_shuffle_epi32(c4, 0x4E));
            const int csum = _mm_cvtsi128_si32(_mm_add_epi32(c2, _mm_shuffle_epi32(c2, 0xB1)));
            const float d = dx * yb.d;
            offs[t] += d * static_cast<float>(32 * csum);
            acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - offs[t];
}

template <void (*F)(int, const void*, const void*, size_t, float*)>
float single(int n, const void* w, const void* a) {
    float r;
    F(n, w, a, 0, &r);
    return r;
}

constexpr int id(TensorType t) { return static_cast<int>(t); }

}  // namespace

void fill_avx512_table(KernelTable* t) {
    fill_avx2_table(t);
    t->level = Level::Avx512;
    t->dot[id(TensorType::Q4_0)] = single<dot_q4_0_n<1>>;
    t->dot[id(TensorType::Q8_0)] = single<dot_q8_0_n<1>>;
    t->dot4[id(TensorType::Q4_0)] = dot_q4_0_n<kDotRows>;
    t->dot4[id(TensorType::Q8_0)] = dot_q8_0_n<kDotRows>;
    t->dot[id(TensorType::Q4_K)] = single<dot_q4_k_n<1>>;
    t->dot[id(TensorType::Q6_K)] = single<dot_q6_k_n<1>>;
    t->dot4[id(TensorType::Q4_K)] = dot_q4_k_n<kDotRows>;
    t->dot4[id(TensorType::Q6_K)] = dot_q6_k_n<kDotRows>;
    t->dot[id(TensorType::Q5_K)] = single<dot_q5_k_n<1>>;
    t->dot4[id(TensorType::Q5_K)] = dot_q5_k_n<kDotRows>;
}

}  // namespace engine::kernels::detail
