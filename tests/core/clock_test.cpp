#include "core/clock.h"

#include <gtest/gtest.h>

namespace core {
namespace {

using namespace std::chrono_literals;

TEST(FakeClock, AdvancesOnlyWhenTold) {
    FakeClock clock;
    auto t0 = clock.now();
    auto w0 = clock.wall_now();
    clock.advance(1500ms);
    EXPECT_EQ(clock.now() - t0, 1500ms);
    EXPECT_EQ(clock.wall_now() - w0, 1500ms);
    clock.sleep_for(500ms);
    EXPECT_EQ(clock.now() - t0, 2000ms);
}

TEST(Deadline, ExpiresOnTheFakeClock) {
    FakeClock clock;
    auto d = Deadline::after(10s, clock);
    EXPECT_FALSE(d.expired(clock));
    EXPECT_EQ(d.remaining(clock), 10s);
    clock.advance(9s);
    EXPECT_EQ(d.remaining(clock), 1s);
    clock.advance(1s);
    EXPECT_TRUE(d.expired(clock));
    EXPECT_EQ(d.remaining(clock), 0ms);
}

TEST(Deadline, NeverAndMinAndMargin) {
    FakeClock clock;
    auto never = Deadline::never();
    EXPECT_TRUE(never.is_never());
    EXPECT_FALSE(never.expired(clock));
    EXPECT_EQ(never.remaining(clock), Millis::max());
    EXPECT_TRUE(never.minus(5s).is_never());
    auto d = Deadline::after(60s, clock);
    EXPECT_EQ(never.min(d).remaining(clock), 60s);
    EXPECT_EQ(d.min(never).remaining(clock), 60s);
    EXPECT_EQ(d.minus(10s).remaining(clock), 50s);
}

TEST(Clock, UnixSeconds) {
    EXPECT_EQ(unix_seconds(WallTime(std::chrono::seconds(1234))), 1234);
}

}  // namespace
}  // namespace core
