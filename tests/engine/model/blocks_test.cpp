// Building blocks against hand-computed values: RMSNorm, SwiGLU, softmax, both rotary pairings,
// linear and YaRN scaling, causal grouped-query attention, the KV cache.
#include "engine/model/blocks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/model/kv_cache.h"

using namespace engine::model;

TEST(Blocks, RmsNormScalesToUnitRootMeanSquare) {
    const std::vector<float> x = {1, 2, 3, 4};
    const std::vector<float> w = {1, 1, 2, 0.5f};
    std::vector<float> out(4);
    rms_norm(x.data(), w.data(), out.data(), 4, 0.0f);
    const float r = std::sqrt((1 + 4 + 9 + 16) / 4.0f);
    EXPECT_NEAR(out[0], 1 / r, 1e-6);
    EXPECT_NEAR(out[2], 2 * 3 / r, 1e-6);
    EXPECT_NEAR(out[3], 0.5f * 4 / r, 1e-6);
}

TEST(Blocks, SwigluAndSoftmax) {
    std::vector<float> g = {0.0f, 1.0f, -2.0f};
    const std::vector<float> u = {5.0f, 2.0f, 1.0f};
    swiglu(g.data(), u.data(), 3);
    EXPECT_FLOAT_EQ(g[0], 0.0f);
    EXPECT_NEAR(g[1], 2.0f / (1.0f + std::exp(-1.0f)), 1e-6);
    EXPECT_NEAR(g[2], -2.0f / (1.0f + std::exp(2.0f)), 1e-6);
    std::vector<float> s = {1.0f, 2.0f, 3.0f};
    softmax(s.data(), 3);
    const float z = std::exp(1.0f) + std::exp(2.0f) + std::exp(3.0f);
    EXPECT_NEAR(s[2], std::exp(3.0f) / z, 1e-6);
    EXPECT_NEAR(s[0] + s[1] + s[2], 1.0f, 1e-6);
}

TEST(Blocks, RopeNormalRotatesNeighbourPairs) {
    RopeConfig cfg;
    cfg.n_rot = 4;
    cfg.freq_base = 100.0f;
    RopeTable t(cfg);
    t.fill(3);
    std::vector<float> x = {1, 0, 0, 1};
    rope_apply(x.data(), 1, 4, cfg, t);
    // Pair 0 turns by 3 rad, pair 1 by 3 * 100^(-1/2) = 0.3 rad.
    EXPECT_NEAR(x[0], std::cos(3.0f), 1e-6);
    EXPECT_NEAR(x[1], std::sin(3.0f), 1e-6);
    EXPECT_NEAR(x[2], -std::sin(0.3f), 1e-6);
    EXPECT_NEAR(x[3], std::cos(0.3f), 1e-6);
}

TEST(Blocks, RopeNeoxRotatesHalves) {
    RopeConfig cfg;
    cfg.style = RopeStyle::Neox;
    cfg.n_rot = 4;
    cfg.freq_base = 100.0f;
    cfg.freq_scale = 0.5f;  // linear scaling by 2: position 4 turns like position 2
    RopeTable t(cfg);
    t.fill(4);
    std::vector<float> x = {1, 1, 0, 0, 7, 7, 7, 7};  // two heads of 4
    rope_apply(x.data(), 2, 4, cfg, t);
    EXPECT_NEAR(x[0], std::cos(2.0f), 1e-6);
    EXPECT_NEAR(x[2], std::sin(2.0f), 1e-6);
    EXPECT_NEAR(x[1], std::cos(0.2f), 1e-6);
    EXPECT_NEAR(x[3], std::sin(0.2f), 1e-6);
    EXPECT_NEAR(x[4], 7 * (std::cos(2.0f) - std::sin(2.0f)), 1e-5);
}

TEST(Blocks, RopeFreqFactorsDivideTheAngle) {
    const std::vector<float> ff = {1.0f, 4.0f};
    RopeConfig cfg;
    cfg.n_rot = 4;
    cfg.freq_base = 100.0f;
    cfg.freq_factors = ff.data();
    RopeTable t(cfg);
    t.fill(8);
    EXPECT_NEAR(t.cos()[0], std::cos(8.0f), 1e-6);
    EXPECT_NEAR(t.cos()[1], std::cos(0.8f / 4.0f), 1e-6);
}

TEST(Blocks, YarnKeepsHighFrequenciesAndScalesMagnitude) {
    RopeConfig cfg;
    cfg.n_rot = 64;
    cfg.freq_base = 10000.0f;
    cfg.freq_scale = 0.25f;
    cfg.yarn = true;
    cfg.n_ctx_orig = 4096;
    RopeTable t(cfg);
    t.fill(5);
    const float mscale = 1.0f + 0.1f * std::log(4.0f);
    // Dimension pair 0 spins fast: extrapolated (unscaled angle), magnitude mscale.
    EXPECT_NEAR(t.cos()[0], std::cos(5.0f) * mscale, 1e-5);
    // The slowest pair is interpolated: angle scaled by freq_scale.
    const float theta = 5.0f * std::pow(10000.0f, -62.0f / 64.0f) * 0.25f;
    EXPECT_NEAR(t.sin()[31], std::sin(theta) * mscale, 1e-6);
}

TEST(Blocks, AttentionIsCausalAndSharesKvHeads) {
    // 2 query heads share 1 kv head of size 2; positions 0 and 1 cached.
    KvCache cache(1, 4, 2, false);
    const std::vector<float> k0 = {1, 0}, v0 = {1, 2}, k1 = {0, 1}, v1 = {3, 4};
    cache.store(0, 0, k0.data(), v0.data());
    cache.store(0, 1, k1.data(), v1.data());
    const std::vector<float> q = {2, 0, 0, 0};  // head 0 prefers position 0; head 1 indifferent
    std::vector<float> out(4), scratch(8);
    attend_one(q.data(), cache.layer(0), 0, 2, 1, 2, 1.0f, 0, 2, out.data(), scratch.data());
    EXPECT_FLOAT_EQ(out[0], 1.0f);  // only position 0 is visible at pos 0
    EXPECT_FLOAT_EQ(out[3], 2.0f);
    attend_one(q.data(), cache.layer(0), 1, 2, 1, 2, 1.0f, 0, 2, out.data(), scratch.data());
    const float p0 = std::exp(2.0f) / (std::exp(2.0f) + 1.0f);
    EXPECT_NEAR(out[0], p0 * 1 + (1 - p0) * 3, 1e-5);
    EXPECT_NEAR(out[2], 2.0f, 1e-6);  // equal weights: mean of 1 and 3
    EXPECT_NEAR(out[3], 3.0f, 1e-6);
}

TEST(Blocks, KvCacheF16RoundsToHalf) {
    KvCache cache(2, 3, 2, true);
    const std::vector<float> k = {0.1f, -3.0f}, v = {65504.0f, 1e-8f};
    cache.store(1, 2, k.data(), v.data());
    const KvView view = cache.layer(1);
    const auto* kk = static_cast<const uint16_t*>(view.k);
    EXPECT_EQ(kk[2 * 2 + 1], 0xC200);  // -3.0 in half
    EXPECT_EQ(cache.bytes(), 2u * 2 * 3 * 2 * 2);
}
