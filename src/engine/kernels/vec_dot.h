// Dot products of one weight row with one activation row: the inner loop of every matmul.
// Quantized weights are multiplied with activations quantized to the weight's "activation
// type" (Q8_0 for Q4_0/Q4_1/Q5_0/Q5_1/Q8_0, Q8_K for Q4_K/Q5_K/Q6_K), float weights
// (F32/F16/BF16) with F32 activations. Runs the kernel level chosen in cpu.h.
//   quantize_activations(TensorType::Q8_0, x, q8.data(), n);  float s = vec_dot(TensorType::Q4_0,
//   n, w_row, q8.data());
#pragma once

#include <cstdint>

#include "engine/tensor_type.h"

namespace engine::kernels {

// True when vec_dot handles weights of type w.
bool vec_dot_supported(TensorType w);

// The format activations must be in for weights of type w (F32 for float weights).
TensorType activation_type(TensorType w);

// Converts n floats to activation type `act` (Q8_0, Q8_K or F32) with the active level's
// kernel; dst holds row_size(act, n) bytes. n must be a multiple of the block size.
void quantize_activations(TensorType act, const float* x, void* dst, int64_t n);

// sum_i w[i] * a[i] over n elements: w_row in type wtype, act in activation_type(wtype).
// n must be a multiple of wtype's block size; wtype must be vec_dot_supported.
float vec_dot(TensorType wtype, int n, const void* w_row, const void* act);

}  // namespace engine::kernels
