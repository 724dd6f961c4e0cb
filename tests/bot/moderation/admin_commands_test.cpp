// The moderation commands through bot::Bot: every /mod form, /strikes, /forgive, /modlog and
// /appeal, the refusal for non-admins, the admin cache, and commands for other bots.
#include "bot/moderation/admin_commands.h"

#include "bot/moderation/moderation_fixture.h"

namespace mod_tests {
namespace {

using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST_F(ModerationTest, NonAdminsAreRefusedEveryAdminCommand) {
    for (const char* cmd :
         {"/mod", "/mod on", "/mod words add x", "/strikes @bob", "/forgive @bob", "/modlog"}) {
        ASSERT_TRUE(say(kUser, cmd)) << cmd;
        EXPECT_TRUE(has(last(), "Only the group's admins can use /")) << cmd << ": " << last();
    }
    EXPECT_FALSE(store_->get_setting(kGroup, bot::moderation::kKeyEnabled).value());
    // One getChatMember for all of them: the answer is cached.
    EXPECT_EQ(api_.member_calls[kUser], 1);
}

TEST_F(ModerationTest, ModStatusShowsTheSettings) {
    ASSERT_TRUE(say(kAdmin, "/mod"));
    std::string s = last();
    EXPECT_TRUE(has(s, "Moderation: off")) << s;
    EXPECT_TRUE(has(s, "Ladder: warn,delete,mute:1h,mute:1d,ban")) << s;
    EXPECT_TRUE(has(s, "strikes count for 7d")) << s;
    EXPECT_TRUE(has(s, "Classifier: none (word lists only)")) << s;
    EXPECT_FALSE(has(s, "I need admin rights")) << s;  // the bot is an admin with the rights
    api_.status[api_.me.id] = "member";
    ASSERT_TRUE(say(kAdmin, "/mod status"));
    EXPECT_TRUE(has(last(), "I need admin rights")) << last();
}

TEST_F(ModerationTest, ModSubcommandsChangeAndValidateSettings) {
    struct Case {
        const char* cmd;
        const char* reply_part;
    };
    for (const Case& c : std::vector<Case>{
             {"/mod on", "Moderation is on"},
             {"/mod dryrun on", "Dry run: decisions are logged"},
             {"/mod dryrun maybe", "Use /mod dryrun on"},
             {"/mod threshold 0.65", "Threshold set to 0.65."},
             {"/mod threshold 1.5", "above 0 and at most 1"},
             {"/mod threshold abc", "above 0 and at most 1"},
             {"/mod rules No politics. No links to casinos.", "Rules saved"},
             {"/mod rules", "Rules: No politics. No links to casinos."},
             {"/mod ladder warn, mute:30m ,ban", "Ladder set: warn,mute:30m,ban."},
             {"/mod ladder warn,explode", "does not parse"},
             {"/mod lang tr", "Language set to tr."},
             {"/mod lang 12", "Use a language code"},
             {"/mod decay 72h", "Strikes now count for 3d."},
             {"/mod decay forever", "Use hours or days"},
             {"/mod frobnicate", "/mod on|off"},
         }) {
        ASSERT_TRUE(say(kAdmin, c.cmd)) << c.cmd;
        EXPECT_TRUE(has(last(), c.reply_part)) << c.cmd << " -> " << last();
    }
    auto s = moderator_->settings(kGroup).value();
    EXPECT_TRUE(s.enabled);
    EXPECT_TRUE(s.dry_run);
    EXPECT_DOUBLE_EQ(s.threshold, 0.65);
    EXPECT_EQ(s.rules, "No politics. No links to casinos.");
    EXPECT_EQ(bot::moderation::format_ladder(s.ladder), "warn,mute:30m,ban");
    EXPECT_EQ(s.lang, "tr");
    EXPECT_EQ(s.strike_decay, 72h);
    ASSERT_TRUE(say(kAdmin, "/mod"));
    EXPECT_TRUE(has(last(), "Moderation: on (dry run)")) << last();
    ASSERT_TRUE(say(kAdmin, "/mod rules clear"));
    EXPECT_EQ(moderator_->settings(kGroup)->rules, "");
    // Every change is audited with who made it.
    auto audit = store_->recent_audit(kGroup, 1).value();
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].kind, bot::moderation::kSettingsKind);
    EXPECT_TRUE(has(audit[0].detail, "@boss")) << audit[0].detail;
}

