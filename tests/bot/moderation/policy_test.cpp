#include "bot/moderation/policy.h"

#include <gtest/gtest.h>

#include <string>

#include "core/config.h"

namespace bot::moderation {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

LadderStep mute(seconds s) { return LadderStep{ActionKind::Mute, s}; }
constexpr LadderStep kWarn{ActionKind::Warn, {}};
constexpr LadderStep kDelete{ActionKind::Delete, {}};
constexpr LadderStep kBan{ActionKind::Ban, {}};

TEST(Policy, DefaultLadderParses) {
    auto l = parse_ladder(kDefaultLadder);
    ASSERT_TRUE(l) << l.error().message;
    const Ladder want = {kWarn, kDelete, mute(hours(1)), mute(hours(24)), kBan};
    EXPECT_EQ(*l, want);
    // Durations are written in the largest whole unit.
    EXPECT_EQ(format_ladder(*l), "warn,delete,mute:1h,mute:1d,ban");
    // The configuration's default is the same ladder.
    auto cfg = parse_ladder(core::default_config().moderation.ladder);
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(*cfg, want);
}

struct GoodCase {
    const char* text;
    Ladder want;
    const char* formatted;
};

TEST(Policy, GoodLadders) {
    const GoodCase cases[] = {
        {"ban", {kBan}, "ban"},
        {" warn , delete ", {kWarn, kDelete}, "warn,delete"},
        {"WARN,Mute:30m", {kWarn, mute(minutes(30))}, "warn,mute:30m"},
        {"mute:90m", {mute(minutes(90))}, "mute:90m"},
        {"mute:120m", {mute(hours(2))}, "mute:2h"},
        {"mute:48h", {mute(hours(48))}, "mute:2d"},
        {"mute:366d", {mute(hours(366 * 24))}, "mute:366d"},
        {"mute: 5h", {mute(hours(5))}, "mute:5h"},
        {"mute:05m", {mute(minutes(5))}, "mute:5m"},
        {"warn,warn,warn,warn,warn,warn,warn,warn,warn,ban",
         {kWarn, kWarn, kWarn, kWarn, kWarn, kWarn, kWarn, kWarn, kWarn, kBan},
         "warn,warn,warn,warn,warn,warn,warn,warn,warn,ban"},
    };
    for (const auto& c : cases) {
        auto l = parse_ladder(c.text);
        ASSERT_TRUE(l) << c.text << ": " << l.error().message;
        EXPECT_EQ(*l, c.want) << c.text;
        EXPECT_EQ(format_ladder(*l), c.formatted) << c.text;
        auto again = parse_ladder(format_ladder(*l));
        ASSERT_TRUE(again) << c.text;
        EXPECT_EQ(*again, *l) << c.text;
    }
}

struct BadCase {
    const char* text;
    const char* error_part;
};

TEST(Policy, BadLaddersSayWhatIsWrong) {
    const BadCase cases[] = {
        {"", "1 to 10 comma-separated steps"},
        {"   ", "1 to 10 comma-separated steps"},
        {"warn,warn,warn,warn,warn,warn,warn,warn,warn,warn,ban", "1 to 10"},
        {"warn,kick", "unknown step \"kick\""},
        {"warn,,ban", "unknown step \"\""},
        {"warn,", "unknown step \"\""},
        {"mute", "unknown step \"mute\""},
        {"mute:", "unknown step \"mute:\""},
        {"mute:1", "unknown step \"mute:1\""},
        {"mute:1s", "unknown step \"mute:1s\""},
        {"mute:0h", "unknown step \"mute:0h\""},
        {"mute:-1h", "unknown step \"mute:-1h\""},
        {"mute:1.5h", "unknown step \"mute:1.5h\""},
        {"mute:h", "unknown step \"mute:h\""},
        {"mute:527041m", "unknown step \"mute:527041m\""},
        {"mute 1h", "unknown step \"mute 1h\""},
    };
    for (const auto& c : cases) {
        auto l = parse_ladder(c.text);
        ASSERT_FALSE(l) << c.text;
        EXPECT_EQ(l.error().code, core::ErrorCode::InvalidArgument) << c.text;
        EXPECT_NE(l.error().message.find(c.error_part), std::string::npos)
            << c.text << ": " << l.error().message;
        // Every error shows the format.
        EXPECT_NE(l.error().message.find("warn,delete,mute:1h,mute:24h,ban"), std::string::npos)
            << l.error().message;
    }
}

// Whatever `config check` accepts for moderation.ladder, the moderator can run, and the other way
// round for the strict grammar both share.
TEST(Policy, AgreesWithTheConfigCheck) {
    const char* texts[] = {"warn",
                           "delete,ban",
                           "mute:1m",
                           "mute:527040m",
                           "mute:8784h",
                           "mute: 2d",
                           "warn , ban",
                           "mute:1x",
                           "kick",
                           "",
                           "warn,",
                           "mute:0d",
                           "warn,warn,warn,warn,warn,warn,warn,warn,warn,warn,warn"};
    const core::ConfigKey* key = core::find_config_key("moderation.ladder");
    ASSERT_NE(key, nullptr);
    for (const char* t : texts) {
        core::Config cfg = core::default_config();
        const bool config_ok = !key->apply(t, cfg).has_value();
        EXPECT_EQ(parse_ladder(t).has_value(), config_ok) << t;
    }
}

TEST(Policy, StepForStrikeRepeatsTheLastStep) {
    auto l = parse_ladder("warn,delete,mute:1h");
    ASSERT_TRUE(l);
    EXPECT_EQ(step_for_strike(*l, 1), kWarn);
    EXPECT_EQ(step_for_strike(*l, 2), kDelete);
    EXPECT_EQ(step_for_strike(*l, 3), mute(hours(1)));
    EXPECT_EQ(step_for_strike(*l, 4), mute(hours(1)));
    EXPECT_EQ(step_for_strike(*l, 1000), mute(hours(1)));
    EXPECT_EQ(step_for_strike(*l, 0), kWarn);  // treated as the first strike
    EXPECT_EQ(step_for_strike(Ladder{}, 3), kWarn);
}

TEST(Policy, DescribeStep) {
    EXPECT_EQ(describe_step(kWarn), "a warning");
    EXPECT_EQ(describe_step(kDelete), "message deleted");
    EXPECT_EQ(describe_step(kBan), "banned");
    EXPECT_EQ(describe_step(mute(hours(1))), "muted for 1 hour");
    EXPECT_EQ(describe_step(mute(hours(24))), "muted for 1 day");
    EXPECT_EQ(describe_step(mute(hours(5))), "muted for 5 hours");
    EXPECT_EQ(describe_step(mute(minutes(1))), "muted for 1 minute");
    EXPECT_EQ(describe_step(mute(minutes(90))), "muted for 90 minutes");
    EXPECT_EQ(describe_step(mute(hours(72))), "muted for 3 days");
    EXPECT_STREQ(action_kind_name(ActionKind::Mute), "mute");
    EXPECT_STREQ(action_kind_name(ActionKind::Delete), "delete");
}

TEST(Policy, ExplainActionNamesCategoryNextStepAndAppeal) {
    EXPECT_EQ(explain_action(kDelete, Category::Harassment, mute(hours(1)), "@bob"),
              "@bob, your message was removed (harassment). Next time: muted for 1 hour. If this "
              "is a mistake, reply /appeal.");
    const std::string warn = explain_action(kWarn, Category::Spam, kDelete, "Ayşe");
    EXPECT_EQ(warn.rfind("Ayşe, this is a warning (spam).", 0), 0u) << warn;
    EXPECT_NE(warn.find("Next time: message deleted."), std::string::npos) << warn;
    const std::string m = explain_action(mute(hours(24)), Category::Hate, kBan, "@x");
    EXPECT_NE(m.find("muted for 1 day"), std::string::npos) << m;
    EXPECT_NE(m.find("(hate)"), std::string::npos) << m;
    EXPECT_NE(m.find("Next time: banned."), std::string::npos) << m;
    const std::string ban = explain_action(kBan, Category::Violence, std::nullopt, "@x");
    EXPECT_EQ(ban.find("Next time"), std::string::npos) << ban;
    EXPECT_NE(ban.find("banned"), std::string::npos) << ban;
    EXPECT_NE(ban.find("/appeal"), std::string::npos) << ban;
}

}  // namespace
}  // namespace bot::moderation
