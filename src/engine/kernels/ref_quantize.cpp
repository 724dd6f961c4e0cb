// Scalar quantize/dequantize for the float types and the 32-element block formats, plus the
// dispatch of quantize_row/dequantize_row (K-quants live in ref_quantize_k.cpp).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/detail/ref.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/quantize.h"

namespace engine::kernels {
namespace {

// Largest |x| of a block, and the signed value that has it.
void abs_max(const float* x, int n, float* amax, float* max) {
    *amax = 0.0f;
    *max = 0.0f;
    for (int j = 0; j < n; ++j) {
        if (std::fabs(x[j]) > *amax) {
            *amax = std::fabs(x[j]);
            *max = x[j];
        }
    }
}

void min_max(const float* x, int n, float* mn, float* mx) {
    *mn = x[0];
    *mx = x[0];
    for (int j = 1; j < n; ++j) {
        *mn = std::min(*mn, x[j]);
        *mx = std::max(*mx, x[j]);
    }
}

// llama.cpp maps to levels with a truncating cast after adding 0.5 (or 8.5/16.5), kept here so
// our files match its byte for byte.
uint8_t level(float v, int top) {
    return static_cast<uint8_t>(std::min(top, static_cast<int>(static_cast<int8_t>(v))));
}

}  // namespace

namespace detail {

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax, max;
        abs_max(x, kQK, &amax, &max);
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        for (int j = 0; j < kQK / 2; ++j)
            y[i].qs[j] = static_cast<uint8_t>(level(x[j] * id + 8.5f, 15) |
                                              (level(x[j + 16] * id + 8.5f, 15) << 4));
    }
}

void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float mn, mx;
        min_max(x, kQK, &mn, &mx);
        const float d = (mx - mn) / 15.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        y[i].m = fp32_to_fp16(mn);
        for (int j = 0; j < kQK / 2; ++j)
            y[i].qs[j] = static_cast<uint8_t>(level((x[j] - mn) * id + 0.5f, 15) |
                                              (level((x[j + 16] - mn) * id + 0.5f, 15) << 4));
    }
}

void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax, max;
        abs_max(x, kQK, &amax, &max);
        const float d = max / -16.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        uint32_t qh = 0;
        for (int j = 0; j < kQK / 2; ++j) {
            const uint8_t a = level(x[j] * id + 16.5f, 31);
            const uint8_t b = level(x[j + 16] * id + 16.5f, 31);
            y[i].qs[j] = static_cast<uint8_t>((a & 0xF) | ((b & 0xF) << 4));
            qh |= static_cast<uint32_t>((a >> 4) & 1) << j;
            qh |= static_cast<uint32_t>((b >> 4) & 1) << (j + 16);
        }
        std::memcpy(y[i].qh, &qh, 4);
    }
}

void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float mn, mx;
        min_max(x, kQK, &mn, &mx);
        const float d = (mx - mn) / 31.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        y[i].m = fp32_to_fp16(mn);
        uint32_t qh = 0;
        for (int j = 0; j < kQK / 2; ++j) {
            const uint8_t a = level((x[j] - mn) * id + 0.5f, 31);
            const uint8_t b = level((x[j + 16] - mn) * id + 0.5f, 31);
            y[i].qs[j] = static_cast<uint8_t>((a & 0xF) | ((b & 0xF) << 4));
            qh |= static_cast<uint32_t>((a >> 4) & 1) << j;
            qh |= static_cast<uint32_t>((b >> 4) & 1) << (j + 16);
        }
        std::memcpy(y[i].qh, &qh, 4);
    }
}

void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax, max;
        abs_max(x, kQK, &amax, &max);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        for (int j = 0; j < kQK; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
    }
}

// llama.cpp's CPU build quantizes activations with its x86 SIMD routine, not with the
// reference rounding quantize_q8_0 (= ggml's quantize_row_q8_0_ref, which writes weights):
// the inverse scale is 127 / amax (not 1 / (amax / 127), which differs in the last bit) and
// halves round to even (not away from zero). Same scale d. Matching it keeps the int8
// activations identical to llama.cpp's (README's ".ref" comparison).
void quantize_q8_0_activations(const float* x, BlockQ8_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQK) {
        float amax, max;
        abs_max(x, kQK, &amax, &max);
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[i].d = fp32_to_fp16(amax / 127.0f);
        for (int j = 0; j < kQK; ++j) y[i].qs[j] = static_cast<int8_t>(std::lrintf(x[j] * id));
    }
}

void dequantize_q4_0(const BlockQ4_0* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = fp16_to_fp32(x[i].d);
        for (int j = 0; j < kQK / 2; ++j) {
            y[j] = static_cast<float>((x[i].qs[j] & 0xF) - 8) * d;
            y[j + 16] = static_cast<float>((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void dequantize_q4_1(const BlockQ4_1* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = fp16_to_fp32(x[i].d), m = fp16_to_fp32(x[i].m);
        for (int j = 0; j < kQK / 2; ++j) {
            y[j] = static_cast<float>(x[i].qs[j] & 0xF) * d + m;
            y[j + 16] = static_cast<float>(x[i].qs[j] >> 4) * d + m;
        }
    }
}

void dequantize_q5_0(const BlockQ5_0* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = fp16_to_fp32(x[i].d);
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < kQK / 2; ++j) {
            const int a = (x[i].qs[j] & 0xF) | static_cast<int>(((qh >> j) << 4) & 0x10);
            const int b = (x[i].qs[j] >> 4) | static_cast<int>((qh >> (j + 12)) & 0x10);
            y[j] = static_cast<float>(a - 16) * d;
            y[j + 16] = static_cast<float>(b - 16) * d;
        }
    }
}

void dequantize_q5_1(const BlockQ5_1* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = fp16_to_fp32(x[i].d), m = fp16_to_fp32(x[i].m);
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < kQK / 2; ++j) {
            const int a = (x[i].qs[j] & 0xF) | static_cast<int>(((qh >> j) << 4) & 0x10);
            const int b = (x[i].qs[j] >> 4) | static_cast<int>((qh >> (j + 12)) & 0x10);
            y[j] = static_cast<float>(a) * d + m;
            y[j + 16] = static_cast<float>(b) * d + m;
        }
    }
}

