// Scalar IEEE half (fp16) and bfloat16 conversions, exact: widening is lossless and narrowing
// rounds to nearest, ties to even (NaN stays NaN, overflow gives infinity, subnormals kept).
// Used by the block formats (fp16 scales) and by F16/BF16 weights.
//   uint16_t h = kernels::fp32_to_fp16(0.1f);  float x = kernels::fp16_to_fp32(h);
#pragma once

#include <bit>
#include <cstdint>

namespace engine::kernels {

inline float fp16_to_fp32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t mant = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (mant << 13);  // inf or NaN (payload kept)
    } else if (exp != 0) {
        bits = sign | ((exp + 112u) << 23) | (mant << 13);  // 112 = 127 - 15
    } else if (mant == 0) {
        bits = sign;
    } else {
        // Subnormal half: normalise into a float (every half subnormal is a float normal).
        int e = -14;
        while ((mant & 0x400u) == 0) {
            mant <<= 1;
            --e;
        }
        bits = sign | (static_cast<uint32_t>(e + 127) << 23) | ((mant & 0x3FFu) << 13);
    }
    return std::bit_cast<float>(bits);
}

inline uint16_t fp32_to_fp16(float f) {
    const uint32_t x = std::bit_cast<uint32_t>(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t abs = x & 0x7FFFFFFFu;
    if (abs >= 0x7F800000u) {  // inf or NaN; NaN keeps its top payload bits and stays quiet
        if (abs == 0x7F800000u) return static_cast<uint16_t>(sign | 0x7C00u);
        return static_cast<uint16_t>(sign | 0x7E00u | ((abs >> 13) & 0x3FFu));
    }
    if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504
    const int32_t exp = static_cast<int32_t>(abs >> 23) - 127;
    if (exp >= -14) {
        // Normal half: drop 13 mantissa bits, round to nearest even (carry may bump exponent).
        uint32_t h = ((static_cast<uint32_t>(exp + 15) << 10) | ((abs >> 13) & 0x3FFu));
        const uint32_t rest = abs & 0x1FFFu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
        return static_cast<uint16_t>(sign | h);
    }
    if (exp < -25) return static_cast<uint16_t>(sign);  // below half the smallest subnormal
    // Subnormal half: value = mant24 * 2^(exp-23); the half unit is 2^-24.
    const uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u;
    const int shift = -exp - 1;  // 14..24: bits dropped from mant24 to reach units of 2^-24
    uint32_t h = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
}

inline float bf16_to_fp32(uint16_t b) {
    return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

inline uint16_t fp32_to_bf16(float f) {
    const uint32_t x = std::bit_cast<uint32_t>(f);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u)
        return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
    return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace engine::kernels
