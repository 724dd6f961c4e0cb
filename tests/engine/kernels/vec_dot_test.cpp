// Dot products: the scalar reference against dequantized float math, and every SIMD level
// against the scalar reference, on random rows of every weight type.
#include "engine/kernels/vec_dot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "engine/kernels/cpu.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/quantize.h"

namespace engine::kernels {
namespace {

// Tolerances, relative to sum_i |w_i * a_i| (the scale of the rounding errors):
// - quantized kernels sum exact integers per block and differ from the reference only in
//   the order of float additions over blocks: a few float epsilons.
constexpr double kQuantDotRelTol = 1e-5;
// - float kernels (F32/F16/BF16) sum n float products in a different order than the
//   reference's double sum: about sqrt(n) epsilons, bounded here for n <= 4096.
constexpr double kFloatDotRelTol = 1e-4;
// - reference dot vs dot of the dequantized rows: both exact math on the same values, but
//   the reference scales integer sums once per block (one extra rounding per block).
constexpr double kRefVsDequantRelTol = 1e-5;

const TensorType kWeightTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16,
                                   TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0,
                                   TensorType::Q5_1, TensorType::Q8_0, TensorType::Q4_K,
                                   TensorType::Q5_K, TensorType::Q6_K};

struct Row {
    std::vector<uint8_t> w, a;  // weight row and activation row in their formats
    std::vector<float> wf, af;  // the same, dequantized
};

Row make_row(TensorType t, int n, std::mt19937& rng, bool raw_bytes) {
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    for (auto& v : x) v = dist(rng);
    for (auto& v : y) v = dist(rng);
    Row r;
    const TensorType at = activation_type(t);
    r.w.resize(*row_size(t, static_cast<uint64_t>(n)));
    r.a.resize(*row_size(at, static_cast<uint64_t>(n)));
    EXPECT_TRUE(quantize_row(t, x.data(), r.w.data(), n));
    if (raw_bytes && t != TensorType::F32 && t != TensorType::F16 && t != TensorType::BF16) {
        // Random quants, scales and mins (every bit pattern), keeping the fp16 scale fields
        // (re-quantized from the real row) so values stay finite.
        std::vector<uint8_t> keep = r.w;
        std::uniform_int_distribution<int> byte(0, 255);
        for (auto& b : r.w) b = static_cast<uint8_t>(byte(rng));
        const size_t bs = tensor_type_info(t)->type_size;
        for (size_t off = 0; off < r.w.size(); off += bs) {
            if (t == TensorType::Q6_K) {
                r.w[off + 208] = keep[off + 208];
                r.w[off + 209] = keep[off + 209];
            } else {
                const size_t nhalf = (t == TensorType::Q4_1 || t == TensorType::Q5_1 ||
                                      t == TensorType::Q4_K || t == TensorType::Q5_K)
                                         ? 4
                                         : 2;
                for (size_t k = 0; k < nhalf; ++k) r.w[off + k] = keep[off + k];
            }
        }
    }
    quantize_activations(at, y.data(), r.a.data(), n);
    r.wf.resize(static_cast<size_t>(n));
    r.af.resize(static_cast<size_t>(n));
    EXPECT_TRUE(dequantize_row(t, r.w.data(), r.wf.data(), n));
    EXPECT_TRUE(dequantize_row(at, r.a.data(), r.af.data(), n));
    return r;
}

double abs_dot(const Row& r) {
    double s = 0;
    for (size_t i = 0; i < r.wf.size(); ++i) s += std::fabs(static_cast<double>(r.wf[i]) * r.af[i]);
    return s;
}

bool is_float(TensorType t) {
    return t == TensorType::F32 || t == TensorType::F16 || t == TensorType::BF16;
}

class VecDotTest : public ::testing::Test {
protected:
    void TearDown() override { ASSERT_TRUE(force_level(best_level())); }
};

TEST_F(VecDotTest, ReferenceMatchesDequantizedMath) {
    ASSERT_TRUE(force_level(Level::Ref));
    std::mt19937 rng(7);
    for (TensorType t : kWeightTypes) {
        for (bool raw : {false, true}) {
            const Row r = make_row(t, 1024, rng, raw);
            double want = 0;
            for (size_t i = 0; i < r.wf.size(); ++i) want += static_cast<double>(r.wf[i]) * r.af[i];
            const double got = vec_dot(t, 1024, r.w.data(), r.a.data());
            EXPECT_NEAR(got, want, kRefVsDequantRelTol * abs_dot(r))
                << tensor_type_name(t) << " raw=" << raw;
        }
    }
}

TEST_F(VecDotTest, EverySimdLevelMatchesReference) {
    int levels_run = 0;
    for (Level level : {Level::Avx2, Level::Avx512, Level::Neon}) {
        if (!level_available(level)) {
            std::printf("level %s not available on this CPU/build: skipped\n",
                        std::string(level_name(level)).c_str());
            continue;
        }
        ++levels_run;
        std::mt19937 rng(11);
        for (TensorType t : kWeightTypes) {
            // 96 and 288: an odd number of 32-blocks (the AVX-512 pair loops' tail).
            const bool k_quant = tensor_type_info(t)->block_size == 256;
            for (int n : {96, 256, 288, 512, 4096}) {
                if (k_quant && n % 256 != 0) continue;
                for (bool raw : {false, true}) {
                    const Row r = make_row(t, n, rng, raw);
                    ASSERT_TRUE(force_level(Level::Ref));
                    const double want = vec_dot(t, n, r.w.data(), r.a.data());
                    ASSERT_TRUE(force_level(level));
                    const double got = vec_dot(t, n, r.w.data(), r.a.data());
                    const double tol =
                        (is_float(t) ? kFloatDotRelTol : kQuantDotRelTol) * abs_dot(r);
                    EXPECT_NEAR(got, want, tol) << level_name(level) << " " << tensor_type_name(t)
                                                << " n=" << n << " raw=" << raw;
                }
            }
        }
    }
    if (levels_run == 0) std::printf("no SIMD level on this CPU: only the reference was tested\n");
}

// Activation quantization is byte-identical at every level (same rounding as the reference),
// including ties (x.5 after scaling), zeros and equal-magnitude values of both signs.
TEST_F(VecDotTest, ActivationQuantizationIsIdenticalAtEveryLevel) {
    std::mt19937 rng(21);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    const int n = 4096;
    std::vector<float> x(n);
    for (int rep = 0; rep < 8; ++rep) {
        for (auto& v : x) v = dist(rng);
        if (rep == 1)
            for (int i = 0; i < n; ++i)
                x[static_cast<size_t>(i)] = static_cast<float>(i % 255 - 127) * 0.5f;  // ties
        if (rep == 2) std::fill(x.begin(), x.begin() + 512, 0.0f);  // zero blocks
        if (rep == 3)
            for (int i = 0; i < n; i += 2)
                x[static_cast<size_t>(i) + 1] = -x[static_cast<size_t>(i)];  // +-max pairs
        for (TensorType at : {TensorType::Q8_0, TensorType::Q8_K}) {
            const size_t bytes = *row_size(at, n);
            std::vector<uint8_t> want(bytes), got(bytes);
            ASSERT_TRUE(force_level(Level::Ref));
            quantize_activations(at, x.data(), want.data(), n);
            for (Level level : {Level::Avx2, Level::Avx512, Level::Neon}) {
                if (!force_level(level)) continue;
                std::fill(got.begin(), got.end(), 0xCD);
                quantize_activations(at, x.data(), got.data(), n);
                EXPECT_EQ(want, got)
                    << tensor_type_name(at) << " " << level_name(level) << " rep " << rep;
            }
        }
    }
}

// Float weights with a length that is not a multiple of the SIMD width use the scalar tail.
TEST_F(VecDotTest, FloatKernelsHandleOddLengths) {
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (int n : {1, 7, 13, 33}) {
        std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
        for (auto& v : x) v = dist(rng);
        for (auto& v : y) v = dist(rng);
        std::vector<uint16_t> h(static_cast<size_t>(n));
        ASSERT_TRUE(quantize_row(TensorType::F16, x.data(), h.data(), n));
        double want = 0, mag = 0;
        for (int i = 0; i < n; ++i) {
            want += static_cast<double>(fp16_to_fp32(h[static_cast<size_t>(i)])) *
                    y[static_cast<size_t>(i)];
            mag += std::fabs(static_cast<double>(x[static_cast<size_t>(i)]) *
                             y[static_cast<size_t>(i)]);
        }
        EXPECT_NEAR(vec_dot(TensorType::F16, n, h.data(), y.data()), want, kFloatDotRelTol * mag)
            << n;
    }
}

TEST(KernelLevelTest, NamesAndAvailability) {
    EXPECT_EQ(level_from_name("avx2"), Level::Avx2);
    EXPECT_EQ(level_from_name("ref"), Level::Ref);
    EXPECT_FALSE(level_from_name("sse9").has_value());
    EXPECT_TRUE(level_available(Level::Ref));
    EXPECT_TRUE(level_available(best_level()));
    EXPECT_EQ(active_level(), best_level());
    std::printf("best kernel level here: %s\n", std::string(level_name(best_level())).c_str());
    EXPECT_TRUE(vec_dot_supported(TensorType::Q4_K));
    EXPECT_FALSE(vec_dot_supported(TensorType::Q2_K));
    EXPECT_EQ(activation_type(TensorType::Q6_K), TensorType::Q8_K);
    EXPECT_EQ(activation_type(TensorType::Q5_1), TensorType::Q8_0);
    EXPECT_EQ(activation_type(TensorType::BF16), TensorType::F32);
}

}  // namespace
}  // namespace engine::kernels
