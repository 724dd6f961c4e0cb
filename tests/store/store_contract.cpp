#include "store_contract.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace store_test {

using store::AuditEntry;
using store::Role;
using store::Seconds;
using store::Strike;
using store::Turn;
using store::UpdateState;

TempDir::TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "lg_store_XXXXXX").string();
    char* made = mkdtemp(templ.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
    path_ = made;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
}

std::string factory_name(const testing::TestParamInfo<StoreFactory>& info) {
    return info.param.name;
}

void StoreContract::SetUp() {
    store_ = GetParam().make(dir_.path());
    ASSERT_NE(store_, nullptr);
}

store::WallTime at(int64_t seconds) {
    return store::WallTime(std::chrono::seconds(1'700'000'000 + seconds));
}

namespace {

constexpr int64_t kBot = 777;
constexpr Seconds kLease{30};

// --- update dedupe --------------------------------------------------------------------------

TEST_P(StoreContract, FirstClaimWinsAndLaterClaimsLose) {
    ASSERT_OK_AND_ASSIGN(state0, s().update_state(kBot, 1));
    EXPECT_EQ(state0, UpdateState::None);
    ASSERT_OK_AND_ASSIGN(first, s().claim_update(kBot, 1, at(0), kLease));
    EXPECT_TRUE(first);
    ASSERT_OK_AND_ASSIGN(second, s().claim_update(kBot, 1, at(1), kLease));
    EXPECT_FALSE(second);
    ASSERT_OK_AND_ASSIGN(state1, s().update_state(kBot, 1));
    EXPECT_EQ(state1, UpdateState::Claimed);
    // Another bot's update with the same id is a different update.
    ASSERT_OK_AND_ASSIGN(other_bot, s().claim_update(kBot + 1, 1, at(1), kLease));
    EXPECT_TRUE(other_bot);
}

TEST_P(StoreContract, DoneUpdateIsNeverClaimedAgain) {
    ASSERT_OK_AND_ASSIGN(won, s().claim_update(kBot, 5, at(0), kLease));
    ASSERT_TRUE(won);
    ASSERT_OK(s().mark_update_done(kBot, 5, at(1)));
    ASSERT_OK(s().mark_update_done(kBot, 5, at(2)));  // idempotent
    ASSERT_OK_AND_ASSIGN(state, s().update_state(kBot, 5));
    EXPECT_EQ(state, UpdateState::Done);
    ASSERT_OK_AND_ASSIGN(later, s().claim_update(kBot, 5, at(3600), kLease));
    EXPECT_FALSE(later);
    ASSERT_OK(s().release_update(kBot, 5));  // a Done update stays Done
    ASSERT_OK_AND_ASSIGN(after_release, s().update_state(kBot, 5));
    EXPECT_EQ(after_release, UpdateState::Done);
}

TEST_P(StoreContract, MarkDoneWithoutClaimRecordsDone) {
    ASSERT_OK(s().mark_update_done(kBot, 9, at(0)));
    ASSERT_OK_AND_ASSIGN(state, s().update_state(kBot, 9));
    EXPECT_EQ(state, UpdateState::Done);
    ASSERT_OK_AND_ASSIGN(won, s().claim_update(kBot, 9, at(1), kLease));
    EXPECT_FALSE(won);
}

TEST_P(StoreContract, ExpiredLeaseCanBeReclaimed) {
    ASSERT_OK_AND_ASSIGN(first, s().claim_update(kBot, 2, at(0), kLease));
    ASSERT_TRUE(first);
    ASSERT_OK_AND_ASSIGN(still_held, s().claim_update(kBot, 2, at(29), kLease));
    EXPECT_FALSE(still_held);
    ASSERT_OK_AND_ASSIGN(expired, s().claim_update(kBot, 2, at(30), kLease));
    EXPECT_TRUE(expired) << "a lease ends at claim time + lease";
    ASSERT_OK_AND_ASSIGN(renewed, s().claim_update(kBot, 2, at(31), kLease));
    EXPECT_FALSE(renewed) << "the second claim starts a new lease";
    ASSERT_OK_AND_ASSIGN(again, s().claim_update(kBot, 2, at(60), kLease));
    EXPECT_TRUE(again);
}

TEST_P(StoreContract, ReleaseLetsTheNextClaimWinAtOnce) {
    ASSERT_OK(s().release_update(kBot, 3));  // unknown: no error
    ASSERT_OK_AND_ASSIGN(first, s().claim_update(kBot, 3, at(0), kLease));
    ASSERT_TRUE(first);
    ASSERT_OK(s().release_update(kBot, 3));
    ASSERT_OK_AND_ASSIGN(state, s().update_state(kBot, 3));
    EXPECT_EQ(state, UpdateState::None);
    ASSERT_OK_AND_ASSIGN(second, s().claim_update(kBot, 3, at(1), kLease));
    EXPECT_TRUE(second);
}

TEST_P(StoreContract, ConcurrentClaimsHaveExactlyOneWinnerPerUpdate) {
    constexpr int kThreads = 8;
    constexpr int kIds = 200;
    std::vector<std::atomic<int>> winners(kIds);
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kIds; ++i) {
                const int id = (i + t * 25) % kIds;  // threads start at different ids
                auto won = s().claim_update(kBot, id, at(0), kLease);
                if (!won) {
                    ++errors;
                } else if (*won) {
                    ++winners[static_cast<size_t>(id)];
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0);
    for (int id = 0; id < kIds; ++id) {
        EXPECT_EQ(winners[static_cast<size_t>(id)].load(), 1) << "update " << id;
    }
}

// --- history --------------------------------------------------------------------------------

TEST_P(StoreContract, HistoryKeepsOrderLimitAndRoundTripsFields) {
    ASSERT_OK_AND_ASSIGN(empty, s().recent_turns(10, 5));
    EXPECT_TRUE(empty.empty());
    const std::vector<Turn> turns = {
        {Role::System, "be brief", 2, at(0)},
        {Role::User, "héllo 👋 'quotes' \"and\"\nnewlines", 12, at(1)},
        {Role::Assistant, "", 0, at(2)},
        {Role::User, std::string("nul\0inside", 10), 3, at(3)},
    };
    for (const auto& t : turns) ASSERT_OK(s().append_turn(10, t));
    ASSERT_OK_AND_ASSIGN(all, s().recent_turns(10, 100));
    EXPECT_EQ(all, turns);
    ASSERT_OK_AND_ASSIGN(last2, s().recent_turns(10, 2));
    EXPECT_EQ(last2, std::vector<Turn>(turns.begin() + 2, turns.end()));
    ASSERT_OK_AND_ASSIGN(none, s().recent_turns(10, 0));
    EXPECT_TRUE(none.empty());
}

TEST_P(StoreContract, HistoryIsIsolatedBetweenChatsAndClearedPerChat) {
    ASSERT_OK(s().append_turn(1, Turn{Role::User, "in chat 1", 1, at(0)}));
    ASSERT_OK(s().append_turn(-100123, Turn{Role::User, "in a group", 1, at(1)}));
    ASSERT_OK(s().append_turn(1, Turn{Role::Assistant, "reply 1", 1, at(2)}));
    ASSERT_OK_AND_ASSIGN(chat1, s().recent_turns(1, 10));
    ASSERT_EQ(chat1.size(), 2u);
    EXPECT_EQ(chat1[0].text, "in chat 1");
    EXPECT_EQ(chat1[1].text, "reply 1");
    ASSERT_OK(s().clear_history(1));
    ASSERT_OK_AND_ASSIGN(cleared, s().recent_turns(1, 10));
    EXPECT_TRUE(cleared.empty());
    ASSERT_OK_AND_ASSIGN(group, s().recent_turns(-100123, 10));
    ASSERT_EQ(group.size(), 1u);
    EXPECT_EQ(group[0].text, "in a group");
    ASSERT_OK(s().clear_history(42));  // unknown chat: no error
}

TEST_P(StoreContract, TimesKeepMillisecondPrecision) {
    const auto t = at(5) + std::chrono::milliseconds(123);
    ASSERT_OK(s().append_turn(3, Turn{Role::User, "x", 1, t}));
    ASSERT_OK_AND_ASSIGN(turns, s().recent_turns(3, 1));
    ASSERT_EQ(turns.size(), 1u);
    EXPECT_EQ(turns[0].time, t);
}

// --- counters -------------------------------------------------------------------------------

TEST_P(StoreContract, CountersAddAndReturnTotalsPerKeyAndWindow) {
    const auto day1 = at(0);
    const auto day2 = at(86400);
    ASSERT_OK_AND_ASSIGN(zero, s().get_counter("tokens:chat:1", day1));
    EXPECT_EQ(zero, 0);
    ASSERT_OK_AND_ASSIGN(a, s().add_to_counter("tokens:chat:1", day1, 100, day2));
    EXPECT_EQ(a, 100);
    ASSERT_OK_AND_ASSIGN(b, s().add_to_counter("tokens:chat:1", day1, 50, day2));
    EXPECT_EQ(b, 150);
    ASSERT_OK_AND_ASSIGN(c, s().add_to_counter("tokens:chat:1", day1, -30, day2));
    EXPECT_EQ(c, 120);
    ASSERT_OK_AND_ASSIGN(other_window, s().add_to_counter("tokens:chat:1", day2, 7, at(2 * 86400)));
    EXPECT_EQ(other_window, 7);
    ASSERT_OK_AND_ASSIGN(other_key, s().add_to_counter("tokens:chat:2", day1, 1, day2));
    EXPECT_EQ(other_key, 1);
    ASSERT_OK_AND_ASSIGN(read_back, s().get_counter("tokens:chat:1", day1));
    EXPECT_EQ(read_back, 120);
}

TEST_P(StoreContract, ConcurrentCounterIncrementsSumExactly) {
    constexpr int kThreads = 8;
    constexpr int kAdds = 250;
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kAdds; ++i) {
                if (!s().add_to_counter("rate:user:42", at(0), t + 1, at(60))) ++errors;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0);
    ASSERT_OK_AND_ASSIGN(total, s().get_counter("rate:user:42", at(0)));
    EXPECT_EQ(total, kAdds * (kThreads * (kThreads + 1) / 2));
}

TEST_P(StoreContract, ExpiredCountersArePrunedAndLaterExpiryWins) {
    ASSERT_OK(s().add_to_counter("short", at(0), 1, at(60)));
    ASSERT_OK(s().add_to_counter("long", at(0), 1, at(60)));
    ASSERT_OK(s().add_to_counter("long", at(0), 1, at(600)));  // extends the expiry
    ASSERT_OK(s().add_to_counter("long", at(0), 1, at(30)));   // an earlier one does not shorten it
    ASSERT_OK_AND_ASSIGN(stats, s().prune(at(60), store::Retention{}));
    EXPECT_EQ(stats.counters, 1);
    ASSERT_OK_AND_ASSIGN(short_total, s().get_counter("short", at(0)));
    EXPECT_EQ(short_total, 0);
    ASSERT_OK_AND_ASSIGN(long_total, s().get_counter("long", at(0)));
    EXPECT_EQ(long_total, 3);
}

// --- settings -------------------------------------------------------------------------------

TEST_P(StoreContract, SettingsSetGetOverwriteDeleteAndList) {
    ASSERT_OK_AND_ASSIGN(absent, s().get_setting(-5, "moderation.enabled"));
    EXPECT_FALSE(absent.has_value());
    ASSERT_OK(s().set_setting(-5, "moderation.enabled", "true"));
    ASSERT_OK(s().set_setting(-5, "moderation.rules", "no spam\nno insults"));
    ASSERT_OK(s().set_setting(-5, "moderation.extra_words", ""));
    ASSERT_OK(s().set_setting(-6, "moderation.enabled", "false"));
    ASSERT_OK(s().set_setting(-5, "moderation.enabled", "false"));  // overwrite
    ASSERT_OK_AND_ASSIGN(enabled, s().get_setting(-5, "moderation.enabled"));
    EXPECT_EQ(enabled, std::optional<std::string>("false"));
    ASSERT_OK_AND_ASSIGN(empty_value, s().get_setting(-5, "moderation.extra_words"));
    EXPECT_EQ(empty_value, std::optional<std::string>(""));  // empty is not absent
    ASSERT_OK_AND_ASSIGN(all, s().list_settings(-5));
    EXPECT_EQ(all,
              (std::map<std::string, std::string>{{"moderation.enabled", "false"},
                                                  {"moderation.extra_words", ""},
                                                  {"moderation.rules", "no spam\nno insults"}}));
    ASSERT_OK(s().delete_setting(-5, "moderation.rules"));
    ASSERT_OK(s().delete_setting(-5, "never.set"));
    ASSERT_OK_AND_ASSIGN(deleted, s().get_setting(-5, "moderation.rules"));
    EXPECT_FALSE(deleted.has_value());
    ASSERT_OK_AND_ASSIGN(other_chat, s().list_settings(-6));
    EXPECT_EQ(other_chat.size(), 1u);
    ASSERT_OK_AND_ASSIGN(unknown_chat, s().list_settings(12345));
    EXPECT_TRUE(unknown_chat.empty());
}

// --- audit ----------------------------------------------------------------------------------

TEST_P(StoreContract, AuditIsNewestFirstLimitedAndPerChat) {
    ASSERT_OK(s().append_audit(-7, AuditEntry{at(10), 1, "moderation.decision", R"({"a":1})"}));
    ASSERT_OK(s().append_audit(-7, AuditEntry{at(5), 2, "moderation.decision", R"({"a":2})"}));
    ASSERT_OK(s().append_audit(-7, AuditEntry{at(20), 3, "settings.changed", R"({"a":3})"}));
    ASSERT_OK(s().append_audit(-7, AuditEntry{at(20), 4, "settings.changed", R"({"a":4})"}));
    ASSERT_OK(s().append_audit(-8, AuditEntry{at(30), 5, "other.chat", "{}"}));
    ASSERT_OK_AND_ASSIGN(all, s().recent_audit(-7, 10));
    ASSERT_EQ(all.size(), 4u);
    // By time, newest first; among equal times the later append first.
    EXPECT_EQ(all[0].user_id, 4);
    EXPECT_EQ(all[1].user_id, 3);
    EXPECT_EQ(all[2].user_id, 1);
    EXPECT_EQ(all[3].user_id, 2);
    EXPECT_EQ(all[3], (AuditEntry{at(5), 2, "moderation.decision", R"({"a":2})"}));
    ASSERT_OK_AND_ASSIGN(two, s().recent_audit(-7, 2));
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[1].user_id, 3);
    ASSERT_OK_AND_ASSIGN(none, s().recent_audit(99, 10));
    EXPECT_TRUE(none.empty());
}

// --- strikes --------------------------------------------------------------------------------

TEST_P(StoreContract, StrikesDecayAfterTheWindow) {
    const Seconds week{7 * 86400};
    ASSERT_OK(s().add_strike(-1, 42, at(0), "spam"));
    ASSERT_OK(s().add_strike(-1, 42, at(86400), "insult"));
    ASSERT_OK(s().add_strike(-1, 42, at(3 * 86400), "spam"));
    ASSERT_OK_AND_ASSIGN(day3, s().active_strikes(-1, 42, at(3 * 86400), week));
    EXPECT_EQ(day3, (std::vector<Strike>{
                        {at(0), "spam"}, {at(86400), "insult"}, {at(3 * 86400), "spam"}}));
    // Exactly one window after the first strike, it no longer counts.
    ASSERT_OK_AND_ASSIGN(day7, s().active_strikes(-1, 42, at(7 * 86400), week));
    EXPECT_EQ(day7.size(), 2u);
    ASSERT_OK_AND_ASSIGN(day7_before, s().active_strikes(-1, 42, at(7 * 86400 - 1), week));
    EXPECT_EQ(day7_before.size(), 3u);
    ASSERT_OK_AND_ASSIGN(day11, s().active_strikes(-1, 42, at(11 * 86400), week));
    EXPECT_TRUE(day11.empty());
    // A strike in the future of `now` is not active yet.
    ASSERT_OK_AND_ASSIGN(before_all, s().active_strikes(-1, 42, at(-1), week));
    EXPECT_TRUE(before_all.empty());
}

TEST_P(StoreContract, StrikesAreIsolatedDedupedAndCleared) {
    const Seconds day{86400};
    ASSERT_OK_AND_ASSIGN(first, s().add_strike(-1, 42, at(0), "spam", "update:100"));
    EXPECT_TRUE(first);
    ASSERT_OK_AND_ASSIGN(repeat, s().add_strike(-1, 42, at(1), "spam", "update:100"));
    EXPECT_FALSE(repeat) << "the same dedupe key strikes once";
    ASSERT_OK_AND_ASSIGN(other_key, s().add_strike(-1, 42, at(2), "spam", "update:101"));
    EXPECT_TRUE(other_key);
    ASSERT_OK_AND_ASSIGN(no_key1, s().add_strike(-1, 42, at(3), "spam"));
    ASSERT_OK_AND_ASSIGN(no_key2, s().add_strike(-1, 42, at(3), "spam"));
    EXPECT_TRUE(no_key1 && no_key2) << "without a key every strike counts";
    ASSERT_OK(s().add_strike(-1, 43, at(0), "spam", "update:100"));  // other user, same key
    ASSERT_OK(s().add_strike(-2, 42, at(0), "spam"));                // other chat
    ASSERT_OK_AND_ASSIGN(user42, s().active_strikes(-1, 42, at(10), day));
    EXPECT_EQ(user42.size(), 4u);
    ASSERT_OK_AND_ASSIGN(user43, s().active_strikes(-1, 43, at(10), day));
    EXPECT_EQ(user43.size(), 1u);
    ASSERT_OK(s().clear_strikes(-1, 42));
    ASSERT_OK_AND_ASSIGN(cleared, s().active_strikes(-1, 42, at(10), day));
    EXPECT_TRUE(cleared.empty());
    ASSERT_OK_AND_ASSIGN(other_chat, s().active_strikes(-2, 42, at(10), day));
    EXPECT_EQ(other_chat.size(), 1u);
    ASSERT_OK_AND_ASSIGN(after_clear, s().add_strike(-1, 42, at(11), "spam", "update:100"));
    EXPECT_TRUE(after_clear) << "clearing forgets the dedupe keys too";
}

// --- admin cache ----------------------------------------------------------------------------

TEST_P(StoreContract, AdminCacheExpires) {
    ASSERT_OK_AND_ASSIGN(absent, s().cached_admin(-1, 42, at(0)));
    EXPECT_FALSE(absent.has_value());
    ASSERT_OK(s().cache_admin(-1, 42, true, at(600)));
    ASSERT_OK(s().cache_admin(-1, 43, false, at(600)));
    ASSERT_OK_AND_ASSIGN(fresh, s().cached_admin(-1, 42, at(599)));
    EXPECT_EQ(fresh, std::optional<bool>(true));
    ASSERT_OK_AND_ASSIGN(not_admin, s().cached_admin(-1, 43, at(0)));
    EXPECT_EQ(not_admin, std::optional<bool>(false));
    ASSERT_OK_AND_ASSIGN(expired, s().cached_admin(-1, 42, at(600)));
    EXPECT_FALSE(expired.has_value());
    ASSERT_OK(s().cache_admin(-1, 42, false, at(1200)));  // overwrite
    ASSERT_OK_AND_ASSIGN(updated, s().cached_admin(-1, 42, at(700)));
    EXPECT_EQ(updated, std::optional<bool>(false));
    ASSERT_OK_AND_ASSIGN(other_chat, s().cached_admin(-2, 42, at(0)));
    EXPECT_FALSE(other_chat.has_value());
}

// --- prune ----------------------------------------------------------------------------------

TEST_P(StoreContract, PruneRemovesWhatRetentionNoLongerKeeps) {
    store::Retention r;
    r.updates = Seconds{3600};
    r.audit = Seconds{7200};
    r.strikes = Seconds{7200};
    r.history_turns_per_chat = 2;
    ASSERT_OK(s().claim_update(kBot, 1, at(0), kLease));
    ASSERT_OK(s().mark_update_done(kBot, 2, at(0)));
    ASSERT_OK(s().mark_update_done(kBot, 3, at(5000)));
    for (int i = 0; i < 5; ++i) {
        ASSERT_OK(s().append_turn(1, Turn{Role::User, "t" + std::to_string(i), 1, at(i)}));
    }
    ASSERT_OK(s().append_turn(2, Turn{Role::User, "only", 1, at(0)}));
    ASSERT_OK(s().append_audit(1, AuditEntry{at(0), 1, "old", "{}"}));
    ASSERT_OK(s().append_audit(1, AuditEntry{at(5000), 1, "new", "{}"}));
    ASSERT_OK(s().add_strike(1, 1, at(0), "old"));
    ASSERT_OK(s().add_strike(1, 1, at(5000), "new"));
    ASSERT_OK(s().cache_admin(1, 1, true, at(100)));
    ASSERT_OK(s().cache_admin(1, 2, true, at(100000)));

    ASSERT_OK_AND_ASSIGN(stats, s().prune(at(8000), r));
    EXPECT_EQ(stats.updates, 2);
    EXPECT_EQ(stats.turns, 3);
    EXPECT_EQ(stats.audit, 1);
    EXPECT_EQ(stats.strikes, 1);
    EXPECT_EQ(stats.admin_cache, 1);
    EXPECT_EQ(stats.counters, 0);

    ASSERT_OK_AND_ASSIGN(u1, s().update_state(kBot, 1));
    EXPECT_EQ(u1, UpdateState::None);
    ASSERT_OK_AND_ASSIGN(u3, s().update_state(kBot, 3));
    EXPECT_EQ(u3, UpdateState::Done);
    ASSERT_OK_AND_ASSIGN(chat1, s().recent_turns(1, 10));
    ASSERT_EQ(chat1.size(), 2u);
    EXPECT_EQ(chat1[0].text, "t3");
    EXPECT_EQ(chat1[1].text, "t4");
    ASSERT_OK_AND_ASSIGN(chat2, s().recent_turns(2, 10));
    EXPECT_EQ(chat2.size(), 1u);
    ASSERT_OK_AND_ASSIGN(audit, s().recent_audit(1, 10));
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].kind, "new");
    ASSERT_OK_AND_ASSIGN(strikes, s().active_strikes(1, 1, at(8000), Seconds{100000}));
    ASSERT_EQ(strikes.size(), 1u);
    EXPECT_EQ(strikes[0].category, "new");

    ASSERT_OK_AND_ASSIGN(again, s().prune(at(8000), r));
    EXPECT_EQ(again.updates + again.turns + again.audit + again.strikes + again.admin_cache, 0);
}

}  // namespace
}  // namespace store_test