void dequantize_q8_0(const BlockQ8_0* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, y += kQK) {
        const float d = fp16_to_fp32(x[i].d);
        for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[i].qs[j]) * d;
    }
}

}  // namespace detail

bool quantize_supported(TensorType t) {
    switch (t) {
        case TensorType::F32:
        case TensorType::F16:
        case TensorType::BF16:
        case TensorType::Q4_0:
        case TensorType::Q4_1:
        case TensorType::Q5_0:
        case TensorType::Q5_1:
        case TensorType::Q8_0:
        case TensorType::Q4_K:
        case TensorType::Q5_K:
        case TensorType::Q6_K:
        case TensorType::Q8_K:
            return true;
        default:
            return false;
    }
}

bool quantize_row(TensorType t, const float* src, void* dst, int64_t n) {
    if (!quantize_supported(t) || n < 0 || n % tensor_type_info(t)->block_size != 0) return false;
    const int64_t nb = n / tensor_type_info(t)->block_size;
    using namespace detail;
    switch (t) {
        case TensorType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * 4);
            break;
        case TensorType::F16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = fp32_to_fp16(src[i]);
            break;
        case TensorType::BF16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = fp32_to_bf16(src[i]);
            break;
        case TensorType::Q4_0:
            quantize_q4_0(src, static_cast<BlockQ4_0*>(dst), nb);
            break;
        case TensorType::Q4_1:
            quantize_q4_1(src, static_cast<BlockQ4_1*>(dst), nb);
            break;
        case TensorType::Q5_0:
            quantize_q5_0(src, static_cast<BlockQ5_0*>(dst), nb);
            break;
        case TensorType::Q5_1:
            quantize_q5_1(src, static_cast<BlockQ5_1*>(dst), nb);
            break;
        case TensorType::Q8_0:
            quantize_q8_0(src, static_cast<BlockQ8_0*>(dst), nb);
            break;
        case TensorType::Q4_K:
            quantize_q4_k(src, static_cast<BlockQ4_K*>(dst), nb);
            break;
        case TensorType::Q5_K:
            quantize_q5_k(src, static_cast<BlockQ5_K*>(dst), nb);
            break;
        case TensorType::Q6_K:
            quantize_q6_k(src, static_cast<BlockQ6_K*>(dst), nb);
            break;
        case TensorType::Q8_K:
            quantize_q8_k(src, static_cast<BlockQ8_K*>(dst), nb);
            break;
        default:
            return false;
    }
    return true;
}

bool dequantize_row(TensorType t, const void* src, float* dst, int64_t n) {
    if (!quantize_supported(t) || n < 0 || n % tensor_type_info(t)->block_size != 0) return false;
    const int64_t nb = n / tensor_type_info(t)->block_size;
    using namespace detail;
    switch (t) {
        case TensorType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * 4);
            break;
        case TensorType::F16:
            for (int64_t i = 0; i < n; ++i)
                dst[i] = fp16_to_fp32(static_cast<const uint16_t*>(src)[i]);
            break;
        case TensorType::BF16:
            for (int64_t i = 0; i < n; ++i)
                dst[i] = bf16_to_fp32(static_cast<const uint16_t*>(src)[i]);
            break;
        case TensorType::Q4_0:
            dequantize_q4_0(static_cast<const BlockQ4_0*>(src), dst, nb);
            break;
        case TensorType::Q4_1:
            dequantize_q4_1(static_cast<const BlockQ4_1*>(src), dst, nb);
            break;
        case TensorType::Q5_0:
            dequantize_q5_0(static_cast<const BlockQ5_0*>(src), dst, nb);
            break;
        case TensorType::Q5_1:
            dequantize_q5_1(static_cast<const BlockQ5_1*>(src), dst, nb);
            break;
        case TensorType::Q8_0:
            dequantize_q8_0(static_cast<const BlockQ8_0*>(src), dst, nb);
            break;
        case TensorType::Q4_K:
            dequantize_q4_k(static_cast<const BlockQ4_K*>(src), dst, nb);
            break;
        case TensorType::Q5_K:
            dequantize_q5_k(static_cast<const BlockQ5_K*>(src), dst, nb);
            break;
        case TensorType::Q6_K:
            dequantize_q6_k(static_cast<const BlockQ6_K*>(src), dst, nb);
            break;
        case TensorType::Q8_K:
            dequantize_q8_k(static_cast<const BlockQ8_K*>(src), dst, nb);
            break;
        default:
            return false;
    }
    return true;
}

}  // namespace engine::kernels
