// The Moderator through bot::Bot: the whole strike ladder with a fake clock (decay included),
// exemptions (admins with their cache, the bot, anonymous admins), dry-run, dedupe of a retried
// update, edited messages, failed actions, group words, and persistence across a store reopen.
#include "bot/moderation/moderator.h"

#include <nlohmann/json.hpp>

#include "bot/moderation/moderation_fixture.h"

namespace mod_tests {
namespace {

using namespace std::chrono_literals;
using bot::moderation::ActionKind;

nlohmann::json detail(const store::AuditEntry& e) { return nlohmann::json::parse(e.detail); }

int64_t unix_now(const core::Clock& c) {
    return std::chrono::duration_cast<std::chrono::seconds>(c.wall_now().time_since_epoch())
        .count();
}

TEST_F(ModerationTest, TheWholeLadderWithDecay) {
    defaults_.enabled = true;
    // 1: a warning that quotes the message.
    ASSERT_TRUE(say(kUser, "you idiot"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].reply_to_message_id, std::optional<int64_t>(501));
    EXPECT_NE(last().find("@bob, this is a warning (harassment)"), std::string::npos) << last();
    EXPECT_NE(last().find("Next time: message deleted"), std::string::npos) << last();
    EXPECT_NE(last().find("/appeal"), std::string::npos);
    EXPECT_TRUE(api_.deleted.empty());

    // 2: deleted, and the warning no longer quotes it.
    clock_.advance(1h);
    ASSERT_TRUE(say(kUser, "m0r0n"));
    ASSERT_EQ(api_.deleted.size(), 1u);
    EXPECT_EQ(api_.deleted[0], std::make_pair(kGroup, int64_t{502}));
    EXPECT_FALSE(api_.sent.back().reply_to_message_id.has_value());
    EXPECT_NE(last().find("your message was removed (harassment)"), std::string::npos) << last();
    EXPECT_NE(last().find("Next time: muted for 1 hour"), std::string::npos) << last();

    // 3 and 4: muted for 1 h, then 24 h, with until_date from the clock.
    clock_.advance(1h);
    ASSERT_TRUE(say(kUser, "IDIOT"));
    ASSERT_EQ(api_.restricted.size(), 1u);
    EXPECT_EQ(api_.restricted[0].until, unix_now(clock_) + 3600);
    EXPECT_FALSE(api_.restricted[0].can_send);
    clock_.advance(2h);
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_EQ(api_.restricted.size(), 2u);
    EXPECT_EQ(api_.restricted[1].until, unix_now(clock_) + 86400);
    EXPECT_NE(last().find("Next time: banned"), std::string::npos) << last();

    // 5: banned; the explanation has no "next time".
    clock_.advance(25h);
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_EQ(api_.banned.size(), 1u);
    EXPECT_EQ(api_.banned[0], std::make_pair(kGroup, kUser));
    EXPECT_EQ(last().find("Next time"), std::string::npos) << last();
    EXPECT_EQ(api_.deleted.size(), 4u);

    auto d = decisions();
    ASSERT_EQ(d.size(), 5u);
    EXPECT_EQ(detail(d[0])["action"], "ban");
    EXPECT_EQ(detail(d[0])["strike"], 5);
    EXPECT_EQ(detail(d[4])["action"], "warn");
    EXPECT_EQ(detail(d[4])["category"], "harassment");
    EXPECT_EQ(detail(d[4])["excerpt"], "you idiot");
    EXPECT_EQ(detail(d[4])["scores"]["harassment"], 1.0);
    EXPECT_EQ(detail(d[2])["mute_s"], 3600);

    // Eight days later every strike has decayed (window 7 days): a warning again.
    clock_.advance(8 * 24h);
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_NE(last().find("this is a warning"), std::string::npos) << last();
}

TEST_F(ModerationTest, AStrikeOlderThanTheWindowNoLongerCounts) {
    defaults_.enabled = true;
    defaults_.strike_decay = 7 * 24h;
    ASSERT_TRUE(say(kUser, "idiot"));  // day 0: strike 1, warn
    clock_.advance(6 * 24h);
    ASSERT_TRUE(say(kUser, "idiot"));  // day 6: strike 2, delete
    EXPECT_EQ(api_.deleted.size(), 1u);
    clock_.advance(2 * 24h);
    ASSERT_TRUE(say(kUser, "idiot"));  // day 8: day 0 decayed, so 2 active: delete, not mute
    EXPECT_EQ(api_.deleted.size(), 2u);
    EXPECT_TRUE(api_.restricted.empty());
    EXPECT_EQ(detail(decisions()[0])["strike"], 2);
}

TEST_F(ModerationTest, CleanMessagesCostNoTelegramCall) {
    defaults_.enabled = true;
    ASSERT_TRUE(say(kUser, "good morning everyone"));
    ASSERT_TRUE(say(kUser, "the Scunthorpe idiotic-free zone"));
    EXPECT_TRUE(api_.sent.empty());
    EXPECT_TRUE(api_.member_calls.empty());
    EXPECT_TRUE(decisions().empty());
}

TEST_F(ModerationTest, AdminsAreExemptAndAskedOncePerCacheTtl) {
    defaults_.enabled = true;
    defaults_.admin_cache = 600s;
    ASSERT_TRUE(say(kAdmin, "idiot"));
    ASSERT_TRUE(say(kAdmin, "moron"));
    EXPECT_TRUE(api_.sent.empty());
    EXPECT_TRUE(api_.deleted.empty());
    EXPECT_EQ(api_.member_calls[kAdmin], 1);
    clock_.advance(601s);
    ASSERT_TRUE(say(kAdmin, "idiot"));
    EXPECT_EQ(api_.member_calls[kAdmin], 2);
    EXPECT_TRUE(store_->active_strikes(kGroup, kAdmin, clock_.wall_now(), 24h)->empty());
    auto d = decisions();
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(detail(d[0])["action"], "exempt");
    // The creator too.
    api_.status[kOther] = "creator";
    ASSERT_TRUE(say(kOther, "idiot"));
    EXPECT_TRUE(api_.sent.empty());
}

TEST_F(ModerationTest, TheBotAndAnonymousAdminsAreExempt) {
    defaults_.enabled = true;
    ASSERT_TRUE(say(api_.me.id, "idiot"));
    auto anon = group_text(1087968824, "idiot");  // GroupAnonymousBot, posting as the group
    anon.message->sender_chat = anon.message->chat;
    ASSERT_TRUE(handle(anon));
    EXPECT_TRUE(api_.sent.empty());
    EXPECT_TRUE(api_.member_calls.empty());
}

TEST_F(ModerationTest, DryRunAuditsWithoutActingOrStriking) {
    defaults_.enabled = true;
    defaults_.dry_run = true;
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_TRUE(api_.sent.empty());
    EXPECT_TRUE(api_.deleted.empty());
    EXPECT_TRUE(store_->active_strikes(kGroup, kUser, clock_.wall_now(), 24h)->empty());
    auto d = decisions();
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(detail(d[0])["dry_run"], true);
    EXPECT_EQ(detail(d[0])["action"], "warn");  // what a first offender would get
}

TEST_F(ModerationTest, ARetriedUpdateStrikesAndActsOnce) {
    defaults_.enabled = true;
    auto u = group_text(kUser, "idiot");
    ASSERT_TRUE(handle(u));
    ASSERT_TRUE(handle(u));  // Telegram's retry, or a crash before the update was marked done
    EXPECT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(store_->active_strikes(kGroup, kUser, clock_.wall_now(), 24h)->size(), 1u);
    EXPECT_EQ(decisions().size(), 1u);
    // A new update with the same text is a new offence.
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_EQ(api_.deleted.size(), 1u);
}

TEST_F(ModerationTest, EditedMessagesAreModeratedUnlessDisabled) {
    defaults_.enabled = true;
    auto u = group_text(kUser, "idiot");
    u.edited_message = u.message;
    u.edited_message->edit_date = 1'700'000'100;
    u.message.reset();
    ASSERT_TRUE(handle(u));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(detail(decisions()[0])["edited"], true);

    defaults_.moderate_edits = false;
    rebuild();
    auto v = group_text(kUser, "moron");
    v.edited_message = v.message;
    v.message.reset();
    ASSERT_TRUE(handle(v));
    EXPECT_EQ(api_.sent.size(), 1u);
}

TEST_F(ModerationTest, AMissingDeleteRightStillLeavesTheWarning) {
    defaults_.enabled = true;
    defaults_.ladder = bot::moderation::parse_ladder("delete").value();
    api_.delete_failures.push_back(http_error(400, "Bad Request: message can't be deleted"));
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_EQ(api_.sent.size(), 1u);
    EXPECT_EQ(api_.sent[0].reply_to_message_id, std::optional<int64_t>(501));  // still there
    auto d = detail(decisions()[0]);
    EXPECT_EQ(d["deleted"], false);
    ASSERT_EQ(d["failures"].size(), 1u);
    EXPECT_NE(d["failures"][0].get<std::string>().find("deleteMessage"), std::string::npos);
}

TEST_F(ModerationTest, AFailedSendIsReportedNotFatal) {
    defaults_.enabled = true;
    api_.send_failures.push_back(http_error(403, "Forbidden: bot was kicked"));
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_EQ(detail(decisions()[0])["failures"].size(), 1u);
}

TEST_F(ModerationTest, AdminStatusUnknownFailsTheUpdateWithoutStriking) {
    defaults_.enabled = true;
    api_.member_failures.push_back(core::Error(core::ErrorCode::Network, "connection reset"));
    core::Status st = say(kUser, "idiot");
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("admin"), std::string::npos);
    EXPECT_TRUE(store_->active_strikes(kGroup, kUser, clock_.wall_now(), 24h)->empty());
    EXPECT_TRUE(api_.sent.empty());
}

TEST_F(ModerationTest, OffByDefaultUntilAnAdminTurnsItOn) {
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_TRUE(api_.sent.empty());
    ASSERT_TRUE(say(kAdmin, "/mod on"));
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_NE(last().find("this is a warning"), std::string::npos) << last();
    ASSERT_TRUE(say(kAdmin, "/mod off"));
    size_t n = api_.sent.size();
    ASSERT_TRUE(say(kUser, "idiot"));
    EXPECT_EQ(api_.sent.size(), n);
}

TEST_F(ModerationTest, GroupWordsAreDecisiveWithTheirCategory) {
    defaults_.enabled = true;
    ASSERT_TRUE(say(kAdmin, "/mod words add spam cheapfollowers"));
    EXPECT_EQ(last(), "Added 'cheapfollowers' (spam).");
    ASSERT_TRUE(say(kUser, "buy CHEAPF0LL0WERS today"));
    EXPECT_NE(last().find("(spam)"), std::string::npos) << last();
    EXPECT_EQ(detail(decisions()[0])["group_words"][0], "cheapfollowers");
    ASSERT_TRUE(say(kAdmin, "/mod words remove cheapfollowers"));
    size_t n = api_.sent.size();
    ASSERT_TRUE(say(kUser, "buy cheapfollowers today"));
    EXPECT_EQ(api_.sent.size(), n);
}

TEST_F(ModerationTest, SettingsAndStrikesSurviveARestart) {
    auto path = std::filesystem::path(::testing::TempDir()) /
                ("lg_moderator_restart_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    store_ = std::move(store::SqliteStore::open({.path = path.string()}).value());
    ASSERT_TRUE(say(kAdmin, "/mod on"));
    ASSERT_TRUE(say(kAdmin, "/mod ladder warn,mute:2h"));
    auto first = group_text(kUser, "idiot");
    ASSERT_TRUE(handle(first));
    EXPECT_NE(last().find("Next time: muted for 2 hours"), std::string::npos) << last();

    bot_.reset();
    moderator_.reset();
    store_.reset();
    store_ = std::move(store::SqliteStore::open({.path = path.string()}).value());
    rebuild();
    // The update handled before the "crash" comes again: the file store still dedupes it.
    size_t sent = api_.sent.size();
    ASSERT_TRUE(handle(first));
    EXPECT_EQ(api_.sent.size(), sent);
    ASSERT_TRUE(say(kUser, "idiot"));
    ASSERT_EQ(api_.restricted.size(), 1u);
    EXPECT_EQ(api_.restricted[0].until, unix_now(clock_) + 7200);
    ASSERT_TRUE(say(kAdmin, "/strikes @bob"));
    EXPECT_NE(last().find("@bob has 2 active strikes"), std::string::npos) << last();
    bot_.reset();
    moderator_.reset();
    store_.reset();
    std::filesystem::remove(path);
}

}  // namespace
}  // namespace mod_tests
