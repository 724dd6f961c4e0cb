// Kernels on real llama.cpp-quantized tensors from ../shared/reference/models:
// - Q4_0 and Q8_0 rows dequantized and quantized again give back the file's exact bytes
//   (llama.cpp's quantizer output is a fixed point of our dequantize + quantize, which holds
//   only if both match llama.cpp's bit for bit);
// - every SIMD level's vec_dot equals the reference on real rows of every quantized type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/gguf/gguf.h"
#include "engine/kernels/cpu.h"
#include "engine/kernels/quantize.h"
#include "engine/kernels/vec_dot.h"

namespace engine::kernels {
namespace {

// SIMD vs reference on real rows: as kQuantDotRelTol in vec_dot_test.cpp (float summation
// order only), relative to sum |w * a|.
constexpr double kRealRowDotRelTol = 1e-5;

const char* kModels[] = {"tiny-spm-q8_0.gguf", "tiny-spm-q4_0.gguf", "tiny-spm-q4_k_m.gguf",
                         "tiny-spm-q6_k.gguf", "tiny-qwen2-q8_0.gguf"};

std::string models_dir() { return std::string(LG_SHARED_DIR) + "/reference/models"; }

bool skip_without_reference() {
    if (std::filesystem::is_directory(models_dir())) return false;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
        ADD_FAILURE() << "reference folder missing under CI=true: " << models_dir();
        return true;
    }
    std::printf("SKIP: reference models folder %s is missing\n", models_dir().c_str());
    return true;
}

TEST(ReferenceKernelsTest, Q4_0AndQ8_0RowsRequantizeToTheFilesBytes) {
    if (skip_without_reference()) GTEST_SKIP() << "no reference folder";
    int rows_checked = 0;
    for (const char* name : kModels) {
        auto f = gguf::GgufFile::open(models_dir() + "/" + name);
        ASSERT_TRUE(f) << name << ": " << f.error().message;
        for (const auto& t : f->tensors()) {
            if (t.type != TensorType::Q4_0 && t.type != TensorType::Q8_0) continue;
            const int64_t cols = static_cast<int64_t>(t.ne[0]);
            const size_t rb = *row_size(t.type, t.ne[0]);
            std::vector<float> x(static_cast<size_t>(cols));
            std::vector<uint8_t> back(rb);
            for (uint64_t r = 0; r < t.n_rows(); ++r) {
                const auto* row = reinterpret_cast<const uint8_t*>(t.data) + r * rb;
                ASSERT_TRUE(dequantize_row(t.type, row, x.data(), cols));
                ASSERT_TRUE(quantize_row(t.type, x.data(), back.data(), cols));
                ASSERT_EQ(std::memcmp(row, back.data(), rb), 0)
                    << name << " " << t.name << " row " << r;
                ++rows_checked;
            }
        }
    }
    EXPECT_GT(rows_checked, 0);
    std::printf("%d real Q4_0/Q8_0 rows re-quantized to identical bytes\n", rows_checked);
}

TEST(ReferenceKernelsTest, SimdDotMatchesReferenceOnRealRows) {
    if (skip_without_reference()) GTEST_SKIP() << "no reference folder";
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    int checked = 0;
    for (const char* name : kModels) {
        auto f = gguf::GgufFile::open(models_dir() + "/" + name);
        ASSERT_TRUE(f) << name << ": " << f.error().message;
        for (const auto& t : f->tensors()) {
            if (!vec_dot_supported(t.type) || t.n_dims != 2) continue;
            const int n = static_cast<int>(t.ne[0]);
            const size_t rb = *row_size(t.type, t.ne[0]);
            const TensorType at = activation_type(t.type);
            std::vector<float> y(static_cast<size_t>(n)), wf(static_cast<size_t>(n)),
                af(static_cast<size_t>(n));
            for (auto& v : y) v = dist(rng);
            std::vector<uint8_t> act(*row_size(at, t.ne[0]));
            ASSERT_TRUE(force_level(Level::Ref));
            quantize_activations(at, y.data(), act.data(), n);
            ASSERT_TRUE(dequantize_row(at, act.data(), af.data(), n));
            for (uint64_t r = 0; r < t.n_rows(); r += 7) {
                const auto* row = reinterpret_cast<const uint8_t*>(t.data) + r * rb;
                ASSERT_TRUE(dequantize_row(t.type, row, wf.data(), n));
                double mag = 0;
                for (int i = 0; i < n; ++i)
                    mag += std::fabs(static_cast<double>(wf[static_cast<size_t>(i)]) *
                                     af[static_cast<size_t>(i)]);
                ASSERT_TRUE(force_level(Level::Ref));
                const double want = vec_dot(t.type, n, row, act.data());
                for (Level level : {Level::Avx2, Level::Avx512, Level::Neon}) {
                    if (!force_level(level)) continue;
                    EXPECT_NEAR(vec_dot(t.type, n, row, act.data()), want, kRealRowDotRelTol * mag)
                        << name << " " << t.name << " row " << r << " " << level_name(level);
                    ++checked;
                }
            }
        }
    }
    ASSERT_TRUE(force_level(best_level()));
    std::printf("%d real rows checked against the reference dot\n", checked);
}

}  // namespace
}  // namespace engine::kernels
