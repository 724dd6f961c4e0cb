// RetryPolicy and Backoff on a FakeClock: delays, caps, retry_after and the deadline.
#include "net/retry.h"

#include <gtest/gtest.h>

#include <set>

namespace {

using namespace std::chrono_literals;
using core::ErrorCode;

net::RetryPolicy policy(int max_attempts, std::chrono::milliseconds base,
                        std::chrono::milliseconds max, uint64_t seed = 1) {
    net::RetryPolicy p;
    p.max_attempts = max_attempts;
    p.base_delay = base;
    p.max_delay = max;
    p.seed = seed;
    return p;
}

core::Error http_error(int status) {
    core::Error e(ErrorCode::Http, "remote said no");
    e.http_status = status;
    return e;
}

TEST(RetryPolicy, BackoffCapGrowsExponentiallyAndIsCapped) {
    net::RetryPolicy p = policy(4, 100ms, 1000ms);
    EXPECT_EQ(p.backoff_cap(1), 100ms);
    EXPECT_EQ(p.backoff_cap(2), 200ms);
    EXPECT_EQ(p.backoff_cap(3), 400ms);
    EXPECT_EQ(p.backoff_cap(4), 800ms);
    EXPECT_EQ(p.backoff_cap(5), 1000ms);
    EXPECT_EQ(p.backoff_cap(60), 1000ms);
}

TEST(RetryPolicy, RetryableErrors) {
    EXPECT_TRUE(net::is_retryable(core::Error(ErrorCode::Network, "x")));
    EXPECT_TRUE(net::is_retryable(core::Error(ErrorCode::Timeout, "x")));
    EXPECT_TRUE(net::is_retryable(core::Error(ErrorCode::RateLimited, "x")));
    EXPECT_TRUE(net::is_retryable(http_error(500)));
    EXPECT_TRUE(net::is_retryable(http_error(503)));
    EXPECT_FALSE(net::is_retryable(http_error(404)));
    EXPECT_FALSE(net::is_retryable(core::Error(ErrorCode::Unauthorized, "x")));
    EXPECT_FALSE(net::is_retryable(core::Error(ErrorCode::InvalidArgument, "x")));
    EXPECT_FALSE(net::is_retryable(core::Error(ErrorCode::Parse, "x")));
}

TEST(Backoff, FullJitterStaysWithinCapAndStopsAfterMaxAttempts) {
    core::FakeClock clock;
    net::RetryPolicy p = policy(5, 100ms, 300ms, 42);
    net::Backoff b(p, clock, core::Deadline::never());
    core::Error e(ErrorCode::Network, "reset");
    std::vector<std::chrono::milliseconds> caps = {100ms, 200ms, 300ms, 300ms};
    for (auto cap : caps) {
        auto d = b.next_delay(e);
        ASSERT_TRUE(d);
        EXPECT_GE(*d, 0ms);
        EXPECT_LE(*d, cap);
    }
    EXPECT_EQ(b.attempts(), 5);
    EXPECT_FALSE(b.next_delay(e));
}

TEST(Backoff, JitterVaries) {
    core::FakeClock clock;
    net::RetryPolicy p = policy(1000, 1000ms, 1000ms, 7);
    net::Backoff b(p, clock, core::Deadline::never());
    std::set<int64_t> seen;
    for (int i = 0; i < 50; ++i)
        seen.insert(b.next_delay(core::Error(ErrorCode::Network, ""))->count());
    EXPECT_GT(seen.size(), 10u);
}

TEST(Backoff, NotRetryableGivesUpAtOnce) {
    core::FakeClock clock;
    net::Backoff b(net::RetryPolicy{}, clock, core::Deadline::never());
    EXPECT_FALSE(b.next_delay(http_error(403)));
    EXPECT_EQ(b.attempts(), 1);
}

TEST(Backoff, HonoursRetryAfter) {
    core::FakeClock clock;
    net::Backoff b(net::RetryPolicy{}, clock, core::Deadline::after(10s, clock));
    core::Error e(ErrorCode::RateLimited, "slow down");
    e.retry_after = 3s;
    auto start = clock.now();
    EXPECT_TRUE(b.wait_before_retry(e));
    EXPECT_EQ(clock.now() - start, 3s);
}

TEST(Backoff, NeverSleepsPastTheDeadline) {
    core::FakeClock clock;
    auto deadline = core::Deadline::after(2s, clock);
    net::Backoff b(net::RetryPolicy{}, clock, deadline);
    core::Error e(ErrorCode::RateLimited, "slow down");
    e.retry_after = 5s;
    auto start = clock.now();
    EXPECT_FALSE(b.wait_before_retry(e));
    EXPECT_EQ(clock.now(), start);  // did not sleep at all
}

TEST(Backoff, RetryAfterAboveMaximumGivesUp) {
    core::FakeClock clock;
    net::RetryPolicy p;
    p.max_retry_after = 10s;
    net::Backoff b(p, clock, core::Deadline::never());
    core::Error e(ErrorCode::RateLimited, "slow down");
    e.retry_after = 11s;
    EXPECT_FALSE(b.next_delay(e));
}

TEST(Backoff, ExpiredDeadlineStops) {
    core::FakeClock clock;
    auto deadline = core::Deadline::after(1s, clock);
    net::Backoff b(policy(4, 1ms, 1ms), clock, deadline);
    clock.advance(1s);
    EXPECT_FALSE(b.next_delay(core::Error(ErrorCode::Network, "x")));
}

TEST(WithRetries, RetriesUntilSuccess) {
    core::FakeClock clock;
    int calls = 0;
    auto r = net::with_retries(policy(5, 500ms, 30000ms), clock, core::Deadline::never(),
                               [&]() -> core::Result<int> {
                                   if (++calls < 3) return core::fail(http_error(502));
                                   return 42;
                               });
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 42);
    EXPECT_EQ(calls, 3);
}

TEST(WithRetries, ReturnsLastErrorWhenAttemptsRunOut) {
    core::FakeClock clock;
    int calls = 0;
    core::Status r = net::with_retries(policy(3, 500ms, 30000ms), clock, core::Deadline::never(),
                                       [&]() -> core::Status {
                                           ++calls;
                                           return core::fail(ErrorCode::Network, "down");
                                       });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Network);
    EXPECT_EQ(calls, 3);
}

}  // namespace
