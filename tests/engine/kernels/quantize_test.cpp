// Block formats: sizes against tensor_type.h, hand-built blocks with known values decoded
// exactly, and quantize -> dequantize error bounds per type.
#include "engine/kernels/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels {
namespace {

// Relative round-trip error bounds: rmse(dequantize(quantize(x)) - x) / rms(x) on Gaussian
// rows. Each is the measured value (in the comment) with ~25% headroom, so a layout or scale
// bug (errors of order 1) fails while normal rounding passes.
constexpr double kRelRmseF16 = 3e-4;     // measured 2.1e-4 (10-bit mantissa)
constexpr double kRelRmseBf16 = 2.2e-3;  // measured 1.7e-3 (7-bit mantissa)
constexpr double kRelRmseQ8_0 = 7e-3;    // measured 5.4e-3
constexpr double kRelRmseQ8_K = 9e-3;    // measured 7.2e-3 (one scale per 256 elements)
constexpr double kRelRmseQ4_0 = 0.11;    // measured 0.087
constexpr double kRelRmseQ4_1 = 0.095;   // measured 0.077
constexpr double kRelRmseQ5_0 = 0.055;   // measured 0.044
constexpr double kRelRmseQ5_1 = 0.048;   // measured 0.038
constexpr double kRelRmseQ4_K = 0.088;   // measured 0.071 (llama.cpp's Q4_K: ~0.07)
constexpr double kRelRmseQ5_K = 0.045;   // measured 0.036
constexpr double kRelRmseQ6_K = 0.022;   // measured 0.018

size_t bytes_for(TensorType t, int64_t n) {
    return static_cast<size_t>(*row_size(t, static_cast<uint64_t>(n)));
}

TEST(BlocksTest, SizesMatchTensorTypeTable) {
    EXPECT_EQ(tensor_type_info(TensorType::Q4_0)->type_size, sizeof(BlockQ4_0));
    EXPECT_EQ(tensor_type_info(TensorType::Q4_1)->type_size, sizeof(BlockQ4_1));
    EXPECT_EQ(tensor_type_info(TensorType::Q5_0)->type_size, sizeof(BlockQ5_0));
    EXPECT_EQ(tensor_type_info(TensorType::Q5_1)->type_size, sizeof(BlockQ5_1));
    EXPECT_EQ(tensor_type_info(TensorType::Q8_0)->type_size, sizeof(BlockQ8_0));
    EXPECT_EQ(tensor_type_info(TensorType::Q4_K)->type_size, sizeof(BlockQ4_K));
    EXPECT_EQ(tensor_type_info(TensorType::Q5_K)->type_size, sizeof(BlockQ5_K));
    EXPECT_EQ(tensor_type_info(TensorType::Q6_K)->type_size, sizeof(BlockQ6_K));
    EXPECT_EQ(tensor_type_info(TensorType::Q8_K)->type_size, sizeof(BlockQ8_K));
    EXPECT_EQ(tensor_type_info(TensorType::Q4_K)->block_size, static_cast<uint32_t>(kQKK));
    EXPECT_EQ(tensor_type_info(TensorType::Q4_0)->block_size, static_cast<uint32_t>(kQK));
}

TEST(DequantizeTest, Q4_0HandBuiltBlock) {
    BlockQ4_0 b{};
    b.d = fp32_to_fp16(1.0f);
    for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    float y[32];
    ASSERT_TRUE(dequantize_row(TensorType::Q4_0, &b, y, 32));
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], static_cast<float>(j - 8));
        EXPECT_EQ(y[j + 16], static_cast<float>(7 - j));
    }
}

