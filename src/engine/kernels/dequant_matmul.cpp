// matmul_dequant: tasks of consecutive weight rows; each row is decoded into a thread-local
// F32 buffer once and dotted with every token's activation row.
#include "engine/kernels/dequant_matmul.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/kernels/cpu.h"
#include "engine/kernels/quantize.h"

namespace engine::kernels {
namespace {

constexpr int64_t kRowsPerTask = 16;

struct DequantJob {
    const QTensorView* w;
    const float* x;
    int64_t n_tokens;
    float* y;
};

void run_rows(void* ctx, int64_t task, int /*thread*/) {
    const auto& j = *static_cast<const DequantJob*>(ctx);
    thread_local std::vector<float> row;  // grows to the widest matrix, then stays
    const auto n = static_cast<size_t>(j.w->cols);
    if (row.size() < n) row.resize(n);
    const int64_t r0 = task * kRowsPerTask;
    const int64_t r1 = std::min(j.w->rows, r0 + kRowsPerTask);
    const auto* data = static_cast<const uint8_t*>(j.w->data);
    for (int64_t r = r0; r < r1; ++r) {
        dequantize_row(j.w->type, data + static_cast<size_t>(r) * j.w->row_bytes, row.data(), j.w->cols);
        for (int64_t t = 0; t < j.n_tokens; ++t)
            j.y[t * j.w->rows + r] = dot_f32(row.data(), j.x + static_cast<size_t>(t) * n, j.w->cols);
    }
}

}  // namespace

namespace {

// 16 lanes of fused multiply-adds, then halves added pairwise (8, 4, 2, 1): the order of
// llama.cpp's F32 matmul on AVX-512 (tinyBLAS, _mm512_reduce_add_ps), which computed the
// .deq.ref.json files. The tail (n % 16) goes to the first lanes.
constexpr int kLanes = 16;

float reduce_lanes(float* acc) {
    for (int w = kLanes / 2; w > 0; w /= 2)
        for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
    return acc[0];
}

float dot_f32_portable(const float* a, const float* b, int64_t n) {
    float acc[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int k = 0; k < kLanes; ++k) acc[k] = std::fma(a[i + k], b[i + k], acc[k]);
    for (int k = 0; i < n; ++i, ++k) acc[k] = std::fma(a[i], b[i], acc[k]);
    return reduce_lanes(acc);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The same arithmetic compiled for FMA hardware (std::fma becomes one instruction, not a call).
[[gnu::target("avx2,fma")]] float dot_f32_fma(const float* a, const float* b, int64_t n) {
    float acc[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int k = 0; k < kLanes; ++k) acc[k] = std::fma(a[i + k], b[i + k], acc[k]);
    for (int k = 0; i < n; ++i, ++k) acc[k] = std::fma(a[i], b[i], acc[k]);
    return reduce_lanes(acc);
}
constexpr bool kHaveFmaVersion = true;
#else
float dot_f32_fma(const float* a, const float* b, int64_t n) { return dot_f32_portable(a, b, n); }
constexpr bool kHaveFmaVersion = false;
#endif

}  // namespace

float dot_f32(const float* a, const float* b, int64_t n) {
    static const bool use_fma = kHaveFmaVersion && cpu_features().fma && cpu_features().avx2;
    return use_fma ? dot_f32_fma(a, b, n) : dot_f32_portable(a, b, n);
}

void matmul_dequant(const QTensorView& w, const float* x, int n_tokens, float* y, ThreadPool& pool) {
    if (n_tokens <= 0) return;
    DequantJob job{&w, x, n_tokens, y};
    pool.run((w.rows + kRowsPerTask - 1) / kRowsPerTask, run_rows, &job);
}

}  // namespace engine::kernels
