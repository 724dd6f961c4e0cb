// Matrix products of the forward pass and the worker threads they share: y = W · x for a batch
// of activation rows, with W used in place in its stored type (kernels::matmul, which quantizes
// the activations to 8 bits for quantized weights, as llama.cpp does).
//   Linear lin(n_threads);  lin.matmul(w, x, n_tokens, y);  lin.parallel_for(n, fn);
#pragma once

#include <cstdint>

#include "core/result.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/thread_pool.h"
#include "engine/model/weights.h"

namespace engine::model {

class Linear {
public:
    // Whether matmul rounds activations to Q8_0/Q8_K for quantized weights, like llama.cpp.
    static constexpr bool kQuantizesActivations = true;

    explicit Linear(int n_threads) : pool_(n_threads < 1 ? 1 : n_threads) {}

    // Whether kernels::matmul accepts w (called for every matrix at load).
    static core::Status check(const Weight& w) { return kernels::check_matmul_view(view(w)); }

    // y[t * w.rows + r] = dot(row r of w, x[t * w.cols ..]) for t < n_tokens.
    void matmul(const Weight& w, const float* x, int n_tokens, float* y) {
        kernels::matmul(view(w), x, n_tokens, y, pool_);
    }
    // Both products of one input (same type and width): see kernels::matmul2.
    static bool can_pair(const Weight& a, const Weight& b) { return a.type == b.type && a.cols == b.cols; }
    void matmul2(const Weight& a, const Weight& b, const float* x, int n_tokens, float* ya, float* yb) {
        kernels::matmul2(view(a), view(b), x, n_tokens, ya, yb, pool_);
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
    kernels::ThreadPool pool_;
};

}  // namespace engine::model
