// End to end: the real `lambdagram poll` binary against the fake Bot API (tests/support): SIGTERM
// lets the update in hand finish and be confirmed, and across a restart no update is lost or
// handled twice.
#include <gtest/gtest.h>

#include <fstream>

#include "e2e/binary_test.h"
#include "e2e/subprocess.h"
#include "support/fake_bot_api.h"

namespace {

using namespace std::chrono_literals;

class PollRestartTest : public e2e::BinaryTest {
protected:
    PollRestartTest() : BinaryTest("lg_e2e_poll") {}

    void SetUp() override {
        BinaryTest::SetUp();
        std::ofstream(path("lambdagram.yaml")) << "bot:\n  echo: true\n";
    }

    std::unique_ptr<e2e::Subprocess> start_bot(const std::string& log_name) {
        return e2e::Subprocess::start(
            {e2e::lambdagram_binary(), "--config", path("lambdagram.yaml"), "poll"},
            {{"TELEGRAM_TOKEN", tg_.token()},
             {"TELEGRAM_API_URL", tg_.url()},
             {"LAMBDAGRAM_LOG_LEVEL", "debug"}},
            path(log_name + ".out"), path(log_name + ".err"));
    }

    // The texts of every sendMessage so far.
    std::vector<std::string> sent_texts() const {
        std::vector<std::string> out;
        for (const auto& c : tg_.calls("sendMessage")) out.push_back(c.params.value("text", ""));
        return out;
    }

    test_support::FakeBotApi tg_;
};

TEST_F(PollRestartTest, SigtermFinishesTheUpdateInHandAndARestartLosesNothing) {
    auto bot = start_bot("first");
    ASSERT_TRUE(bot);
    ASSERT_TRUE(tg_.wait_for_calls("getMe", 1)) << e2e::read_file(path("first.err"));

    tg_.push_update(test_support::FakeBotApi::text_update(7, 7, "one"));
    ASSERT_TRUE(tg_.wait_for_calls("sendMessage", 1)) << e2e::read_file(path("first.err"));

    // The second update's reply takes 1.5 s; SIGTERM arrives while the bot waits for it.
    tg_.delay_next("sendMessage", 1500ms);
    int64_t two = tg_.push_update(test_support::FakeBotApi::text_update(7, 7, "two"));
    // The bot logs (at debug level) when it starts on an update.
    ASSERT_TRUE(e2e::wait_until(
        [&] {
            return e2e::read_file(path("first.err"))
                       .find("handling update " + std::to_string(two)) != std::string::npos;
        },
        15s))
        << e2e::read_file(path("first.err"));
    bot->signal(SIGTERM);
    auto code = bot->wait_for_exit(15s);
    ASSERT_EQ(code, std::optional<int>(0)) << e2e::read_file(path("first.err"));
    EXPECT_EQ(sent_texts(), (std::vector<std::string>{"Echoed: one", "Echoed: two"}))
        << e2e::read_file(path("first.err"));
    EXPECT_EQ(tg_.pending_updates(), 0u) << "handled updates must be confirmed before exiting";
    EXPECT_NE(e2e::read_file(path("first.err")).find("SIGTERM received"), std::string::npos);

    // Updates that arrive while the bot is down are handled after the restart, once each.
    tg_.push_update(test_support::FakeBotApi::text_update(7, 7, "three"));
    auto again = start_bot("second");
    ASSERT_TRUE(again);
    ASSERT_TRUE(tg_.wait_for_calls("sendMessage", 3)) << e2e::read_file(path("second.err"));
    again->signal(SIGTERM);
    ASSERT_EQ(again->wait_for_exit(15s), std::optional<int>(0))
        << e2e::read_file(path("second.err"));
    EXPECT_EQ(sent_texts(),
              (std::vector<std::string>{"Echoed: one", "Echoed: two", "Echoed: three"}));
    EXPECT_EQ(tg_.pending_updates(), 0u);
}

TEST_F(PollRestartTest, SurvivesTelegramErrors) {
    tg_.server_error_next("getUpdates", 2);
    auto bot = start_bot("errors");
    ASSERT_TRUE(bot);
    tg_.push_update(test_support::FakeBotApi::text_update(-100200, 9, "@fake_bot hi"));
    ASSERT_TRUE(tg_.wait_for_calls("sendMessage", 1, 30s)) << e2e::read_file(path("errors.err"));
    auto calls = tg_.calls("sendMessage");
    EXPECT_EQ(calls[0].params.value("text", ""), "Echoed: @fake_bot hi");
    bot->signal(SIGINT);
    ASSERT_EQ(bot->wait_for_exit(15s), std::optional<int>(0));
}

TEST_F(PollRestartTest, RejectedTokenExitsWithAClearError) {
    auto bot = e2e::Subprocess::start(
        {e2e::lambdagram_binary(), "--config", path("lambdagram.yaml"), "poll"},
        {{"TELEGRAM_TOKEN", "999:WrongTokenWrongTokenWrongToken12345"},
         {"TELEGRAM_API_URL", tg_.url()}},
        path("bad.out"), path("bad.err"));
    ASSERT_TRUE(bot);
    ASSERT_EQ(bot->wait_for_exit(30s), std::optional<int>(1));
    std::string err = e2e::read_file(path("bad.err"));
    EXPECT_NE(err.find("check TELEGRAM_TOKEN"), std::string::npos) << err;
    EXPECT_EQ(err.find("WrongToken"), std::string::npos) << err;
}

}  // namespace
