#include "core/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace core {
namespace {

Result<int> parse_positive(int v) {
    if (v <= 0) return fail(ErrorCode::InvalidArgument, "must be positive");
    return v;
}

Result<int> doubled(int v) {
    auto r = parse_positive(v);
    LG_TRY(r);
    return *r * 2;
}

Status check(bool good) {
    if (!good) return fail(ErrorCode::Io, "bad");
    return ok();
}

TEST(Result, HoldsValueOrError) {
    auto good = parse_positive(3);
    ASSERT_TRUE(good);
    EXPECT_EQ(*good, 3);
    auto bad = parse_positive(-1);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(bad.error().message, "must be positive");
    EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, TryPropagatesTheError) {
    EXPECT_EQ(*doubled(4), 8);
    auto r = doubled(0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "must be positive");
}

TEST(Result, VoidStatus) {
    EXPECT_TRUE(check(true));
    auto s = check(false);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::Io);
}

TEST(Result, MoveOnlyValues) {
    Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
    ASSERT_TRUE(r);
    std::unique_ptr<int> p = std::move(r).value();
    EXPECT_EQ(*p, 5);
}

TEST(Result, ErrorCodeNames) {
    EXPECT_STREQ(error_code_name(ErrorCode::RateLimited), "rate_limited");
    EXPECT_STREQ(error_code_name(ErrorCode::Parse), "parse");
}

TEST(ResultDeathTest, ValueOnErrorAborts) {
    auto r = parse_positive(-1);
    EXPECT_DEATH((void)r.value(), "must be positive");
}

}  // namespace
}  // namespace core
