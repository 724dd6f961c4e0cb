// y = W x for a quantized weight matrix read in place (e.g. from the mmap'd GGUF file): one
// activation vector (decode) or a batch of them (prompt). Activations are quantized once per
// call to the weight type's activation format; rows are split over the thread pool.
//   QTensorView w{TensorType::Q4_0, n_out, n_in, data, *row_size(TensorType::Q4_0, n_in)};
//   if (auto s = check_matmul_view(w); !s) return s;   // once, at load
//   matmul(w, x, n_tokens, y, pool);                     // x: [n_tokens][n_in], y:
//   [n_tokens][n_out]
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/result.h"
#include "engine/kernels/thread_pool.h"
#include "engine/tensor_type.h"

namespace engine::kernels {

// A 2-D weight tensor: `rows` rows of `cols` elements, row r at data + r * row_bytes.
// GGUF's ne[0] is cols (the input size), ne[1] is rows (the output size).
struct QTensorView {
    TensorType type = TensorType::F32;
    int64_t rows = 0;
    int64_t cols = 0;
    const void* data = nullptr;
    size_t row_bytes = 0;
};

// Checks that matmul can use w: a supported type, cols a multiple of the block size,
// row_bytes at least row_size(type, cols), data set. Call once when the model loads.
core::Status check_matmul_view(const QTensorView& w);

// y[t][r] = sum_c W[r][c] * x[t][c] for t < n_tokens, r < w.rows (both row-major, contiguous).
// Results do not depend on the pool size. Allocates only when a call needs more scratch
// than any before it on this thread. w must have passed check_matmul_view.
void matmul(const QTensorView& w, const float* x, int n_tokens, float* y, ThreadPool& pool);

// Whether a and b can share one quantized input (matmul2/matmul3): same cols and the same
// activation type (their weight types may differ, e.g. Q4_K and Q6_K).
bool can_share_input(const QTensorView& a, const QTensorView& b);

// matmul(a, x, .., ya) and matmul(b, x, .., yb) with one quantization of x and one pool run
// (e.g. an FFN's gate and up projections). can_share_input(a, b) must hold; results are
// identical to the two separate calls.
void matmul2(const QTensorView& a, const QTensorView& b, const float* x, int n_tokens, float* ya,
             float* yb, ThreadPool& pool);

// The same for three matrices (e.g. attention's Q, K and V projections): one quantization of
// x, one pool run; identical to three matmul calls.
void matmul3(const QTensorView& a, const QTensorView& b, const QTensorView& c, const float* x,
             int n_tokens, float* ya, float* yb, float* yc, ThreadPool& pool);

}  // namespace engine::kernels
