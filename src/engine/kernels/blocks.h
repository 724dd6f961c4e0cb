// ggml's quantized block formats, byte for byte (GGUF files written by llama.cpp hold these).
// All multi-byte fields are little-endian; fp16 fields are IEEE half (see fp16.h).
// A row of n elements is n / block_size blocks laid end to end with no padding.
//   const auto* b = static_cast<const BlockQ4_0*>(row);  float d = fp16_to_fp32(b[i].d);
#pragma once

#include <cstdint>

#include "engine/tensor_type.h"

namespace engine::kernels {

inline constexpr int kQK = 32;    // elements per block of the simple formats
inline constexpr int kQKK = 256;  // elements per K-quant super-block

// Q4_0, 18 bytes, 32 weights: x[i] = d * (q[i] - 8)
//  0      2                    18
//  +------+--------------------+
//  | d f16| qs[16]             |  qs[j] low nibble = q[j], high nibble = q[j+16]
//  +------+--------------------+
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[kQK / 2];
};

// Q4_1, 20 bytes: x[i] = d * q[i] + m   (q in 0..15, nibbles as Q4_0)
//  | d f16 | m f16 | qs[16] |
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[kQK / 2];
};

// Q5_0, 22 bytes: x[i] = d * (q[i] - 16), q 5 bits: low 4 in qs (as Q4_0), bit 4 = bit i of qh
//  | d f16 | qh u32 (bytes) | qs[16] |
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[kQK / 2];
};

// Q5_1, 24 bytes: x[i] = d * q[i] + m, q 5 bits as Q5_0
//  | d f16 | m f16 | qh[4] | qs[16] |
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[kQK / 2];
};

// Q8_0, 34 bytes: x[i] = d * qs[i]
//  | d f16 | qs[32] int8 |
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kQK];
};

// Q4_K, 144 bytes, 256 weights in 8 sub-blocks of 32; each sub-block j has a 6-bit scale sc[j]
// and a 6-bit min m[j]:  x = d * sc[j] * q - dmin * m[j]   (q in 0..15)
//  0     2       4              16                          144
//  +-----+-------+--------------+---------------------------+
//  | d   | dmin  | scales[12]   | qs[128]                   |
//  +-----+-------+--------------+---------------------------+
//  scales (6-bit packing, see get_scale_min_k4):
//    j < 4:  sc[j] = scales[j] & 63            m[j] = scales[j+4] & 63
//    j >= 4: sc[j] = (scales[j+4] & 15) | (scales[j-4] >> 6) << 4
//            m[j]  = (scales[j+4] >> 4) | (scales[j]   >> 6) << 4
//  qs: four 32-byte chunks; chunk c holds sub-block 2c in low nibbles, 2c+1 in high nibbles.
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qs[kQKK / 2];
};

// Q5_K, 176 bytes: as Q4_K plus a fifth bit per weight, q in 0..31
//  | d | dmin | scales[12] | qh[32] | qs[128] |
//  weight l of sub-block j (l < 32): bit 4 = (qh[l] >> j) & 1; low bits as Q4_K.
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qh[kQKK / 8];
    uint8_t qs[kQKK / 2];
};

// Q6_K, 210 bytes, 16 sub-blocks of 16 with int8 scales: x = d * scales[s] * (q - 32), q 0..63
//  0          128        192          208   210
//  +----------+----------+------------+-----+
//  | ql[128]  | qh[64]   | scales[16] | d   |
//  +----------+----------+------------+-----+
//  Two halves of 128 weights (h = 0, 1) use ql[64h..], qh[32h..], scales[8h..]; in a half,
//  for l < 32:  w[l]    = ql[l]    & 15 | ((qh[l] >> 0) & 3) << 4
//               w[l+32] = ql[l+32] & 15 | ((qh[l] >> 2) & 3) << 4
//               w[l+64] = ql[l]    >> 4 | ((qh[l] >> 4) & 3) << 4
//               w[l+96] = ql[l+32] >> 4 | ((qh[l] >> 6) & 3) << 4
//  and weight i of the half uses scale 8h + i / 16.
struct BlockQ6_K {
    uint8_t ql[kQKK / 2];
    uint8_t qh[kQKK / 4];
    int8_t scales[kQKK / 16];
    uint16_t d;
};

// Q8_K, 292 bytes: the activation format for K-quant dot products (never stored in files).
//  | d f32 | qs[256] int8 | bsums[16] int16 (sum of each group of 16 qs) |
struct BlockQ8_K {
    float d;
    int8_t qs[kQKK];
    int16_t bsums[kQKK / 16];
};

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22 && sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210 && sizeof(BlockQ8_K) == 292);

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block.
inline void get_scale_min_k4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

}  // namespace engine::kernels
