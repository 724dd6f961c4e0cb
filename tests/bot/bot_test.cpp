#include "bot/bot.h"

#include <gtest/gtest.h>

#include "bot/addressing.h"
#include "bot/recording_bot_api.h"

namespace {

using tests::RecordingBotApi;
using tests::text_update;

constexpr int64_t kPrivate = 7;
constexpr int64_t kGroup = -100123;

class BotTest : public ::testing::Test {
protected:
    core::Status handle(const telegram::Update& u) {
        bot::Bot b(api_, options_, clock_);
        return b.handle(u, core::Deadline::after(std::chrono::seconds(50), clock_));
    }
    core::Status handle_text(int64_t chat, const std::string& text) {
        return handle(text_update(1, chat, text));
    }

    RecordingBotApi api_;
    bot::BotOptions options_;
    core::FakeClock clock_;
};

TEST_F(BotTest, PrivateQuestionSaysNoModelYet) {
    ASSERT_TRUE(handle_text(kPrivate, "what is the weather?"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].chat_id, kPrivate);
    EXPECT_NE(api_.sent[0].text.find("no model configured yet"), std::string::npos);
    EXPECT_FALSE(api_.sent[0].reply_to_message_id.has_value());
}

TEST_F(BotTest, StartAndHelpExplainTheBotAndItsCommands) {
    for (const char* cmd : {"/start", "/help", "/HELP", "/start@vecihi_bot"}) {
        api_.sent.clear();
        ASSERT_TRUE(handle_text(kPrivate, cmd)) << cmd;
        ASSERT_EQ(api_.sent.size(), 1u) << cmd;
        const std::string& t = api_.sent[0].text;
        EXPECT_NE(t.find("Vecihi"), std::string::npos) << t;
        EXPECT_NE(t.find("/start"), std::string::npos) << t;
        EXPECT_NE(t.find("/help"), std::string::npos) << t;
        EXPECT_NE(t.find("@vecihi_bot"), std::string::npos) << t;
    }
}

TEST_F(BotTest, EchoModeRepeatsTheText) {
    options_.echo = true;
    ASSERT_TRUE(handle_text(kPrivate, "hello there"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, "Echoed: hello there");
}

TEST_F(BotTest, UnknownCommandPointsToHelp) {
    ASSERT_TRUE(handle_text(kPrivate, "/frobnicate now"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_NE(api_.sent[0].text.find("/frobnicate"), std::string::npos);
    EXPECT_NE(api_.sent[0].text.find("/help"), std::string::npos);
}

TEST_F(BotTest, GroupMessageWithoutAddressGetsNoReply) {
    options_.echo = true;
    for (const char* text : {"hello everyone", "mail me at x@vecihi_bot.com", "@vecihi_bot2 hi",
                             "vecihi_bot hi", "/help@other_bot"}) {
        ASSERT_TRUE(handle_text(kGroup, text)) << text;
    }
    EXPECT_TRUE(api_.sent.empty()) << api_.sent[0].text;
}

TEST_F(BotTest, GroupMentionIsAnsweredAsAReply) {
    ASSERT_TRUE(handle(text_update(5, kGroup, "hey @Vecihi_Bot, what's up?")));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].chat_id, kGroup);
    EXPECT_EQ(api_.sent[0].reply_to_message_id, std::optional<int64_t>(105));
    EXPECT_NE(api_.sent[0].text.find("no model configured yet"), std::string::npos);
}

TEST_F(BotTest, GroupReplyToTheBotIsAnswered) {
    options_.echo = true;
    auto u = text_update(1, kGroup, "and you?");
    auto replied = std::make_shared<telegram::Message>();
    replied->message_id = 50;
    replied->from = api_.me;
    u.message->reply_to_message = replied;
    ASSERT_TRUE(handle(u));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, "Echoed: and you?");

    // A reply to someone else is not for the bot.
    api_.sent.clear();
    replied->from->id = 99;
    ASSERT_TRUE(handle(u));
    EXPECT_TRUE(api_.sent.empty());
}

TEST_F(BotTest, GroupTextMentionEntityIsAnswered) {
    options_.echo = true;
    auto u = text_update(1, kGroup, "Vecihi, hi");
    telegram::MessageEntity e;
    e.type = "text_mention";
    e.offset = 0;
    e.length = 6;
    e.user = api_.me;
    u.message->entities.push_back(e);
    ASSERT_TRUE(handle(u));
    ASSERT_EQ(api_.sent.size(), 1u);
}

TEST_F(BotTest, GroupCommandsForTheBotAreAnswered) {
    ASSERT_TRUE(handle_text(kGroup, "/help@vecihi_bot"));
    ASSERT_TRUE(handle_text(kGroup, "/start"));
    ASSERT_EQ(api_.sent.size(), 2u);
    EXPECT_NE(api_.sent[0].text.find("/help"), std::string::npos);
}

TEST_F(BotTest, IgnoresBotsEditsChannelsAndJoins) {
    options_.echo = true;
    auto from_bot = text_update(1, kPrivate, "hi");
    from_bot.message->from->is_bot = true;
    ASSERT_TRUE(handle(from_bot));

    telegram::Update edited;
    edited.update_id = 2;
    edited.edited_message = text_update(2, kPrivate, "edited").message;
    ASSERT_TRUE(handle(edited));

    auto channel = text_update(3, -100777, "post");
    channel.message->chat.type = "channel";
    ASSERT_TRUE(handle(channel));

    auto join = text_update(4, kGroup, "");
    join.message->text.reset();
    join.message->new_chat_members.push_back(telegram::User{});
    ASSERT_TRUE(handle(join));
    EXPECT_TRUE(api_.sent.empty());
}

TEST_F(BotTest, PrivatePhotoGetsTextOnlyNotice) {
    auto u = text_update(1, kPrivate, "");
    u.message->text.reset();
    u.message->has_photo = true;
    ASSERT_TRUE(handle(u));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].text, bot::kTextOnlyText);
}

