// matmul_dequant (precise mode's product): against double-precision math on dequantized
// weights and unquantized activations for every quantized type, identical results for 1 and 3
// threads and for batch vs one token at a time; dot_f32's order on lengths that are not a
// multiple of its 16 lanes.
#include "engine/kernels/dequant_matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/quantize.h"

namespace engine::kernels {
namespace {

// F32 sums of a few hundred products against double: relative to sum |w*x|, far below the
// 8-bit activation error (~1e-2) that matmul has and this path must not.
constexpr double kF32RelTol = 1e-5;

struct Case {
    TensorType type;
    int64_t rows, cols;
};

std::vector<float> random_floats(size_t n, std::mt19937& rng) {
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

class DequantMatmul : public ::testing::TestWithParam<Case> {};

TEST_P(DequantMatmul, MatchesDoubleMathOnDequantizedWeights) {
    const Case c = GetParam();
    std::mt19937 rng(7);
    const size_t rb = static_cast<size_t>(*row_size(c.type, static_cast<uint64_t>(c.cols)));
    std::vector<uint8_t> bytes(rb * static_cast<size_t>(c.rows));
    std::vector<float> deq(static_cast<size_t>(c.rows * c.cols));
    for (int64_t r = 0; r < c.rows; ++r) {
        const auto row = random_floats(static_cast<size_t>(c.cols), rng);
        ASSERT_TRUE(quantize_row(c.type, row.data(), bytes.data() + rb * static_cast<size_t>(r), c.cols));
        ASSERT_TRUE(dequantize_row(c.type, bytes.data() + rb * static_cast<size_t>(r),
                                   deq.data() + static_cast<size_t>(r * c.cols), c.cols));
    }
    const QTensorView w{c.type, c.rows, c.cols, bytes.data(), rb};
    ASSERT_TRUE(check_matmul_view(w));
    constexpr int kTokens = 5;
    const auto x = random_floats(static_cast<size_t>(kTokens * c.cols), rng);
    std::vector<float> y1(static_cast<size_t>(kTokens * c.rows)), y3(y1.size()), step(y1.size());
    ThreadPool one(1), three(3);
    matmul_dequant(w, x.data(), kTokens, y1.data(), one);
    matmul_dequant(w, x.data(), kTokens, y3.data(), three);
    for (int t = 0; t < kTokens; ++t)
        matmul_dequant(w, x.data() + t * c.cols, 1, step.data() + t * c.rows, three);
    for (int t = 0; t < kTokens; ++t) {
        for (int64_t r = 0; r < c.rows; ++r) {
            double want = 0, mag = 0;
            for (int64_t k = 0; k < c.cols; ++k) {
                const double p = static_cast<double>(deq[static_cast<size_t>(r * c.cols + k)]) * x[static_cast<size_t>(t * c.cols + k)];
                want += p;
                mag += std::fabs(p);
            }
            const size_t i = static_cast<size_t>(t * c.rows + r);
            ASSERT_LE(std::fabs(y1[i] - want), kF32RelTol * mag) << "token " << t << " row " << r;
            ASSERT_EQ(y1[i], y3[i]) << "thread count changed the result";
            ASSERT_EQ(y1[i], step[i]) << "batch vs one token changed the result";
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    QuantizedTypes, DequantMatmul,
    ::testing::Values(Case{TensorType::Q4_0, 37, 96}, Case{TensorType::Q4_1, 37, 96}, Case{TensorType::Q5_0, 37, 96},
                      Case{TensorType::Q5_1, 37, 96}, Case{TensorType::Q8_0, 37, 96},
                      Case{TensorType::Q4_K, 21, 512}, Case{TensorType::Q5_K, 21, 512},
                      Case{TensorType::Q6_K, 21, 512}, Case{TensorType::F16, 21, 64}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(tensor_type_name(i.param.type)); });

// 16 fused lanes, halves added pairwise; the tail goes to the first lanes.
TEST(DotF32, FollowsTheSixteenLaneOrder) {
    std::mt19937 rng(3);
    for (int n : {1, 15, 16, 17, 64, 100}) {
        const auto a = random_floats(static_cast<size_t>(n), rng), b = random_floats(static_cast<size_t>(n), rng);
        float acc[16] = {};
        for (int i = 0; i < n; ++i) acc[i % 16] = std::fma(a[static_cast<size_t>(i)], b[static_cast<size_t>(i)], acc[i % 16]);
        for (int w = 8; w > 0; w /= 2)
            for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
        EXPECT_EQ(dot_f32(a.data(), b.data(), n), acc[0]) << "n = " << n;
    }
}

}  // namespace
}  // namespace engine::kernels