TEST_F(ModerationTest, ModWordsListAddRemove) {
    ASSERT_TRUE(say(kAdmin, "/mod words"));
    EXPECT_TRUE(has(last(), "No extra words")) << last();
    ASSERT_TRUE(say(kAdmin, "/mod words add fiddlesticks"));
    EXPECT_EQ(last(), "Added 'fiddlesticks' (harassment).");
    ASSERT_TRUE(say(kAdmin, "/mod words add hate"));  // a category name alone is a word
    EXPECT_EQ(last(), "Added 'hate' (harassment).");
    ASSERT_TRUE(say(kAdmin, "/mod words"));
    EXPECT_EQ(last(), "Extra words:\nfiddlesticks (harassment)\nhate (harassment)");
    ASSERT_TRUE(say(kAdmin, "/mod words remove nothing"));
    EXPECT_TRUE(has(last(), "is not an extra word")) << last();
    ASSERT_TRUE(say(kAdmin, "/mod words remove FIDDLESTICKS"));
    EXPECT_EQ(moderator_->settings(kGroup)->words.size(), 1u);
    ASSERT_TRUE(say(kAdmin, "/mod words add ..."));
    EXPECT_TRUE(has(last(), "I can't use")) << last();
    ASSERT_TRUE(say(kAdmin, "/mod words delete x"));
    EXPECT_TRUE(has(last(), "Use /mod words add")) << last();
}

TEST_F(ModerationTest, StrikesByUsernameReplyAndId) {
    defaults_.enabled = true;
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_TRUE(say(kAdmin, "/strikes @Bob"));
    EXPECT_TRUE(has(last(), "@Bob has 1 active strike (a strike counts for 7d):")) << last();
    EXPECT_TRUE(has(last(), "harassment")) << last();
    EXPECT_TRUE(has(last(), "Next: message deleted.")) << last();

    ASSERT_TRUE(say(kAdmin, "/strikes @nobody"));
    EXPECT_TRUE(has(last(), "I don't know @nobody yet")) << last();

    auto reply = group_text(kAdmin, "/strikes");
    auto target = group_text(kUser, "something");
    reply.message->reply_to_message = std::make_shared<telegram::Message>(*target.message);
    ASSERT_TRUE(handle(reply));
    EXPECT_TRUE(has(last(), "@bob has 1 active strike")) << last();

    ASSERT_TRUE(say(kAdmin, "/strikes 7"));
    EXPECT_TRUE(has(last(), "user 7 has 1 active strike")) << last();
    ASSERT_TRUE(say(kAdmin, "/strikes 8"));
    EXPECT_TRUE(has(last(), "user 8 has no active strikes")) << last();
    ASSERT_TRUE(say(kAdmin, "/strikes"));
    EXPECT_TRUE(has(last(), "Say whom")) << last();
}

TEST_F(ModerationTest, ForgiveClearsStrikes) {
    defaults_.enabled = true;
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_TRUE(say(kAdmin, "/forgive @bob"));
    EXPECT_TRUE(has(last(), "Forgiven: 2 active strikes of @bob cleared")) << last();
    EXPECT_TRUE(store_->active_strikes(kGroup, kUser, clock_.wall_now(), 24h)->empty());
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_TRUE(has(last(), "this is a warning")) << last();  // back to the first step
    ASSERT_TRUE(say(kAdmin, "/forgive @carol"));
    EXPECT_TRUE(has(last(), "I don't know @carol")) << last();
}