TEST_F(BotTest, LongRepliesAreSplit) {
    options_.echo = true;
    std::string text;
    for (int i = 0; i < 900; ++i) text += "word ";
    ASSERT_TRUE(handle_text(kPrivate, text));
    ASSERT_GE(api_.sent.size(), 2u);
    for (const auto& m : api_.sent) EXPECT_LE(m.text.size(), telegram::kMaxMessageLength);
    EXPECT_EQ(api_.sent[0].text.rfind("Echoed: ", 0), 0u);
}

TEST_F(BotTest, SendFailureIsReturned) {
    core::Error e(core::ErrorCode::Network, "connection reset");
    api_.send_failures.push_back(e);
    core::Status st = handle_text(kPrivate, "hi");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, core::ErrorCode::Network);
}

TEST_F(BotTest, IdentityIsFetchedOnce) {
    bot::Bot b(api_, options_, clock_);
    auto d = core::Deadline::after(std::chrono::seconds(5), clock_);
    ASSERT_TRUE(b.handle(text_update(1, kGroup, "@vecihi_bot hi"), d));
    ASSERT_TRUE(b.handle(text_update(2, kPrivate, "hi"), d));
    EXPECT_EQ(api_.get_me_calls, 1);
}

TEST_F(BotTest, PresetIdentityNeedsNoGetMe) {
    options_.me = api_.me;
    ASSERT_TRUE(handle_text(kGroup, "@vecihi_bot hi"));
    EXPECT_EQ(api_.get_me_calls, 0);
    EXPECT_EQ(api_.sent.size(), 1u);
}

TEST_F(BotTest, ExpiredDeadlineSendsNothing) {
    bot::Bot b(api_, options_, clock_);
    auto d = core::Deadline::after(std::chrono::seconds(1), clock_);
    clock_.advance(std::chrono::seconds(2));
    core::Status st = b.handle(text_update(1, kPrivate, "hi"), d);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, core::ErrorCode::Timeout);
    EXPECT_TRUE(api_.sent.empty());
}

TEST(AddressingTest, ParsesCommands) {
    auto c = bot::parse_command("/Help@Vecihi_bot  some args ");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->name, "help");
    EXPECT_EQ(c->target, "Vecihi_bot");
    EXPECT_EQ(c->args, "some args");
    EXPECT_FALSE(bot::parse_command("hello /start"));
    EXPECT_FALSE(bot::parse_command("/"));
    EXPECT_FALSE(bot::parse_command("/ start"));
    EXPECT_FALSE(bot::parse_command("/path/to/file"));
    auto bare = bot::parse_command("/start");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->target, "");
    EXPECT_EQ(bare->args, "");
}

TEST(AddressingTest, MentionsAreWholeWords) {
    EXPECT_TRUE(bot::mentions("@bot_x hi", "bot_x"));
    EXPECT_TRUE(bot::mentions("hi @BOT_X!", "bot_x"));
    EXPECT_FALSE(bot::mentions("hi @bot_xy", "bot_x"));
    EXPECT_FALSE(bot::mentions("a@bot_x", "bot_x"));
    EXPECT_FALSE(bot::mentions("hi", ""));
}

}  // namespace