TEST(DequantizeTest, Q4_1AndQ5HandBuiltBlocks) {
    BlockQ4_1 a{};
    a.d = fp32_to_fp16(0.5f);
    a.m = fp32_to_fp16(-2.0f);
    for (int j = 0; j < 16; ++j) a.qs[j] = static_cast<uint8_t>(j | (j << 4));
    float y[32];
    ASSERT_TRUE(dequantize_row(TensorType::Q4_1, &a, y, 32));
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], 0.5f * j - 2.0f);
        EXPECT_EQ(y[j + 16], 0.5f * j - 2.0f);
    }
    // Q5_0: q = 31 - i for element i; high bit from qh bit i.
    BlockQ5_0 b{};
    b.d = fp32_to_fp16(2.0f);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
        const int q0 = 31 - j, q1 = 31 - (j + 16);
        b.qs[j] = static_cast<uint8_t>((q0 & 15) | ((q1 & 15) << 4));
        qh |= static_cast<uint32_t>(q0 >> 4) << j;
        qh |= static_cast<uint32_t>(q1 >> 4) << (j + 16);
    }
    std::memcpy(b.qh, &qh, 4);
    ASSERT_TRUE(dequantize_row(TensorType::Q5_0, &b, y, 32));
    for (int i = 0; i < 32; ++i) EXPECT_EQ(y[i], 2.0f * static_cast<float>(31 - i - 16)) << i;
    BlockQ5_1 c{};
    c.d = fp32_to_fp16(1.0f);
    c.m = fp32_to_fp16(10.0f);
    std::memcpy(c.qs, b.qs, 16);
    std::memcpy(c.qh, b.qh, 4);
    ASSERT_TRUE(dequantize_row(TensorType::Q5_1, &c, y, 32));
    for (int i = 0; i < 32; ++i) EXPECT_EQ(y[i], static_cast<float>(31 - i) + 10.0f) << i;
}

TEST(DequantizeTest, Q8_0HandBuiltBlock) {
    BlockQ8_0 b{};
    b.d = fp32_to_fp16(0.25f);
    for (int j = 0; j < 32; ++j) b.qs[j] = static_cast<int8_t>(j * 8 - 128);
    float y[32];
    ASSERT_TRUE(dequantize_row(TensorType::Q8_0, &b, y, 32));
    for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], 0.25f * static_cast<float>(j * 8 - 128));
}

// Q4_K with sc[j] = j + 1 (j = 4..7 need the high 2 bits) and m[j] = 2j + 40.
TEST(DequantizeTest, Q4_KHandBuiltBlock) {
    BlockQ4_K b{};
    b.d = fp32_to_fp16(1.0f);
    b.dmin = fp32_to_fp16(0.5f);
    const uint8_t sc[8] = {1, 2, 3, 4, 50, 51, 62, 63};
    const uint8_t mn[8] = {40, 42, 44, 46, 48, 33, 17, 63};
    for (int j = 0; j < 4; ++j) {
        b.scales[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
        b.scales[j + 4] = static_cast<uint8_t>(mn[j] | ((mn[j + 4] >> 4) << 6));
        b.scales[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
    }
    for (int j = 0; j < 8; ++j) {
        uint8_t s, m;
        get_scale_min_k4(j, b.scales, &s, &m);
        EXPECT_EQ(s, sc[j]);
        EXPECT_EQ(m, mn[j]);
    }
    for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>((i % 16) | ((15 - i % 16) << 4));
    float y[256];
    ASSERT_TRUE(dequantize_row(TensorType::Q4_K, &b, y, 256));
    for (int i = 0; i < 256; ++i) {
        const int j = i / 32, l = i % 32;
        const int q = (j % 2 == 0) ? (l % 16) : (15 - l % 16);
        EXPECT_EQ(y[i], static_cast<float>(sc[j]) * q - 0.5f * mn[j]) << i;
    }
}

// Q6_K: weight i of the block has q = i % 64 and sub-block scale s - 8 (s = i / 16).
TEST(DequantizeTest, Q6_KHandBuiltBlock) {
    BlockQ6_K b{};
    b.d = fp32_to_fp16(0.5f);
    for (int s = 0; s < 16; ++s) b.scales[s] = static_cast<int8_t>(s - 8);
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const int q[4] = {(l) % 64, (l + 32) % 64, (l + 64) % 64, (l + 96) % 64};
            b.ql[64 * h + l] = static_cast<uint8_t>((q[0] & 15) | ((q[2] & 15) << 4));
            b.ql[64 * h + l + 32] = static_cast<uint8_t>((q[1] & 15) | ((q[3] & 15) << 4));
            b.qh[32 * h + l] = static_cast<uint8_t>((q[0] >> 4) | ((q[1] >> 4) << 2) |
                                                    ((q[2] >> 4) << 4) | ((q[3] >> 4) << 6));
        }
    float y[256];
    ASSERT_TRUE(dequantize_row(TensorType::Q6_K, &b, y, 256));
    for (int i = 0; i < 256; ++i)
        EXPECT_EQ(y[i], 0.5f * static_cast<float>(i / 16 - 8) * static_cast<float>(i % 64 - 32))
            << i;
}

TEST(QuantizeTest, RejectsUnsupportedTypesAndPartialBlocks) {
    float x[64] = {};
    uint8_t buf[512];
    EXPECT_FALSE(quantize_row(TensorType::Q4_0, x, buf, 48));
    EXPECT_FALSE(quantize_row(TensorType::Q2_K, x, buf, 256));
    EXPECT_FALSE(dequantize_row(TensorType::IQ4_NL, buf, x, 32));
    EXPECT_TRUE(quantize_row(TensorType::Q4_0, x, buf, 64));
}

TEST(QuantizeTest, Q4_0MatchesLlamaCppRoundingOnAKnownRow) {
    // max |x| = -8 at index 0, so d = 1 and x maps to level x + 8 (ties round up: +8.5 trunc).
    float x[32];
    for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 16) - 8.0f;
    x[5] = 0.5f;  // level 8.5 + 0.5 -> 9
    BlockQ4_0 b;
    ASSERT_TRUE(quantize_row(TensorType::Q4_0, x, &b, 32));
    EXPECT_EQ(fp16_to_fp32(b.d), 1.0f);
    EXPECT_EQ(b.qs[0], 0x00);
    EXPECT_EQ(b.qs[5] & 15, 9);
    EXPECT_EQ(b.qs[15], 0xFF);
}