TEST_F(ModerationTest, ModlogListsDecisionsNewestFirst) {
    ASSERT_TRUE(say(kAdmin, "/modlog"));
    EXPECT_EQ(last(), "No moderation decisions yet.");
    defaults_.enabled = true;
    rebuild();
    ASSERT_TRUE(say(kUser, "idiot"));
    clock_.advance(1min);
    ASSERT_TRUE(say(kOther, "moron"));
    clock_.advance(1min);
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_TRUE(say(kAdmin, "/mod threshold 0.9"));  // settings changes are not decisions
    ASSERT_TRUE(say(kAdmin, "/modlog"));
    EXPECT_EQ(last(),
              "Last 3 decisions (newest first):\n"
              "11-14 22:15 @bob harassment -> delete (strike 2)\n"
              "11-14 22:14 @carol harassment -> warn (strike 1)\n"
              "11-14 22:13 @bob harassment -> warn (strike 1)");
    ASSERT_TRUE(say(kAdmin, "/modlog 1"));
    EXPECT_EQ(last(),
              "Last 1 decision (newest first):\n"
              "11-14 22:15 @bob harassment -> delete (strike 2)");
}

TEST_F(ModerationTest, AppealReachesTheAdminsOncePerDecision) {
    defaults_.enabled = true;
    ASSERT_TRUE(say(kUser, "/appeal"));
    EXPECT_EQ(last(), "@bob, there is no decision about you to appeal.");
    ASSERT_TRUE(say(kAdmin, "/mod"));  // the admin becomes known to the bot
    ASSERT_TRUE(say(kUser, "you idiot"));
    ASSERT_TRUE(say(kUser, "/appeal"));
    EXPECT_TRUE(has(last(), "@bob, your appeal is with the admins (@boss)")) << last();
    EXPECT_TRUE(has(last(), "/forgive @bob")) << last();
    auto private_texts = api_.texts(kAdmin);
    ASSERT_EQ(private_texts.size(), 1u);
    EXPECT_TRUE(has(private_texts[0], "Appeal in Test group: @bob asks you to review"))
        << private_texts[0];
    EXPECT_TRUE(has(private_texts[0], "harassment -> warn (strike 1)")) << private_texts[0];
    EXPECT_TRUE(has(private_texts[0], "Message: \"you idiot\"")) << private_texts[0];

    ASSERT_TRUE(say(kUser, "/appeal"));
    EXPECT_TRUE(has(last(), "you already appealed this decision")) << last();
    EXPECT_EQ(api_.texts(kAdmin).size(), 1u);
    // An admin who never started the bot cannot get a private message: the appeal still goes on.
    clock_.advance(1min);
    ASSERT_TRUE(say(kUser, "idiot"));
    api_.send_failures.push_back(http_error(403, "Forbidden: bot can't initiate conversation"));
    ASSERT_TRUE(say(kUser, "/appeal"));
    EXPECT_TRUE(has(last(), "your appeal is with the admins")) << last();
    EXPECT_EQ(store_->recent_audit(kGroup, 1)->at(0).kind, bot::moderation::kAppealKind);
}

TEST_F(ModerationTest, CommandsForOtherBotsAndPrivateChatsAreNotRun) {
    ASSERT_TRUE(say(kAdmin, "/mod@otherbot on"));
    EXPECT_TRUE(api_.sent.empty());
    EXPECT_FALSE(moderator_->settings(kGroup)->enabled);
    ASSERT_TRUE(say(kAdmin, "/mod@vecihi_bot on"));
    EXPECT_TRUE(moderator_->settings(kGroup)->enabled);

    auto priv = group_text(kAdmin, "/mod on");
    priv.message->chat.id = kAdmin;
    priv.message->chat.type = "private";
    ASSERT_TRUE(handle(priv));
    EXPECT_EQ(api_.texts(kAdmin).back(), bot::moderation::kGroupsOnlyText);
}

TEST_F(ModerationTest, AnonymousAdminsCanUseAdminCommands) {
    auto anon = group_text(1087968824, "/mod on");
    anon.message->sender_chat = anon.message->chat;
    ASSERT_TRUE(handle(anon));
    EXPECT_TRUE(has(last(), "Moderation is on")) << last();
    EXPECT_TRUE(api_.member_calls.empty());
}

}  // namespace
}  // namespace mod_tests
