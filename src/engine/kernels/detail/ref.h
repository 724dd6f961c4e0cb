// Internal: the scalar reference kernels, one function per format, shared by quantize.cpp,
// the kernel table and the SIMD files (which fall back to these for types they do not cover).
//   detail::quantize_q8_0(x, blocks, n / kQK);
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"

namespace engine::kernels::detail {

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t nb);
void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t nb);
void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t nb);
void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t nb);
void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nb);
void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t nb);
void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t nb);
void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t nb);
void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t nb);
// Q8_0 for activations, rounded as llama.cpp's x86 CPU code does (127 / amax, ties to even);
// quantize_q8_0 is ggml's reference rounding, used for weights.
void quantize_q8_0_activations(const float* x, BlockQ8_0* y, int64_t nb);

void dequantize_q4_0(const BlockQ4_0* x, float* y, int64_t nb);
void dequantize_q4_1(const BlockQ4_1* x, float* y, int64_t nb);
void dequantize_q5_0(const BlockQ5_0* x, float* y, int64_t nb);
void dequantize_q5_1(const BlockQ5_1* x, float* y, int64_t nb);
void dequantize_q8_0(const BlockQ8_0* x, float* y, int64_t nb);
void dequantize_q4_k(const BlockQ4_K* x, float* y, int64_t nb);
void dequantize_q5_k(const BlockQ5_K* x, float* y, int64_t nb);
void dequantize_q6_k(const BlockQ6_K* x, float* y, int64_t nb);
void dequantize_q8_k(const BlockQ8_K* x, float* y, int64_t nb);

// Dot products of one weight row (n elements) with one activation row in the weight type's
// activation format (see vec_dot.h). Signature shared by every kernel level.
float ref_dot_f32(int n, const void* w, const void* a);
float ref_dot_f16(int n, const void* w, const void* a);
float ref_dot_bf16(int n, const void* w, const void* a);
float ref_dot_q4_0(int n, const void* w, const void* a);
float ref_dot_q4_1(int n, const void* w, const void* a);
float ref_dot_q5_0(int n, const void* w, const void* a);
float ref_dot_q5_1(int n, const void* w, const void* a);
float ref_dot_q8_0(int n, const void* w, const void* a);
float ref_dot_q4_k(int n, const void* w, const void* a);
float ref_dot_q5_k(int n, const void* w, const void* a);
float ref_dot_q6_k(int n, const void* w, const void* a);

// Scalar F16 attention (attention.h's attend_f16), also the SIMD files' fallback.
void ref_attend_f16(const float* q, const uint16_t* k, const uint16_t* v, size_t row_stride,
                    int n, int head_dim, float scale, float* out, float* scratch);

}  // namespace engine::kernels::detail
