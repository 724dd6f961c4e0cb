// fp16/bf16 conversions: exhaustive over every half and bfloat16 bit pattern, against slow
// reference arithmetic in double.
#include "engine/kernels/fp16.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace engine::kernels {
namespace {

// Half bits to double with no bit tricks: (-1)^s * m * 2^e.
double slow_half_to_double(uint16_t h) {
    const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    double v;
    if (exp == 0x1F)
        v = mant ? std::numeric_limits<double>::quiet_NaN()
                 : std::numeric_limits<double>::infinity();
    else if (exp == 0)
        v = std::ldexp(static_cast<double>(mant), -24);
    else
        v = std::ldexp(static_cast<double>(mant + 1024), exp - 25);
    return sign ? -v : v;
}

TEST(Fp16Test, WideningMatchesSlowReferenceForAllHalves) {
    for (uint32_t h = 0; h < 65536; ++h) {
        const double want = slow_half_to_double(static_cast<uint16_t>(h));
        const float got = fp16_to_fp32(static_cast<uint16_t>(h));
        if (std::isnan(want)) {
            EXPECT_TRUE(std::isnan(got)) << h;
        } else {
            EXPECT_EQ(static_cast<double>(got), want) << h;
            EXPECT_EQ(std::signbit(got), std::signbit(want)) << h;
        }
    }
}

TEST(Fp16Test, NarrowingRoundTripsEveryHalf) {
    for (uint32_t h = 0; h < 65536; ++h) {
        const uint16_t back = fp32_to_fp16(fp16_to_fp32(static_cast<uint16_t>(h)));
        if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) {
            EXPECT_EQ(back & 0x7E00, 0x7E00) << h;  // NaN stays a (quiet) NaN
        } else {
            EXPECT_EQ(back, h) << h;
        }
    }
}

// Between every pair of neighbouring positive halves: the midpoint goes to the even one,
// anything just off the midpoint goes to the nearer one.
TEST(Fp16Test, NarrowingRoundsToNearestEven) {
    for (uint16_t a = 0; a < 0x7BFF; ++a) {  // 0x7BFF's neighbour is infinity: see EdgeCases
        const uint16_t b = static_cast<uint16_t>(a + 1);
        const double mid = (slow_half_to_double(a) + slow_half_to_double(b)) / 2;
        const float fmid = static_cast<float>(mid);
        ASSERT_EQ(static_cast<double>(fmid), mid) << "midpoint not exact in float " << a;
        const uint16_t even = (a & 1) ? b : a;
        EXPECT_EQ(fp32_to_fp16(fmid), even) << a;
        EXPECT_EQ(fp32_to_fp16(-fmid), even | 0x8000) << a;
        EXPECT_EQ(fp32_to_fp16(std::nextafter(fmid, 0.0f)), a) << a;
        EXPECT_EQ(fp32_to_fp16(std::nextafter(fmid, 1e9f)), b) << a;
    }
}

TEST(Fp16Test, NarrowingEdgeCases) {
    EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);
    EXPECT_EQ(fp32_to_fp16(65519.99f), 0x7BFF);
    EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);  // tie between 65504 and 2^16: even = infinity
    EXPECT_EQ(fp32_to_fp16(1e10f), 0x7C00);
    EXPECT_EQ(fp32_to_fp16(-1e10f), 0xFC00);
    EXPECT_EQ(fp32_to_fp16(std::numeric_limits<float>::infinity()), 0x7C00);
    EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
    EXPECT_EQ(fp32_to_fp16(1e-30f), 0x0000);
    EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even (0)
    EXPECT_EQ(fp32_to_fp16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
    EXPECT_EQ(fp32_to_fp16(std::numeric_limits<float>::denorm_min()), 0x0000);
    EXPECT_TRUE(std::isnan(fp16_to_fp32(fp32_to_fp16(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_TRUE(
        std::isnan(fp16_to_fp32(fp32_to_fp16(std::numeric_limits<float>::signaling_NaN()))));
}

TEST(Bf16Test, RoundTripsEveryBf16AndRoundsToNearestEven) {
    for (uint32_t b = 0; b < 65536; ++b) {
        const float f = bf16_to_fp32(static_cast<uint16_t>(b));
        EXPECT_EQ(std::bit_cast<uint32_t>(f), b << 16);
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(bf16_to_fp32(fp32_to_bf16(f)))) << b;
            continue;
        }
        EXPECT_EQ(fp32_to_bf16(f), b) << b;
        if ((b & 0x7F80) == 0x7F80) continue;  // no midpoint above the largest finite value
        const float mid = std::bit_cast<float>((b << 16) | 0x8000u);
        const uint16_t even = (b & 1) ? static_cast<uint16_t>(b + 1) : static_cast<uint16_t>(b);
        EXPECT_EQ(fp32_to_bf16(mid), even) << b;
        EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>((b << 16) | 0x7FFFu)), b) << b;
    }
}

}  // namespace
}  // namespace engine::kernels
