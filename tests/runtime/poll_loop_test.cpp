#include "runtime/poll_loop.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "bot/recording_bot_api.h"

namespace {

using tests::text_update;
using Updates = std::vector<telegram::Update>;

// Answers getUpdates from a script; when the script runs out it sets the stop flag.
class ScriptedApi : public tests::RecordingBotApi {
public:
    explicit ScriptedApi(std::atomic<bool>& stop) : stop_(stop) {}
    std::deque<core::Result<Updates>> script;
    std::vector<telegram::GetUpdates> requests;

    core::Result<Updates> get_updates(const telegram::GetUpdates& req, core::Deadline) override {
        requests.push_back(req);
        if (script.empty()) {
            stop_ = true;
            return Updates{};
        }
        auto r = std::move(script.front());
        script.pop_front();
        return r;
    }

private:
    std::atomic<bool>& stop_;
};

// Records handled update ids; `on_handle` may fail an update or set the stop flag.
class FakeHandler : public bot::UpdateHandler {
public:
    std::vector<int64_t> seen;
    std::function<core::Status(const telegram::Update&)> on_handle;
    core::Status handle(const telegram::Update& u, core::Deadline) override {
        seen.push_back(u.update_id);
        return on_handle ? on_handle(u) : core::ok();
    }
};

Updates batch(std::initializer_list<int64_t> ids) {
    Updates out;
    for (int64_t id : ids) out.push_back(text_update(id, 7, "m" + std::to_string(id)));
    return out;
}

core::Error net_error() { return core::Error(core::ErrorCode::Network, "connection reset"); }

class PollLoopTest : public ::testing::Test {
protected:
    core::Status run() {
        runtime::PollLoop loop(api_, handler_, stop_, clock_, options_);
        core::Status st = loop.run();
        stats_ = loop.stats();
        return st;
    }
    std::vector<std::optional<int64_t>> offsets() const {
        std::vector<std::optional<int64_t>> out;
        for (const auto& r : api_.requests) out.push_back(r.offset);
        return out;
    }

    std::atomic<bool> stop_{false};
    ScriptedApi api_{stop_};
    FakeHandler handler_;
    core::FakeClock clock_;
    runtime::PollOptions options_;
    runtime::PollStats stats_;
};

using Offsets = std::vector<std::optional<int64_t>>;

TEST_F(PollLoopTest, OffsetIsLastHandledPlusOne) {
    api_.script.push_back(batch({10, 11, 12}));
    api_.script.push_back(batch({13}));
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{10, 11, 12, 13}));
    EXPECT_EQ(offsets(), (Offsets{std::nullopt, 13, 14}));
    EXPECT_EQ(api_.requests[0].timeout_s, 30);
    EXPECT_EQ(stats_.handled, 4);
}

TEST_F(PollLoopTest, RetryableHandlerFailureDoesNotCommitTheUpdate) {
    int failures = 0;
    handler_.on_handle = [&](const telegram::Update& u) -> core::Status {
        if (u.update_id == 2 && failures++ == 0) return core::fail(net_error());
        return core::ok();
    };
    api_.script.push_back(batch({1, 2, 3}));
    api_.script.push_back(batch({2, 3}));  // Telegram sends the unconfirmed ones again
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{1, 2, 2, 3}));
    // After the failure the next request asks from 2 again, not from 4.
    EXPECT_EQ(offsets(), (Offsets{std::nullopt, 2, 4}));
    EXPECT_EQ(stats_.handled, 3);
    EXPECT_EQ(stats_.skipped, 0);
    EXPECT_GE(clock_.now().time_since_epoch(), options_.backoff_initial);  // backed off
}

TEST_F(PollLoopTest, PermanentHandlerFailureSkipsTheUpdate) {
    handler_.on_handle = [](const telegram::Update& u) -> core::Status {
        if (u.update_id == 2) return core::fail(core::ErrorCode::InvalidArgument, "bad");
        return core::ok();
    };
    api_.script.push_back(batch({1, 2, 3}));
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(offsets(), (Offsets{std::nullopt, 4}));
    EXPECT_EQ(stats_.skipped, 1);
}

TEST_F(PollLoopTest, GivesUpAfterMaxAttempts) {
    handler_.on_handle = [](const telegram::Update&) -> core::Status {
        return core::fail(core::ErrorCode::Timeout, "model too slow");
    };
    for (int i = 0; i < 3; ++i) api_.script.push_back(batch({5}));
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{5, 5, 5}));
    EXPECT_EQ(offsets(), (Offsets{std::nullopt, std::nullopt, std::nullopt, 6}));
    EXPECT_EQ(stats_.skipped, 1);
}

