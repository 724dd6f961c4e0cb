// End to end: the real `lambdagram poll` binary, lexicon-only moderation (moderation.classifier
// none, no model), against the fake Bot API. In a group an admin sends /mod on; a user insults
// twice: the first gets a warning, the second has the message deleted and a warning; /modlog
// lists both decisions; a restart keeps the group's settings and the user's strikes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "e2e/subprocess.h"
#include "support/fake_bot_api.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kGroup = -100900;
constexpr int64_t kAdmin = 11;
constexpr int64_t kUser = 22;

class ModerationE2eTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::path(::testing::TempDir()) / ("lg_moderation_e2e_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        std::ofstream(path("lambdagram.yaml")) << "bot:\n  name: Vecihi\n"
                                               << "store:\n  path: " << path("store.db") << "\n"
                                               << "moderation:\n  classifier: none\n";
        tg_.set_chat_member_status(kAdmin, "administrator");
        tg_.set_chat_member(4242,
                            {{"status", "administrator"},
                             {"user", {{"id", 4242}, {"is_bot", true}, {"first_name", "Bot"}}},
                             {"can_delete_messages", true},
                             {"can_restrict_members", true}});
    }
    void TearDown() override {
        stop();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string log() const { return e2e::read_file(path("bot.err")); }

    void start() {
        bot_ = e2e::Subprocess::start({std::string(LG_BINARY_DIR) + "/lambdagram", "--config",
                                       path("lambdagram.yaml"), "poll"},
                                      {{"TELEGRAM_TOKEN", tg_.token()},
                                       {"TELEGRAM_API_URL", tg_.url()},
                                       {"LAMBDAGRAM_LOG_LEVEL", "debug"}},
                                      path("bot.out"), path("bot.err"));
        ASSERT_TRUE(bot_);
        ASSERT_TRUE(tg_.wait_for_calls("getMe", 1)) << log();
    }
    void stop() {
        if (!bot_) return;
        bot_->signal(SIGTERM);
        bot_->wait_for_exit(15s);
        bot_.reset();
    }

    // Sends `text` as `user` in the group and waits for the bot's `n`-th message there.
    std::string say(int64_t user, const std::string& text, size_t n) {
        transcript_ += (user == kAdmin ? "admin" : "user") + std::string(": ") + text + "\n";
        tg_.push_update(test_support::FakeBotApi::text_update(kGroup, user, text, ++message_id_));
        EXPECT_TRUE(tg_.wait_for_calls("sendMessage", n)) << text << "\n" << log();
        auto texts = tg_.sent_texts(kGroup);
        std::string reply = texts.size() >= n ? texts[n - 1] : "";
        transcript_ += "bot: " + reply + "\n";
        return reply;
    }

    fs::path dir_;
    test_support::FakeBotApi tg_;
    std::unique_ptr<e2e::Subprocess> bot_;
    int64_t message_id_ = 100;
    std::string transcript_;
};

TEST_F(ModerationE2eTest, AdminTurnsItOnAndAUserIsWarnedThenDeleted) {
    start();
    EXPECT_NE(say(kAdmin, "/mod on", 1).find("Moderation is on"), std::string::npos);
    // Clean chatter: nothing said, nothing deleted.
    tg_.push_update(test_support::FakeBotApi::text_update(kGroup, kUser, "hello all", 150));
    ASSERT_TRUE(tg_.wait_until_confirmed()) << log();

    std::string warn = say(kUser, "you are a dumbass", 2);
    EXPECT_NE(warn.find("@user22, this is a warning (harassment)"), std::string::npos) << warn;
    EXPECT_NE(warn.find("/appeal"), std::string::npos) << warn;
    EXPECT_EQ(tg_.call_count("deleteMessage"), 0u);

    std::string removed = say(kUser, "what an a$$hole", 3);
    EXPECT_NE(removed.find("your message was removed (harassment)"), std::string::npos) << removed;
    EXPECT_NE(removed.find("Next time: muted for 1 hour"), std::string::npos) << removed;
    ASSERT_EQ(tg_.call_count("deleteMessage"), 1u);
    auto del = tg_.calls("deleteMessage")[0].params;
    EXPECT_EQ(del.value("message_id", int64_t{0}), message_id_) << del.dump();
    EXPECT_EQ(del.value("chat_id", int64_t{0}), kGroup) << del.dump();

    std::string modlog = say(kAdmin, "/modlog", 4);
    EXPECT_NE(modlog.find("Last 2 decisions (newest first):"), std::string::npos) << modlog;
    size_t second = modlog.find("@user22 harassment -> delete (strike 2)");
    size_t first = modlog.find("@user22 harassment -> warn (strike 1)");
    EXPECT_NE(second, std::string::npos) << modlog;
    EXPECT_NE(first, std::string::npos) << modlog;
    EXPECT_LT(second, first) << modlog;

    // The group's setting and the strikes are in the store: a restarted bot goes on with them.
    stop();
    start();
    std::string strikes = say(kAdmin, "/strikes @user22", 5);
    EXPECT_NE(strikes.find("@user22 has 2 active strikes"), std::string::npos) << strikes;
    std::cout << "--- transcript ---\n" << transcript_;
}

}  // namespace
