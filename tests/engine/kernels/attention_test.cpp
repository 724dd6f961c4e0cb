// attend_f16: every kernel level against a plain double-precision softmax attention over the
// same F16 keys and values, against each other, and on exact cases (one row, equal scores).
#include "engine/kernels/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/kernels/cpu.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels {
namespace {

// The kernels round the query to F16 and the value accumulator to F16 after every row (as
// llama.cpp's flash attention does): each rounding is a relative 2^-11, and over a few hundred
// rows they add up to ~0.5% of the output's scale (max |v|). The plain reference keeps
// everything in double.
constexpr double kF16AccumTol = 1e-2;
// Two levels differ only in the order of the score sums (float vs double) before the same F16
// roundings; a score difference can flip an F16 rounding of the accumulator now and then.
constexpr double kLevelTol = 4e-3;

struct Cache {
    std::vector<uint16_t> k, v;  // n rows of row_stride halves
    size_t row_stride;
};

Cache make_cache(int n, size_t row_stride, std::mt19937& rng) {
    std::normal_distribution<float> dist(0.0f, 1.0f);
    Cache c{std::vector<uint16_t>(static_cast<size_t>(n) * row_stride),
            std::vector<uint16_t>(static_cast<size_t>(n) * row_stride), row_stride};
    for (auto& h : c.k) h = fp32_to_fp16(dist(rng));
    for (auto& h : c.v) h = fp32_to_fp16(dist(rng));
    return c;
}

// softmax(q . k_j * scale) weighted sum of v_j, in double.
std::vector<double> plain_attention(const float* q, const uint16_t* k, const uint16_t* v,
                                    size_t stride, int n, int head_dim, float scale) {
    std::vector<double> s(static_cast<size_t>(n));
    double m = -INFINITY;
    for (int j = 0; j < n; ++j) {
        double dot = 0;
        for (int d = 0; d < head_dim; ++d)
            dot += static_cast<double>(q[d]) * fp16_to_fp32(k[static_cast<size_t>(j) * stride + static_cast<size_t>(d)]);
        s[static_cast<size_t>(j)] = dot * scale;
        m = std::max(m, s[static_cast<size_t>(j)]);
    }
    double sum = 0;
    for (auto& x : s) sum += (x = std::exp(x - m));
    std::vector<double> out(static_cast<size_t>(head_dim), 0.0);
    for (int j = 0; j < n; ++j)
        for (int d = 0; d < head_dim; ++d)
            out[static_cast<size_t>(d)] += s[static_cast<size_t>(j)] / sum *
                                           fp16_to_fp32(v[static_cast<size_t>(j) * stride + static_cast<size_t>(d)]);
    return out;
}

std::vector<float> run_level(Level level, const std::vector<float>& q, const Cache& c, size_t off, int n,
                             int head_dim, float scale) {
    EXPECT_TRUE(force_level(level));
    std::vector<float> out(static_cast<size_t>(head_dim), NAN);
    std::vector<float> scratch(static_cast<size_t>(attend_f16_scratch_floats(n, head_dim)));
    attend_f16(q.data(), c.k.data() + off, c.v.data() + off, c.row_stride, n, head_dim, scale, out.data(),
               scratch.data());
    return out;
}

class AttentionTest : public ::testing::Test {
protected:
    void TearDown() override { ASSERT_TRUE(force_level(best_level())); }
};

TEST_F(AttentionTest, EveryLevelMatchesPlainAttention) {
    std::mt19937 rng(21);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    // head_dim 64/128 (the SIMD paths), 12 (not a multiple of 8: the reference path); the cache
    // rows hold two KV heads and the second one is read (offset head_dim).
    for (int head_dim : {64, 128, 12}) {
        for (int n : {1, 7, 100, 513}) {
            const size_t stride = 2 * static_cast<size_t>(head_dim);
            const Cache c = make_cache(n, stride, rng);
            std::vector<float> q(static_cast<size_t>(head_dim));
            for (auto& x : q) x = 2.0f * dist(rng);  // sharp enough softmax to matter
            const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
            const auto want = plain_attention(q.data(), c.k.data() + head_dim, c.v.data() + head_dim, stride, n,
                                              head_dim, scale);
            const auto ref = run_level(Level::Ref, q, c, static_cast<size_t>(head_dim), n, head_dim, scale);
            for (Level level : {Level::Ref, Level::Avx2, Level::Avx512}) {
                if (!level_available(level)) continue;
                const auto got = run_level(level, q, c, static_cast<size_t>(head_dim), n, head_dim, scale);
                for (int d = 0; d < head_dim; ++d) {
                    const auto i = static_cast<size_t>(d);
                    // Outputs are convex combinations of values with |v| ~ up to 4.
                    EXPECT_NEAR(got[i], want[i], kF16AccumTol * 4)
                        << level_name(level) << " head_dim " << head_dim << " n " << n << " d " << d;
                    EXPECT_NEAR(got[i], ref[i], kLevelTol * 4)
                        << level_name(level) << " vs ref, head_dim " << head_dim << " n " << n << " d " << d;
                }
            }
        }
    }
}

TEST_F(AttentionTest, OneRowReturnsItsValuesExactly) {
    std::mt19937 rng(3);
    const Cache c = make_cache(1, 64, rng);
    const std::vector<float> q(64, 0.5f);
    for (Level level : {Level::Ref, Level::Avx2, Level::Avx512}) {
        if (!level_available(level)) continue;
        const auto got = run_level(level, q, c, 0, 1, 64, 0.125f);
        for (size_t d = 0; d < 64; ++d) EXPECT_EQ(got[d], fp16_to_fp32(c.v[d])) << level_name(level) << " d " << d;
    }
}

TEST_F(AttentionTest, EqualScoresAverageTheValues) {
    // A zero query gives every row the same score: the output is the mean of the values.
    std::mt19937 rng(4);
    const int n = 8, head_dim = 32;
    const Cache c = make_cache(n, head_dim, rng);
    const std::vector<float> q(head_dim, 0.0f);
    for (Level level : {Level::Ref, Level::Avx2, Level::Avx512}) {
        if (!level_available(level)) continue;
        const auto got = run_level(level, q, c, 0, n, head_dim, 1.0f);
        for (int d = 0; d < head_dim; ++d) {
            double mean = 0;
            for (int j = 0; j < n; ++j) mean += fp16_to_fp32(c.v[static_cast<size_t>(j * head_dim + d)]);
            // n F16 roundings of partial sums below 32 (half an ulp: 2^-6 each), divided by n.
            constexpr double kSumTol = 0x1p-6;
            EXPECT_NEAR(got[static_cast<size_t>(d)], mean / n, kSumTol) << level_name(level);
        }
    }
}

}  // namespace
}  // namespace engine::kernels
