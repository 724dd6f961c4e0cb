// Kernel benchmarks: matvec (decode) and batch-64 matmul (prompt) for Q4_0, Q8_0, Q4_K and
// Q6_K weights at every kernel level this CPU has. GB/s counts weight bytes read per call;
// GFLOPs counts 2 * rows * cols * tokens. Names: <op>/<type>/<level>/<rows>x<cols>/t<threads>.
//   bench_kernels --benchmark_filter='matvec/Q4_K'
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/cpu.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/thread_pool.h"

namespace {

using engine::TensorType;
namespace k = engine::kernels;

// Random quant bytes with every fp16 scale field set to a small finite value: the kernels'
// speed does not depend on the values, and this is much faster than quantizing 60M floats.
struct Weights {
    std::vector<uint8_t> bytes;
    k::QTensorView view;
};

std::vector<size_t> half_offsets(TensorType t) {
    switch (t) {
        case TensorType::Q4_0:
        case TensorType::Q8_0:
            return {0};
        case TensorType::Q4_K:
            return {0, 2};
        case TensorType::Q6_K:
            return {208};
        default:
            return {};
    }
}

const Weights& weights(TensorType t, int64_t rows, int64_t cols) {
    static std::vector<std::unique_ptr<Weights>> cache;
    for (const auto& w : cache)
        if (w->view.type == t && w->view.rows == rows && w->view.cols == cols) return *w;
    auto w = std::make_unique<Weights>();
    const size_t rb = *engine::row_size(t, static_cast<uint64_t>(cols));
    w->bytes.resize(rb * static_cast<size_t>(rows));
    std::mt19937 rng(1);
    for (auto& b : w->bytes) b = static_cast<uint8_t>(rng());
    const size_t bs = engine::tensor_type_info(t)->type_size;
    const uint16_t d = k::fp32_to_fp16(0.01f);
    for (size_t off = 0; off < w->bytes.size(); off += bs)
        for (size_t h : half_offsets(t)) std::memcpy(&w->bytes[off + h], &d, 2);
    w->view = k::QTensorView{t, rows, cols, w->bytes.data(), rb};
    cache.push_back(std::move(w));
    return *cache.back();
}

k::ThreadPool& pool(int threads) {
    static std::vector<std::unique_ptr<k::ThreadPool>> pools;
    for (auto& p : pools)
        if (p->size() == threads) return *p;
    pools.push_back(std::make_unique<k::ThreadPool>(threads));
    return *pools.back();
}

void run(benchmark::State& state, TensorType t, k::Level level, int64_t rows, int64_t cols,
         int tokens, int threads) {
    if (!k::force_level(level)) {
        state.SkipWithError("level not available");
        return;
    }
    const Weights& w = weights(t, rows, cols);
    std::vector<float> x(static_cast<size_t>(cols * tokens)), y(static_cast<size_t>(rows * tokens));
    std::mt19937 rng(2);
    std::normal_distribution<float> dist;
    for (auto& v : x) v = dist(rng);
    k::ThreadPool& p = pool(threads);
    for (auto _ : state) {
        k::matmul(w.view, x.data(), tokens, y.data(), p);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    const double iters = static_cast<double>(state.iterations());
    state.counters["GB/s"] = benchmark::Counter(iters * static_cast<double>(w.bytes.size()) / 1e9,
                                                benchmark::Counter::kIsRate);
    state.counters["GFLOPs"] = benchmark::Counter(
        iters * 2.0 * static_cast<double>(rows * cols) * tokens / 1e9, benchmark::Counter::kIsRate);
}

void register_all() {
    const TensorType types[] = {TensorType::Q4_0, TensorType::Q8_0, TensorType::Q4_K,
                                TensorType::Q6_K};
    struct Shape {
        int64_t rows, cols;
    };
    const Shape shapes[] = {{4096, 4096}, {4096, 14336}};
    const int threads_all = k::ThreadPool::default_threads();
    for (k::Level level : {k::Level::Ref, k::Level::Avx2, k::Level::Avx512, k::Level::Neon}) {
        if (!k::level_available(level)) continue;
        const std::string lv(k::level_name(level));
        for (TensorType t : types) {
            const std::string tn(engine::tensor_type_name(t));
            for (const Shape& s : shapes) {
                const std::string shape = std::to_string(s.rows) + "x" + std::to_string(s.cols);
                for (int threads : {1, threads_all}) {
                    benchmark::RegisterBenchmark(
                        ("matvec/" + tn + "/" + lv + "/" + shape + "/t" + std::to_string(threads))
                            .c_str(),
                        [=](benchmark::State& st) {
                            run(st, t, level, s.rows, s.cols, 1, threads);
                        })
                        ->Unit(benchmark::kMillisecond)
                        ->UseRealTime();
                    if (threads_all == 1) break;
                }
            }
            for (int threads : {1, threads_all}) {
                benchmark::RegisterBenchmark(
                    ("matmul64/" + tn + "/" + lv + "/4096x4096/t" + std::to_string(threads))
                        .c_str(),
                    [=](benchmark::State& st) { run(st, t, level, 4096, 4096, 64, threads); })
                    ->Unit(benchmark::kMillisecond)
                    ->UseRealTime();
                if (threads_all == 1) break;
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::printf("kernel levels: best=%s, threads=%d\n",
                std::string(k::level_name(k::best_level())).c_str(),
                k::ThreadPool::default_threads());
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
