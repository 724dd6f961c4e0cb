// The strike ladder: what happens on a user's 1st, 2nd, ... active strike in a group, parsed from
// the text admins type (`/mod ladder warn,delete,mute:1h,mute:24h,ban`, config moderation.ladder).
//   auto ladder = bot::moderation::parse_ladder("warn,delete,mute:1h,mute:24h,ban");
//   LadderStep step = bot::moderation::step_for_strike(*ladder, 3);   // mute for 1 h
//   std::string why = bot::moderation::explain_action(step, Category::Harassment, next, "@bob");
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/moderation/lexicon.h"
#include "core/result.h"

namespace bot::moderation {

// Every step but Warn also deletes the offending message; every step also posts a warning that
// explains itself (category, what happens next time, how to appeal).
enum class ActionKind { Warn, Delete, Mute, Ban };
const char* action_kind_name(ActionKind kind);  // "warn", "delete", "mute", "ban"

struct LadderStep {
    ActionKind kind = ActionKind::Warn;
    std::chrono::seconds mute_for{0};  // Mute only
    bool operator==(const LadderStep&) const = default;
};

using Ladder = std::vector<LadderStep>;

inline constexpr const char* kDefaultLadder = "warn,delete,mute:1h,mute:24h,ban";

// "warn,delete,mute:1h,mute:24h,ban": 1-10 steps; mute:<N>m|h|d (at most 366 days). Spaces
// around steps are allowed. Errors quote the bad step and show the format.
core::Result<Ladder> parse_ladder(std::string_view text);
// The inverse of parse_ladder ("warn,delete,mute:1h,mute:24h,ban"), durations in the largest
// whole unit.
std::string format_ladder(const Ladder& ladder);

// The step for a user's n-th active strike (n >= 1, this one included); past the end of the
// ladder the last step repeats.
LadderStep step_for_strike(const Ladder& ladder, size_t strike_number);

// "a warning", "message deleted", "muted for 1 hour", "banned".
std::string describe_step(const LadderStep& step);

// The one short message that explains an action to the group, e.g.
//   "@bob, your message was removed (harassment). Next time: muted for 1 hour. If this is a
//    mistake, reply /appeal."
// `next` is the step a further strike would bring (nullopt when this one is a ban).
std::string explain_action(const LadderStep& step, Category category,
                           const std::optional<LadderStep>& next, std::string_view who);

}  // namespace bot::moderation
