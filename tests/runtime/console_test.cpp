#include "runtime/console.h"

#include <gtest/gtest.h>

#include <sstream>

#include "bot/bot.h"

namespace {

// Runs the console over `input` with the real bot and returns everything it printed.
std::string run(const std::string& input, bool echo = false) {
    std::istringstream in(input);
    std::ostringstream out;
    core::FakeClock clock;
    runtime::ConsoleBotApi api(out, runtime::console_bot_user("Vecihi"));
    bot::BotOptions opts;
    opts.echo = echo;
    opts.me = api.me();
    bot::Bot bot(api, opts, clock);
    int code = runtime::run_console(in, out, bot, api, clock, {});
    EXPECT_EQ(code, 0);
    return out.str();
}

size_t count(const std::string& s, const std::string& needle) {
    size_t n = 0;
    for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

TEST(ConsoleTest, PrivateChatShowsTheBotsCalls) {
    std::string out = run("hello\n/start\n");
    EXPECT_NE(out.find("you are alice in a private chat with @vecihi_bot"), std::string::npos);
    EXPECT_NE(out.find("alice: hello"), std::string::npos);
    EXPECT_EQ(count(out, "bot -> sendMessage(chat=1001 (private chat with alice))"), 2u) << out;
    EXPECT_NE(out.find("no model configured yet"), std::string::npos);
    EXPECT_NE(out.find("| /help"), std::string::npos) << out;
    EXPECT_NE(out.find("bye"), std::string::npos);
}

TEST(ConsoleTest, GroupStaysSilentUnlessAddressed) {
    std::string out = run("/group\nhi all\n@vecihi_bot ping\n", true);
    EXPECT_NE(out.find("(the bot stays silent)"), std::string::npos) << out;
    EXPECT_EQ(count(out, "bot -> sendMessage"), 1u) << out;
    EXPECT_NE(out.find("group \"Console group\"), reply_to=#"), std::string::npos) << out;
    EXPECT_NE(out.find("| Echoed: @vecihi_bot ping"), std::string::npos) << out;
}

TEST(ConsoleTest, ReplyToTheBotAddressesIt) {
    std::string out = run("/group\n/start\n/reply thanks\n/reply\n", true);
    EXPECT_NE(out.find("| Echoed: thanks"), std::string::npos) << out;
}

TEST(ConsoleTest, AsSwitchesUserAndPrivateChat) {
    std::string out = run("/as bob\nhi\n/as\n/private\n/quit\nnot read\n", true);
    EXPECT_NE(out.find("bob: hi"), std::string::npos);
    EXPECT_NE(out.find("chat=1002 (private chat with bob)"), std::string::npos) << out;
    EXPECT_NE(out.find("usage: /as NAME"), std::string::npos);
    EXPECT_EQ(out.find("not read"), std::string::npos);
}

TEST(ConsoleTest, EndOfInputEndsTheSession) {
    std::string out = run("");
    EXPECT_NE(out.find("bye"), std::string::npos);
}

TEST(ConsoleBotApiTest, PrintsModerationCalls) {
    std::ostringstream out;
    runtime::ConsoleBotApi api(out, runtime::console_bot_user("Mod Bot!"));
    EXPECT_EQ(api.me().username, std::optional<std::string>("modbot_bot"));
    auto d = core::Deadline::never();
    ASSERT_TRUE(api.delete_message(-5, 3, d));
    ASSERT_TRUE(api.ban_chat_member(-5, 9, 0, true, d));
    ASSERT_TRUE(api.restrict_chat_member(-5, 9, telegram::ChatPermissions::none(), 100, d));
    EXPECT_NE(out.str().find("deleteMessage(chat=-5, message=#3)"), std::string::npos);
    EXPECT_NE(out.str().find("banChatMember(chat=-5, user=9, until=forever"), std::string::npos);
    EXPECT_NE(out.str().find("can_send_messages=false, until=100"), std::string::npos) << out.str();
    EXPECT_EQ(api.calls(), 3);
}

}  // namespace
