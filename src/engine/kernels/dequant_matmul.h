// The exact-math matrix product: y = W x with every weight row dequantized to F32 (exactly as
// llama.cpp's dequantize_row_*) and dotted with F32 activations, never rounded to 8 bits. Slower
// than kernels::matmul; used by the engine's "precise" mode to check weight decoding against a
// reference computed over dequantized weights (README's .deq.ref.json).
//   QTensorView w{TensorType::Q4_K, n_out, n_in, data, *row_size(TensorType::Q4_K, n_in)};
//   matmul_dequant(w, x, n_tokens, y, pool);   // x: [n_tokens][n_in], y: [n_tokens][n_out]
#pragma once

#include "engine/kernels/matmul.h"

namespace engine::kernels {

// y[t][r] = sum_c dequant(W)[r][c] * x[t][c] in F32. w must have passed check_matmul_view
// and have a type quantize.h can dequantize. Each weight row is decoded once per call and
// used for every token; results do not depend on the pool size or the batching.
void matmul_dequant(const QTensorView& w, const float* x, int n_tokens, float* y, ThreadPool& pool);

// sum_i a[i] * b[i] in F32: 16 lanes of fused multiply-adds, halves then added pairwise (the
// order of llama.cpp's AVX-512 F32 matmul). Same result on every CPU.
float dot_f32(const float* a, const float* b, int64_t n);

}  // namespace engine::kernels