TEST(QuantizeTest, ZeroRowsStayZero) {
    for (TensorType t :
         {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0,
          TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K, TensorType::Q8_K}) {
        std::vector<float> x(256, 0.0f), y(256, 1.0f);
        std::vector<uint8_t> q(bytes_for(t, 256));
        ASSERT_TRUE(quantize_row(t, x.data(), q.data(), 256));
        ASSERT_TRUE(dequantize_row(t, q.data(), y.data(), 256));
        for (float v : y) EXPECT_EQ(v, 0.0f) << tensor_type_name(t);
    }
}

double rel_rmse(TensorType t, int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    for (auto& v : x) v = dist(rng);
    std::vector<uint8_t> q(bytes_for(t, n));
    EXPECT_TRUE(quantize_row(t, x.data(), q.data(), n));
    EXPECT_TRUE(dequantize_row(t, q.data(), y.data(), n));
    double err = 0, ref = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        err += (x[i] - y[i]) * static_cast<double>(x[i] - y[i]);
        ref += x[i] * static_cast<double>(x[i]);
    }
    return std::sqrt(err / ref);
}

TEST(QuantizeTest, RoundTripErrorWithinBounds) {
    struct Case {
        TensorType t;
        double bound;
    };
    const Case cases[] = {
        {TensorType::F16, kRelRmseF16},   {TensorType::BF16, kRelRmseBf16},
        {TensorType::Q8_0, kRelRmseQ8_0}, {TensorType::Q8_K, kRelRmseQ8_K},
        {TensorType::Q4_0, kRelRmseQ4_0}, {TensorType::Q4_1, kRelRmseQ4_1},
        {TensorType::Q5_0, kRelRmseQ5_0}, {TensorType::Q5_1, kRelRmseQ5_1},
        {TensorType::Q4_K, kRelRmseQ4_K}, {TensorType::Q5_K, kRelRmseQ5_K},
        {TensorType::Q6_K, kRelRmseQ6_K},
    };
    for (const auto& c : cases) {
        const double e = rel_rmse(c.t, 4096, 42);
        EXPECT_LT(e, c.bound) << tensor_type_name(c.t);
        EXPECT_GT(e, 0.0) << tensor_type_name(c.t);  // really quantized, not copied
        std::printf("round trip %-5s rel rmse %.3g (bound %.3g)\n",
                    std::string(tensor_type_name(c.t)).c_str(), e, c.bound);
    }
    EXPECT_EQ(rel_rmse(TensorType::F32, 4096, 1), 0.0);
}

}  // namespace
}  // namespace engine::kernels
