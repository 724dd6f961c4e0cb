// matmul: against a plain float reference built from dequantized weights, identical results
// for 1, 2 and 3 threads and for batch vs one-token-at-a-time, and view checks.
#include "engine/kernels/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/cpu.h"
#include "engine/kernels/quantize.h"
#include "engine/kernels/vec_dot.h"

namespace engine::kernels {
namespace {

// matmul vs float math on dequantized weights and unquantized activations: the difference is
// the activation quantization error (Q8_0/Q8_K: ~0.5-0.7% of each value, random signs), so
// relative to sum |w*x| the error stays below this.
constexpr double kActQuantRelTol = 2e-2;

struct Matrix {
    QTensorView view;
    std::vector<uint8_t> bytes;
    std::vector<float> deq;  // rows x cols, dequantized
};

Matrix make_matrix(TensorType t, int64_t rows, int64_t cols, std::mt19937& rng) {
    std::normal_distribution<float> dist(0.0f, 1.0f);
    Matrix m;
    const size_t rb = static_cast<size_t>(*row_size(t, static_cast<uint64_t>(cols)));
    m.bytes.resize(rb * static_cast<size_t>(rows));
    m.deq.resize(static_cast<size_t>(rows * cols));
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        for (auto& v : row) v = dist(rng);
        EXPECT_TRUE(
            quantize_row(t, row.data(), m.bytes.data() + rb * static_cast<size_t>(r), cols));
        EXPECT_TRUE(dequantize_row(t, m.bytes.data() + rb * static_cast<size_t>(r),
                                   m.deq.data() + r * cols, cols));
    }
    m.view = QTensorView{t, rows, cols, m.bytes.data(), rb};
    return m;
}

std::vector<float> random_vec(size_t n, std::mt19937& rng) {
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

const TensorType kTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q4_0,
                             TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0,
                             TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};

TEST(MatmulTest, MatchesFloatReference) {
    std::mt19937 rng(5);
    ThreadPool pool(2);
    const int64_t rows = 37, cols = 512;
    const int n_tokens = 3;
    for (TensorType t : kTypes) {
        const Matrix m = make_matrix(t, rows, cols, rng);
        ASSERT_TRUE(check_matmul_view(m.view)) << tensor_type_name(t);
        const auto x = random_vec(static_cast<size_t>(n_tokens * cols), rng);
        std::vector<float> y(static_cast<size_t>(n_tokens * rows), NAN);
        matmul(m.view, x.data(), n_tokens, y.data(), pool);
        for (int tok = 0; tok < n_tokens; ++tok)
            for (int64_t r = 0; r < rows; ++r) {
                double want = 0, mag = 0;
                for (int64_t c = 0; c < cols; ++c) {
                    const double p = static_cast<double>(m.deq[static_cast<size_t>(r * cols + c)]) *
                                     x[static_cast<size_t>(tok * cols + c)];
                    want += p;
                    mag += std::fabs(p);
                }
                ASSERT_NEAR(y[static_cast<size_t>(tok * rows + r)], want, kActQuantRelTol * mag)
                    << tensor_type_name(t) << " token " << tok << " row " << r;
            }
    }
}

// Every thread count and every batching gives bit-identical results at every kernel level:
// each output is the same arithmetic on the same quantized activations, whoever computes it
// and whether or not it shares a pass over the weights with other tokens (Dot4Fn).
class MatmulLevelTest : public ::testing::TestWithParam<Level> {
protected:
    void TearDown() override { ASSERT_TRUE(force_level(best_level())); }
};

TEST_P(MatmulLevelTest, ThreadsAndBatchingGiveIdenticalResults) {
    if (!level_available(GetParam()))
        GTEST_SKIP() << "level " << level_name(GetParam()) << " not available here";
    ASSERT_TRUE(force_level(GetParam()));
    std::mt19937 rng(9);
    ThreadPool p1(1), p2(2), p3(3);
    const int64_t rows = 131, cols = 512;
    const int n_tokens = 70;  // more than one token tile (64 tokens at most per tile)
    for (TensorType t : {TensorType::Q4_0, TensorType::Q8_0, TensorType::Q4_K, TensorType::Q5_K,
                         TensorType::Q6_K, TensorType::F16}) {
        const Matrix m = make_matrix(t, rows, cols, rng);
        const auto x = random_vec(static_cast<size_t>(n_tokens * cols), rng);
        std::vector<float> y1(static_cast<size_t>(n_tokens * rows)), y2(y1.size()), y3(y1.size()),
            ys(y1.size());
        matmul(m.view, x.data(), n_tokens, y1.data(), p1);
        matmul(m.view, x.data(), n_tokens, y2.data(), p2);
        matmul(m.view, x.data(), n_tokens, y3.data(), p3);
        for (int tok = 0; tok < n_tokens; ++tok)
            matmul(m.view, x.data() + tok * cols, 1, ys.data() + tok * rows, p3);
        EXPECT_EQ(y1, y2) << tensor_type_name(t);
        EXPECT_EQ(y1, y3) << tensor_type_name(t);
        EXPECT_EQ(y1, ys) << tensor_type_name(t);
    }
}

INSTANTIATE_TEST_SUITE_P(Levels, MatmulLevelTest,
                         ::testing::Values(Level::Ref, Level::Avx2, Level::Avx512),
                         [](const ::testing::TestParamInfo<Level>& p) {
                             return std::string(level_name(p.param));
                         });

// y = W x in double over the dequantized weights and the dequantized quantized activations
// (exactly what the kernels multiply): only float summation order differs.
std::vector<double> plain_product(const Matrix& m, const std::vector<float>& x, int n_tokens) {
    const int64_t rows = m.view.rows, cols = m.view.cols;
    const TensorType at = activation_type(m.view.type);
    std::vector<float> xq(x.size());
    std::vector<uint8_t> buf(*row_size(at, static_cast<uint64_t>(cols)));
    for (int t = 0; t < n_tokens; ++t) {
        const float* src = x.data() + t * cols;
        float* dst = xq.data() + t * cols;
        if (at == TensorType::F32) {
            std::copy_n(src, cols, dst);
        } else {
            quantize_activations(at, src, buf.data(), cols);
            EXPECT_TRUE(dequantize_row(at, buf.data(), dst, cols));
        }
    }
    std::vector<double> y(static_cast<size_t>(n_tokens * rows));
    for (int t = 0; t < n_tokens; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            double s = 0;
            for (int64_t c = 0; c < cols; ++c)
                s += static_cast<double>(m.deq[static_cast<size_t>(r * cols + c)]) * xq[static_cast<size_t>(t * cols + c)];
            y[static_cast<size_t>(t * rows + r)] = s;
        }
    return y;
}

// Integer block sums are exact; only the float sums over blocks differ from the double
// reference: a few float epsilons of sum |w x| (which is ~sqrt(cols) times |y| here).
constexpr double kPlainProductTol = 2e-4;

void expect_plain(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
        ASSERT_NEAR(got[i], want[i], kPlainProductTol * (1.0 + std::fabs(want[i]))) << what << " element " << i;
}

// matmul2 / matmul3 (one shared quantization and pool run) against the plain product and
// bit-identical to separate matmul calls, for batches (x4 kernels, more than one token tile)
// and single tokens, with mixed weight types that share an activation type (Q4_K + Q6_K, as
// in Q4_K_M files' Q/K/V) and different row counts (Q 2x the rows of K and V).
TEST_P(MatmulLevelTest, SharedInputProductsMatchPlainAndSeparateCalls) {
    if (!level_available(GetParam()))
        GTEST_SKIP() << "level " << level_name(GetParam()) << " not available here";
    ASSERT_TRUE(force_level(GetParam()));
    std::mt19937 rng(13);
    ThreadPool pool(2);
    const int64_t cols = 512;
    const TensorType sets[][3] = {{TensorType::Q4_0, TensorType::Q4_0, TensorType::Q8_0},
                                  {TensorType::Q4_K, TensorType::Q4_K, TensorType::Q6_K},
                                  {TensorType::F16, TensorType::F16, TensorType::F32}};
    for (const auto& types : sets) {
        const Matrix a = make_matrix(types[0], 70, cols, rng);
        const Matrix b = make_matrix(types[1], 35, cols, rng);
        const Matrix c = make_matrix(types[2], 35, cols, rng);
        ASSERT_TRUE(can_share_input(a.view, b.view) && can_share_input(a.view, c.view));
        for (int n_tokens : {1, 5, 67}) {
            const auto x = random_vec(static_cast<size_t>(n_tokens * cols), rng);
            const auto size = [&](const Matrix& m) { return static_cast<size_t>(n_tokens * m.view.rows); };
            std::vector<float> ya(size(a)), yb(size(b)), yc(size(c));
            std::vector<float> y2a(size(a)), y2b(size(b)), y3a(size(a)), y3b(size(b)), y3c(size(c));
            matmul(a.view, x.data(), n_tokens, ya.data(), pool);
            matmul(b.view, x.data(), n_tokens, yb.data(), pool);
            matmul(c.view, x.data(), n_tokens, yc.data(), pool);
            matmul2(a.view, b.view, x.data(), n_tokens, y2a.data(), y2b.data(), pool);
            matmul3(a.view, b.view, c.view, x.data(), n_tokens, y3a.data(), y3b.data(), y3c.data(), pool);
            const std::string what = std::string(tensor_type_name(types[0])) + "+" +
                                     std::string(tensor_type_name(types[2])) + " tokens " +
                                     std::to_string(n_tokens);
            EXPECT_EQ(y2a, ya) << what;
            EXPECT_EQ(y2b, yb) << what;
            EXPECT_EQ(y3a, ya) << what;
            EXPECT_EQ(y3b, yb) << what;
            EXPECT_EQ(y3c, yc) << what;
            expect_plain(y3a, plain_product(a, x, n_tokens), what.c_str());
            expect_plain(y3b, plain_product(b, x, n_tokens), what.c_str());
            expect_plain(y3c, plain_product(c, x, n_tokens), what.c_str());
        }
    }
}

TEST(MatmulTest, SharingNeedsOneWidthAndActivationType) {
    uint8_t buf[4096] = {};
    const QTensorView q4{TensorType::Q4_0, 2, 256, buf, 144}, q8{TensorType::Q8_0, 2, 256, buf, 272};
    const QTensorView q4k{TensorType::Q4_K, 2, 256, buf, 144}, narrow{TensorType::Q4_0, 2, 128, buf, 72};
    EXPECT_TRUE(can_share_input(q4, q8));
    EXPECT_FALSE(can_share_input(q4, q4k));     // Q8_0 vs Q8_K activations
    EXPECT_FALSE(can_share_input(q4, narrow));  // different widths
}

TEST(MatmulTest, PaddedRowStrideIsHonoured) {
    std::mt19937 rng(2);
    ThreadPool pool(2);
    const Matrix m = make_matrix(TensorType::Q8_0, 4, 64, rng);
    const size_t stride = m.view.row_bytes + 10;
    std::vector<uint8_t> padded(stride * 4, 0xAB);
    for (size_t r = 0; r < 4; ++r)
        std::copy_n(m.bytes.data() + r * m.view.row_bytes, m.view.row_bytes,
                    padded.data() + r * stride);
    QTensorView v = m.view;
    v.data = padded.data();
    v.row_bytes = stride;
    const auto x = random_vec(64, rng);
    std::vector<float> a(4), b(4);
    matmul(m.view, x.data(), 1, a.data(), pool);
    matmul(v, x.data(), 1, b.data(), pool);
    EXPECT_EQ(a, b);
}

TEST(MatmulTest, CheckRejectsBadViews) {
    uint8_t buf[1024] = {};
    EXPECT_FALSE(check_matmul_view({TensorType::Q2_K, 1, 256, buf, 84}));
    EXPECT_FALSE(check_matmul_view({TensorType::Q4_0, 1, 48, buf, 64}));  // partial block
    EXPECT_FALSE(check_matmul_view({TensorType::Q4_0, 1, 64, buf, 20}));  // row too short
    EXPECT_FALSE(check_matmul_view({TensorType::Q4_0, 1, 64, nullptr, 36}));
    EXPECT_FALSE(check_matmul_view({TensorType::Q4_0, 0, 64, buf, 36}));
    EXPECT_TRUE(check_matmul_view({TensorType::Q4_0, 2, 64, buf, 36}));
    const auto s = check_matmul_view({TensorType::Q2_K, 1, 256, buf, 84});
    EXPECT_NE(s.error().message.find("Q2_K"), std::string::npos);
}

}  // namespace
}  // namespace engine::kernels
