// Matrix products of the forward pass and the worker threads they share: y = W · x for a batch
// of activation rows, with W used in place in its stored type (kernels::matmul, which quantizes
// the activations to 8 bits for quantized weights, as llama.cpp does). In precise mode quantized
// weights are dequantized row by row and dotted with F32 activations (kernels::matmul_dequant).
//   Linear lin(n_threads, /*precise=*/false);  lin.matmul(w, x, n_tokens, y);  lin.parallel_for(n, fn);
#pragma once

#include <cstdint>

#include "core/result.h"
#include "engine/kernels/dequant_matmul.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/thread_pool.h"
#include "engine/kernels/vec_dot.h"
#include "engine/model/weights.h"

namespace engine::model {

class Linear {
public:
    // precise: F32 activations against dequantized weights instead of Q8_0/Q8_K activations.
    Linear(int n_threads, bool precise) : pool_(n_threads < 1 ? 1 : n_threads), precise_(precise) {}

    // Whether matmul rounds activations to Q8_0/Q8_K for quantized weights, like llama.cpp.
    bool quantizes_activations() const { return !precise_; }

    // Whether kernels::matmul accepts w (called for every matrix at load).
    static core::Status check(const Weight& w) { return kernels::check_matmul_view(view(w)); }

    // y[t * w.rows + r] = dot(row r of w, x[t * w.cols ..]) for t < n_tokens.
    void matmul(const Weight& w, const float* x, int n_tokens, float* y) {
        if (dequantizes(w)) {
            kernels::matmul_dequant(view(w), x, n_tokens, y, pool_);
        } else {
            kernels::matmul(view(w), x, n_tokens, y, pool_);
        }
    }
    // Both products of one input (same type and width): see kernels::matmul2.
    static bool can_pair(const Weight& a, const Weight& b) { return a.type == b.type && a.cols == b.cols; }
    void matmul2(const Weight& a, const Weight& b, const float* x, int n_tokens, float* ya, float* yb) {
        if (dequantizes(a)) {
            matmul(a, x, n_tokens, ya);
            matmul(b, x, n_tokens, yb);
        } else {
            kernels::matmul2(view(a), view(b), x, n_tokens, ya, yb, pool_);
        }
    }
    // Three products of one input (e.g. Q, K, V): see kernels::matmul3.
    static bool can_group(const Weight& a, const Weight& b, const Weight& c) {
        return kernels::can_share_input(view(a), view(b)) && kernels::can_share_input(view(a), view(c));
    }
    void matmul3(const Weight& a, const Weight& b, const Weight& c, const float* x, int n_tokens, float* ya,
                 float* yb, float* yc) {
        if (dequantizes(a) || !can_group(a, b, c)) {
            matmul(a, x, n_tokens, ya);
            matmul(b, x, n_tokens, yb);
            matmul(c, x, n_tokens, yc);
        } else {
            kernels::matmul3(view(a), view(b), view(c), x, n_tokens, ya, yb, yc, pool_);
        }
    }
    // Calls f(task, thread) for every task in [0, n) on the pool's threads.
    template <class F>
    void parallel_for(int64_t n, F&& f) {
        pool_.parallel_for(n, std::forward<F>(f));
    }
    int n_threads() const { return pool_.size(); }

private:
    static kernels::QTensorView view(const Weight& w) {
        return {w.type, w.rows, w.cols, w.data, w.row_bytes};
    }
    // Weights whose matmul would quantize the activations (those with an 8-bit activation type).
    bool dequantizes(const Weight& w) const {
        return precise_ && kernels::activation_type(w.type) != TensorType::F32;
    }
    kernels::ThreadPool pool_;
    bool precise_ = false;
};

}  // namespace engine::model
