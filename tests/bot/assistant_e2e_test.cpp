// End to end: the real `lambdagram poll` binary, with model.backend=openai pointed at the fake
// OpenAI server, against the fake Bot API: a private question gets the streamed answer (sent,
// then edited to the full text); a group message that does not address the bot gets nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e/subprocess.h"
#include "support/fake_bot_api.h"
#include "support/fake_openai.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kUser = 7;
constexpr int64_t kGroup = -100555;

class AssistantE2eTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::path(::testing::TempDir()) / ("lg_assistant_e2e_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        std::ofstream(path("lambdagram.yaml")) << "bot:\n  name: Vecihi\n";
    }
    void TearDown() override {
        if (bot_) {
            bot_->signal(SIGTERM);
            bot_->wait_for_exit(10s);
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string log() const { return e2e::read_file(path("bot.err")); }

    // The text the user sees of the answer to `chat`: the last sendMessage or edit there.
    std::string shown(int64_t chat) const {
        std::string out;
        for (const auto& c : tg_.calls()) {
            if (c.method != "sendMessage" && c.method != "editMessageText") continue;
            if (c.params.value("chat_id", int64_t{0}) != chat) continue;
            out = c.params.value("text", "");
        }
        return out;
    }

    fs::path dir_;
    test_support::FakeBotApi tg_;
    lg_test::FakeOpenAi ai_;
    std::unique_ptr<e2e::Subprocess> bot_;
};

TEST_F(AssistantE2eTest, PrivateQuestionGetsTheStreamedAnswerAndGroupChatterNone) {
    ai_.set_token_delay(60ms);  // ~13 tokens: the answer streams for about 0.8 s
    bot_ = e2e::Subprocess::start(
        {std::string(LG_BINARY_DIR) + "/lambdagram", "--config", path("lambdagram.yaml"), "poll"},
        {{"TELEGRAM_TOKEN", tg_.token()},
         {"TELEGRAM_API_URL", tg_.url()},
         {"LAMBDAGRAM_MODEL_BACKEND", "openai"},
         {"LAMBDAGRAM_MODEL_NAME", "fake-model"},
         {"OPENAI_API_KEY", "sk-test-not-a-real-key"},
         {"OPENAI_BASE_URL", ai_.base_url()},
         {"LAMBDAGRAM_STORE_PATH", path("store.db")},
         {"LAMBDAGRAM_BOT_STREAM_EDIT_INTERVAL_MS", "200"},
         {"LAMBDAGRAM_LOG_LEVEL", "debug"}},
        path("bot.out"), path("bot.err"));
    ASSERT_TRUE(bot_);
    ASSERT_TRUE(tg_.wait_for_calls("getMe", 1)) << log();

    // Group chatter first: it must be ignored, so by the time the private answer is complete
    // the group message has long been handled.
    tg_.push_update(test_support::FakeBotApi::text_update(kGroup, kUser, "hello everyone"));
    tg_.push_update(test_support::FakeBotApi::text_update(kUser, kUser, "what do you say?"));

    std::string full = "Hello from the fake model. It answers every question the same way.";
    ASSERT_TRUE(e2e::wait_until([&] { return shown(kUser) == full; }, 20s))
        << "shown: " << shown(kUser) << "\n"
        << log();
    ASSERT_TRUE(tg_.wait_until_confirmed(10s)) << log();

    EXPECT_EQ(tg_.calls("sendMessage").size(), 1u) << log();
    EXPECT_GE(tg_.call_count("editMessageText"), 1u) << "the answer was not streamed";
    EXPECT_GE(tg_.call_count("sendChatAction"), 1u);
    EXPECT_TRUE(tg_.sent_texts(kGroup).empty());

    // One model call, with the instructions as the system message and the question as user's.
    ASSERT_EQ(ai_.request_count(), 1u);
    auto requests = ai_.requests();
    const auto& msgs = requests[0].json["messages"];
    ASSERT_EQ(msgs.size(), 2u) << msgs.dump();
    EXPECT_EQ(msgs[0]["role"], "system");
    EXPECT_NE(msgs[0]["content"].get<std::string>().find("Vecihi"), std::string::npos);
    EXPECT_EQ(msgs[1]["role"], "user");
    EXPECT_EQ(msgs[1]["content"], "what do you say?");
    EXPECT_EQ(log().find("sk-test-not-a-real-key"), std::string::npos) << "the key was logged";
}

}  // namespace