TEST_F(PollLoopTest, SurvivesNetworkErrorsWithExponentialBackoff) {
    for (int i = 0; i < 4; ++i) api_.script.push_back(core::fail(net_error()));
    api_.script.push_back(batch({1}));
    auto start = clock_.now();
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{1}));
    EXPECT_EQ(stats_.fetch_errors, 4);
    // 1 + 2 + 4 + 8 seconds of backoff, and no more than a little idle pause on top.
    auto waited = std::chrono::duration_cast<core::Millis>(clock_.now() - start);
    EXPECT_GE(waited, core::Millis(15'000));
    EXPECT_LT(waited, core::Millis(16'000));
}

TEST_F(PollLoopTest, BackoffIsCappedAndResetsAfterSuccess) {
    options_.backoff_max = core::Millis(3'000);
    for (int i = 0; i < 4; ++i) api_.script.push_back(core::fail(net_error()));  // 1+2+3+3
    api_.script.push_back(batch({1}));
    api_.script.push_back(core::fail(net_error()));  // 1 again after a success
    auto start = clock_.now();
    ASSERT_TRUE(run());
    auto waited = std::chrono::duration_cast<core::Millis>(clock_.now() - start);
    EXPECT_GE(waited, core::Millis(10'000));
    EXPECT_LT(waited, core::Millis(11'000));
}

TEST_F(PollLoopTest, HonoursRetryAfter) {
    core::Error e(core::ErrorCode::RateLimited, "Too Many Requests: retry after 7");
    e.http_status = 429;
    e.retry_after = core::Millis(7'000);
    api_.script.push_back(core::fail(e));
    auto start = clock_.now();
    ASSERT_TRUE(run());
    EXPECT_GE(clock_.now() - start, core::Millis(7'000));
}

TEST_F(PollLoopTest, SurvivesTelegramServerErrorsAndConflicts) {
    core::Error e500(core::ErrorCode::Http, "Internal Server Error");
    e500.http_status = 500;
    core::Error e409(core::ErrorCode::Http, "Conflict: terminated by other getUpdates request");
    e409.http_status = 409;
    api_.script.push_back(core::fail(e500));
    api_.script.push_back(core::fail(e409));
    api_.script.push_back(batch({1}));
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{1}));
}

TEST_F(PollLoopTest, RejectedTokenStopsWithAnError) {
    core::Error e(core::ErrorCode::Unauthorized, "Unauthorized");
    e.http_status = 401;
    api_.script.push_back(core::fail(e));
    core::Status st = run();
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("TELEGRAM_TOKEN"), std::string::npos);
}

TEST_F(PollLoopTest, StopFinishesTheUpdateInHandAndConfirmsIt) {
    handler_.on_handle = [&](const telegram::Update& u) -> core::Status {
        if (u.update_id == 2) stop_ = true;  // the signal arrives while 2 is handled
        return core::ok();
    };
    api_.script.push_back(batch({1, 2, 3}));
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{1, 2}));
    // The last call confirms 1 and 2 (offset 3) without waiting: timeout 0, limit 1.
    ASSERT_EQ(api_.requests.size(), 2u);
    EXPECT_EQ(api_.requests[1].offset, std::optional<int64_t>(3));
    EXPECT_EQ(api_.requests[1].timeout_s, 0);
    EXPECT_EQ(api_.requests[1].limit, 1);
}

TEST_F(PollLoopTest, StopBeforeStartMakesNoCalls) {
    stop_ = true;
    ASSERT_TRUE(run());
    EXPECT_TRUE(api_.requests.empty());
}

TEST_F(PollLoopTest, StopInterruptsBackoff) {
    options_.backoff_initial = core::Millis(60'000);
    api_.script.push_back(core::fail(net_error()));
    // A clock whose first sleep is interrupted by the signal.
    struct StopAfterFirstSleep : core::Clock {
        core::FakeClock& inner;
        std::atomic<bool>& stop;
        StopAfterFirstSleep(core::FakeClock& c, std::atomic<bool>& s) : inner(c), stop(s) {}
        core::SteadyTime now() const override { return inner.now(); }
        core::WallTime wall_now() const override { return inner.wall_now(); }
        void sleep_for(core::Millis d) override {
            inner.advance(d);
            stop = true;
        }
    } clock(clock_, stop_);
    runtime::PollLoop loop2(api_, handler_, stop_, clock, options_);
    auto start = clock_.now();
    ASSERT_TRUE(loop2.run());
    EXPECT_LT(clock_.now() - start, core::Millis(1'000));
}

TEST_F(PollLoopTest, HandlerExceptionIsCaughtAndTheUpdateSkipped) {
    handler_.on_handle = [](const telegram::Update& u) -> core::Status {
        if (u.update_id == 1) throw std::runtime_error("boom");
        return core::ok();
    };
    api_.script.push_back(batch({1, 2}));
    ASSERT_TRUE(run());
    EXPECT_EQ(handler_.seen, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(stats_.skipped, 1);
    EXPECT_EQ(stats_.handled, 1);
}

TEST(PollRetryableTest, Classifies) {
    EXPECT_TRUE(runtime::is_retryable(core::Error(core::ErrorCode::Network, "")));
    EXPECT_TRUE(runtime::is_retryable(core::Error(core::ErrorCode::RateLimited, "")));
    core::Error e502(core::ErrorCode::Http, "");
    e502.http_status = 502;
    EXPECT_TRUE(runtime::is_retryable(e502));
    core::Error e403(core::ErrorCode::Http, "");
    e403.http_status = 403;
    EXPECT_FALSE(runtime::is_retryable(e403));
    EXPECT_FALSE(runtime::is_retryable(core::Error(core::ErrorCode::InvalidArgument, "")));
}

}  // namespace
