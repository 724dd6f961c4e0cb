// matmul: quantize the activations once, then tiles of (weight rows x tokens) over the pool.
// A tile's weight rows stay in L1/L2 while every token of the tile passes over them, so a
// batch of prompt tokens reads each weight row from memory once per token tile, not per token.
#include "engine/kernels/matmul.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/check.h"
#include "engine/kernels/detail/table.h"
#include "engine/kernels/vec_dot.h"

namespace engine::kernels {
namespace {

constexpr size_t kWeightTileBytes = 24 * 1024;  // weight rows per tile: fit in a 32 KB L1
constexpr int64_t kMaxRowsPerTile = 16;
constexpr size_t kActTileBytes = 256 * 1024;  // activation rows per tile: fit in L2
constexpr int64_t kMaxTokensPerTile = 64;
// With a single token tile (decode) small row tiles only cost scheduling: every task is one
// atomic increment shared by all threads. Grow them so each thread takes ~kTasksPerThread.
constexpr int64_t kTasksPerThread = 16;
constexpr size_t kMaxDecodeTileBytes = 256 * 1024;

struct MatmulJob {
    const QTensorView* w;
    detail::DotFn dot;
    detail::Dot4Fn dot4;  // may be null
    const uint8_t* act;   // n_tokens rows of act_bytes
    size_t act_bytes;
    float* y;
    int64_t n_tokens;
    int64_t rows_per_tile, n_row_tiles, tokens_per_tile;
};

void run_tile(void* ctx, int64_t task, int /*thread*/) {
    const auto& j = *static_cast<const MatmulJob*>(ctx);
    const int64_t r0 = (task % j.n_row_tiles) * j.rows_per_tile;
    const int64_t r1 = std::min(j.w->rows, r0 + j.rows_per_tile);
    const int64_t t0 = (task / j.n_row_tiles) * j.tokens_per_tile;
    const int64_t t1 = std::min(j.n_tokens, t0 + j.tokens_per_tile);
    const auto* wdata = static_cast<const uint8_t*>(j.w->data);
    const int n = static_cast<int>(j.w->cols);
    int64_t t = t0;
    if (j.dot4) {
        float out[detail::kDotRows];
        for (; t + detail::kDotRows <= t1; t += detail::kDotRows) {
            const uint8_t* a = j.act + static_cast<size_t>(t) * j.act_bytes;
            for (int64_t r = r0; r < r1; ++r) {
                j.dot4(n, wdata + static_cast<size_t>(r) * j.w->row_bytes, a, j.act_bytes, out);
                for (int k = 0; k < detail::kDotRows; ++k) j.y[(t + k) * j.w->rows + r] = out[k];
            }
        }
    }
    for (; t < t1; ++t) {
        const uint8_t* a = j.act + static_cast<size_t>(t) * j.act_bytes;
        float* out = j.y + t * j.w->rows;
        for (int64_t r = r0; r < r1; ++r)
            out[r] = j.dot(n, wdata + static_cast<size_t>(r) * j.w->row_bytes, a);
    }
}

struct QuantizeJob {
    TensorType act_type;
    const float* x;
    int64_t cols;
    uint8_t* dst;
    size_t act_bytes;
};

void quantize_token(void* ctx, int64_t t, int /*thread*/) {
    const auto& j = *static_cast<const QuantizeJob*>(ctx);
    quantize_activations(j.act_type, j.x + t * j.cols, j.dst + static_cast<size_t>(t) * j.act_bytes,
                         j.cols);
}

}  // namespace

core::Status check_matmul_view(const QTensorView& w) {
    const std::string name(tensor_type_name(w.type));
    if (!vec_dot_supported(w.type))
        return core::fail(core::ErrorCode::Unsupported,
                          "matmul: weight type " + name +
                              " has no kernel (re-quantize the model to Q4_0, Q4_K, Q6_K or Q8_0)");
    const auto bytes = row_size(w.type, static_cast<uint64_t>(w.cols));
    if (w.rows <= 0 || w.cols <= 0 || w.cols > (int64_t{1} << 30) || !bytes)
        return core::fail(
            core::ErrorCode::InvalidArgument,
            "matmul: " + name + " matrix of " + std::to_string(w.rows) + "x" +
                std::to_string(w.cols) +
                " is not usable (cols must be a positive multiple of the block size " +
                std::to_string(tensor_type_info(w.type)->block_size) + ")");
    if (w.row_bytes < *bytes || w.data == nullptr)
        return core::fail(core::ErrorCode::InvalidArgument,
                          "matmul: " + name + " rows of " + std::to_string(w.cols) +
                              " elements need " + std::to_string(*bytes) +
                              " bytes each, the view gives " + std::to_string(w.row_bytes) +
                              (w.data ? "" : " and no data"));
    return core::ok();
}

namespace {

// Up to kMaxShared matrices reading the same input: one quantization, one pool run.
constexpr int kMaxShared = 3;

struct SharedJob {
    MatmulJob jobs[kMaxShared];
    int64_t first_task[kMaxShared + 1];
    int n = 0;
};

void run_shared_tile(void* ctx, int64_t task, int thread) {
    auto& s = *static_cast<SharedJob*>(ctx);
    int k = 0;
    while (task >= s.first_task[k + 1]) ++k;
    run_tile(&s.jobs[k], task - s.first_task[k], thread);
}

const uint8_t* quantized_input(TensorType act_type, const float* x, int64_t cols, int n_tokens,
                               size_t act_bytes, ThreadPool& pool) {
    if (act_type == TensorType::F32) return reinterpret_cast<const uint8_t*>(x);
    // Scratch for the quantized activations; grows, never shrinks (no allocation once warm).
    thread_local std::vector<uint8_t> scratch;
    const size_t need = act_bytes * static_cast<size_t>(n_tokens);
    if (scratch.size() < need) scratch.resize(need);
    QuantizeJob q{act_type, x, cols, scratch.data(), act_bytes};
    pool.run(n_tokens, quantize_token, &q);
    return scratch.data();
}

MatmulJob make_job(const QTensorView& w, const uint8_t* act, size_t act_bytes, float* y, int n_tokens,
                   int n_threads, int64_t* n_tasks) {
    MatmulJob job{};
    job.w = &w;
    job.dot = detail::active_table().dot[static_cast<int>(w.type)];
    job.dot4 = detail::active_table().dot4[static_cast<int>(w.type)];
    job.act = act;
    job.act_bytes = act_bytes;
    job.y = y;
    job.n_tokens = n_tokens;
    job.rows_per_tile = std::clamp<int64_t>(static_cast<int64_t>(kWeightTileBytes / w.row_bytes), 1,
                                            kMaxRowsPerTile);
    job.tokens_per_tile =
        std::clamp<int64_t>(static_cast<int64_t>(kActTileBytes / act_bytes), 1, kMaxTokensPerTile);
    // Whole groups of kDotRows tokens: a leftover token per tile would take the single-row
    // kernel (e.g. 17 tokens of 14336-wide activations for Mistral's down projection).
    if (job.dot4 && job.tokens_per_tile > detail::kDotRows)
        job.tokens_per_tile -= job.tokens_per_tile % detail::kDotRows;
    const int64_t n_token_tiles = (n_tokens + job.tokens_per_tile - 1) / job.tokens_per_tile;
    if (n_token_tiles == 1) {
        const int64_t by_threads = w.rows / (kTasksPerThread * n_threads);
        const int64_t by_bytes = static_cast<int64_t>(kMaxDecodeTileBytes / w.row_bytes);
        job.rows_per_tile = std::max(job.rows_per_tile, std::min(by_threads, by_bytes));
    }
    job.n_row_tiles = (w.rows + job.rows_per_tile - 1) / job.rows_per_tile;
    *n_tasks = job.n_row_tiles * n_token_tiles;
    return job;
}

void matmul_shared(const QTensorView* const* ws, float* const* ys, int n, const float* x, int n_tokens,
                   ThreadPool& pool) {
    if (n_tokens <= 0) return;
    const TensorType act_type = activation_type(ws[0]->type);
    const size_t act_bytes =
        static_cast<size_t>(*row_size(act_type, static_cast<uint64_t>(ws[0]->cols)));
    const uint8_t* act = quantized_input(act_type, x, ws[0]->cols, n_tokens, act_bytes, pool);
    SharedJob s;
    s.n = n;
    s.first_task[0] = 0;
    for (int k = 0; k < n; ++k) {
        int64_t tasks = 0;
        s.jobs[k] = make_job(*ws[k], act, act_bytes, ys[k], n_tokens, pool.size(), &tasks);
        s.first_task[k + 1] = s.first_task[k] + tasks;
    }
    if (n == 1) {
        pool.run(s.first_task[1], run_tile, &s.jobs[0]);
    } else {
        pool.run(s.first_task[n], run_shared_tile, &s);
    }
}

}  // namespace

void matmul(const QTensorView& w, const float* x, int n_tokens, float* y, ThreadPool& pool) {
    const QTensorView* ws[1] = {&w};
    float* ys[1] = {y};
    matmul_shared(ws, ys, 1, x, n_tokens, pool);
}

bool can_share_input(const QTensorView& a, const QTensorView& b) {
    return a.cols == b.cols && activation_type(a.type) == activation_type(b.type);
}

void matmul2(const QTensorView& a, const QTensorView& b, const float* x, int n_tokens, float* ya, float* yb,
             ThreadPool& pool) {
    LG_CHECK(can_share_input(a, b), "matmul2: the two matrices differ in width or activation type");
    const QTensorView* ws[2] = {&a, &b};
    float* ys[2] = {ya, yb};
    matmul_shared(ws, ys, 2, x, n_tokens, pool);
}

void matmul3(const QTensorView& a, const QTensorView& b, const QTensorView& c, const float* x, int n_tokens,
             float* ya, float* yb, float* yc, ThreadPool& pool) {
    LG_CHECK(can_share_input(a, b) && can_share_input(a, c),
             "matmul3: the matrices differ in width or activation type");
    const QTensorView* ws[3] = {&a, &b, &c};
    float* ys[3] = {ya, yb, yc};
    matmul_shared(ws, ys, 3, x, n_tokens, pool);
}

}  // namespace engine::kernels
