// Internal: small AVX2 helpers shared by x86_avx2.cpp and x86_avx512.cpp. Include only from
// files compiled with -mavx2 -mfma -mf16c.
//   float s = detail::hsum(acc);
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "engine/kernels/blocks.h"

namespace engine::kernels::detail {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline float half_to_float(uint16_t h) { return _cvtsh_ss(h); }

// Sums of 4 adjacent products of two signed int8 vectors (|x|,|y| <= 127), as 8 int32.
inline __m256i dot_i8(__m256i x, __m256i y) {
    const __m256i ax = _mm256_sign_epi8(x, x);
    const __m256i sy = _mm256_sign_epi8(y, x);
    return _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), _mm256_set1_epi16(1));
}

// 16 bytes of packed nibbles -> 32 bytes: low nibbles first (elements 0..15), then high.
inline __m256i unpack_nibbles16(const uint8_t* qs) {
    const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0F));
}

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// The 8 scales and mins of a Q4_K/Q5_K super-block, unpacked with 32-bit word operations
// (the same bits as get_scale_min_k4): bytes 0..7 of the result are sc[0..7], 8..15 m[0..7].
inline void k_scales(const uint8_t* packed, uint8_t* sc, uint8_t* m) {
    constexpr uint32_t kLow6 = 0x3f3f3f3f, kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
    uint32_t u[3];
    std::memcpy(u, packed, 12);
    const uint32_t out[4] = {
        u[0] & kLow6,                                          // sc[0..3]
        (u[2] & kLow4) | (((u[0] >> 6) & kLow2) << 4),         // sc[4..7]
        u[1] & kLow6,                                          // m[0..3]
        ((u[2] >> 4) & kLow4) | (((u[1] >> 6) & kLow2) << 4),  // m[4..7]
    };
    std::memcpy(sc, out, 8);
    std::memcpy(m, out + 2, 8);
}

// Sum over the 8 sub-blocks of m[j] * (sum of the 32 activations of sub-block j): the bsums
// of Q8_K are per 16 activations, so add them in pairs first.
inline int k_min_term(const uint8_t* m, const BlockQ8_K& y) {
    const __m128i bs_lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(y.bsums));
    const __m128i bs_hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(y.bsums + 8));
    const __m128i pairs = _mm_hadd_epi16(bs_lo, bs_hi);
    const __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(m)));
    __m128i s = _mm_madd_epi16(mins, pairs);
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

// Q5_K: Q4_K's layout plus a fifth bit per weight, bit 2c (low nibbles) or 2c+1 (high) of
// qh[l] for chunk c.
inline void q5_k_chunk(const BlockQ5_K& b, int c, __m256i* lo, __m256i* hi) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    const __m256i q4 = load256(b.qs + 32 * c), qh = load256(b.qh);
    const __m256i h0 = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one);
    const __m256i h1 = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one);
    *lo = _mm256_or_si256(_mm256_and_si256(q4, low4), _mm256_slli_epi16(h0, 4));
    *hi =
        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q4, 4), low4), _mm256_slli_epi16(h1, 4));
}

}  // namespace engine::kernels::detail
