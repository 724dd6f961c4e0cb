// A group's moderation settings (what its admins set with /mod, over the configuration's
// defaults), the users and admins the moderator has seen there (for @username lookups and
// /appeal), and the cached "is this user an admin?" answer, all kept in the store per group.
//   GroupSettings s = load_group_settings(store, chat_id, defaults).value();
//   if (s.enabled) ... s.threshold, s.ladder, s.rules, s.words ...
//   AdminCheck admins(api, store, clock, std::chrono::seconds(600));
//   core::Result<bool> is_admin = admins.is_admin(chat_id, user_id, deadline);
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/moderation/lexicon.h"
#include "bot/moderation/policy.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"
#include "telegram/bot_api.h"

namespace bot::moderation {

// The configuration's moderation.* values: every group starts from these.
struct ModerationDefaults {
    bool enabled = false;  // groups whose admins never ran /mod on|off
    bool dry_run = false;
    double threshold = 0.8;
    Ladder ladder;  // empty: kDefaultLadder
    std::chrono::seconds strike_decay{std::chrono::hours(168)};
    std::string lang = "en";
    bool skip_trivial = true;
    bool moderate_edits = true;
    std::chrono::seconds admin_cache{600};
};

// One extra word of a group (/mod words add [category] WORD...): decisive, weight 1.
struct GroupWord {
    Category category = Category::Harassment;
    std::string term;
    bool operator==(const GroupWord&) const = default;
};

struct GroupSettings {
    bool enabled = false;
    bool dry_run = false;
    double threshold = 0.8;
    Ladder ladder;
    std::chrono::seconds strike_decay{0};
    std::string lang;
    std::string rules;             // appended to the classifier's instructions
    std::vector<GroupWord> words;  // checked before the shared lexicon
};

// Store keys ("mod.*" settings of the group's chat id).
inline constexpr std::string_view kKeyEnabled = "mod.enabled";      // "on" | "off"
inline constexpr std::string_view kKeyDryRun = "mod.dry_run";       // "on" | "off"
inline constexpr std::string_view kKeyThreshold = "mod.threshold";  // "0.8"
inline constexpr std::string_view kKeyLadder = "mod.ladder";        // format_ladder()
inline constexpr std::string_view kKeyDecay = "mod.decay_s";        // seconds
inline constexpr std::string_view kKeyLang = "mod.lang";            // "tr"
inline constexpr std::string_view kKeyRules = "mod.rules";          // free text
inline constexpr std::string_view kKeyWords = "mod.words";          // "category\tterm" lines
inline constexpr std::string_view kUserPrefix = "mod.user.";        // + lower-case username -> id
inline constexpr std::string_view kAdminPrefix = "mod.admin.";      // + user id -> display name
inline constexpr std::string_view kAppealPrefix = "mod.appeal.";    // + user id -> decision ms

// The group's settings: its stored values over `defaults`. A stored value that no longer parses
// (edited by hand) falls back to the default with a warning in the log.
core::Result<GroupSettings> load_group_settings(store::Store& store, int64_t chat_id,
                                                const ModerationDefaults& defaults);

std::string format_words(const std::vector<GroupWord>& words);
std::vector<GroupWord> parse_words(std::string_view stored);

// "@bob" when the user has a username, else the first name.
std::string display_name(const telegram::User& user);

// Remembers `user`'s id under their username in the group, so /strikes @bob works; writes only
// when the mapping changed since this process last wrote it.
class KnownUsers {
public:
    explicit KnownUsers(store::Store& store) : store_(store) {}
    core::Status remember(int64_t chat_id, const telegram::User& user);
    // The id of @username ("@" optional, any case) in the group, or nullopt when never seen.
    core::Result<std::optional<int64_t>> find(int64_t chat_id, std::string_view username);

private:
    store::Store& store_;
    std::mutex mu_;
    std::map<std::pair<int64_t, std::string>, int64_t> written_;
};

// "Is this user an admin (or the creator) of the group?", asked with getChatMember and cached
// in the store for `ttl` (0: asked every time). Admins found are remembered in the group's
// settings (kAdminPrefix) so /appeal knows whom to tell.
class AdminCheck {
public:
    AdminCheck(telegram::BotApi& api, store::Store& store, core::Clock& clock,
               std::chrono::seconds ttl)
        : api_(api), store_(store), clock_(clock), ttl_(ttl) {}
    core::Result<bool> is_admin(int64_t chat_id, int64_t user_id, core::Deadline deadline);
    // The admins remembered for the group: id -> display name.
    core::Result<std::map<int64_t, std::string>> known_admins(int64_t chat_id);

private:
    telegram::BotApi& api_;
    store::Store& store_;
    core::Clock& clock_;
    std::chrono::seconds ttl_;
};

}  // namespace bot::moderation
