// The moderator's group commands. Admins only (getChatMember, cached): /mod (status), /mod on|off,
// /mod dryrun on|off, /mod threshold 0.8, /mod rules TEXT|clear, /mod ladder STEPS,
// /mod lang tr, /mod decay 7d, /mod words [add|remove [CATEGORY] WORD...], /strikes USER,
// /forgive USER, /modlog [n]. Anyone: /appeal (sends the caller's latest decision to the admins).
// USER is @username (learned from messages seen while moderation is on), a numeric id, a text
// mention, or the author of the message the command replies to.
//   AdminCommands commands(moderator);
//   if (AdminCommands::handles(cmd.name)) reply(commands.run(cmd.name, cmd.args, msg, dl).value());
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bot/moderation/moderator.h"

namespace bot::moderation {

inline constexpr const char* kAppealKind = "moderation.appeal";
inline constexpr const char* kSettingsKind = "moderation.settings";
inline constexpr const char* kForgiveKind = "moderation.forgive";

inline constexpr const char* kGroupsOnlyText =
    "Moderation commands work in groups: add me to a group as an admin, then send /mod there.";
inline constexpr const char* kAdminsOnlyText = "Only the group's admins can use /{}.";
inline constexpr const char* kModUsageText =
    "/mod - status\n"
    "/mod on|off - moderate this group or not\n"
    "/mod dryrun on|off - log decisions without acting\n"
    "/mod threshold 0.8 - classifier score that flags a message (0-1]\n"
    "/mod rules TEXT|clear - the group's rules, read by the classifier\n"
    "/mod ladder warn,delete,mute:1h,mute:24h,ban - action per strike\n"
    "/mod lang tr - the group's language\n"
    "/mod decay 7d - how long a strike counts (h or d)\n"
    "/mod words [add|remove [CATEGORY] WORD] - the group's extra words\n"
    "/strikes @user, /forgive @user, /modlog [n]";

class AdminCommands {
public:
    // `moderator` must outlive the commands.
    explicit AdminCommands(Moderator& moderator) : mod_(moderator) {}

    // True for mod, strikes, forgive, modlog and appeal.
    static bool handles(std::string_view command);

    // Runs /`command` `args` sent as `msg`; returns the reply to post (never empty). Errors only
    // when the store fails or getChatMember cannot be answered.
    core::Result<std::string> run(std::string_view command, std::string_view args,
                                  const telegram::Message& msg, core::Deadline deadline);

private:
    struct Target {
        int64_t id = 0;
        std::string name;
    };
    struct Resolved {
        std::optional<Target> target;
        std::string problem;  // why there is none, for the reply
    };
    core::Result<Resolved> resolve(std::string_view args, const telegram::Message& msg);
    // The user resolve() finds, with their strikes that still count and the group's settings.
    struct TargetStrikes {
        std::optional<Target> target;
        std::string problem;  // why there is no target, for the reply
        GroupSettings settings;
        std::vector<store::Strike> active;
    };
    core::Result<TargetStrikes> target_strikes(std::string_view args, const telegram::Message& msg);
    core::Result<bool> sender_is_admin(const telegram::Message& msg, core::Deadline deadline);

    core::Result<std::string> mod(std::string_view args, const telegram::Message& msg,
                                  core::Deadline deadline);
    core::Result<std::string> rules(const std::string& rest, const telegram::Message& msg);
    core::Result<std::string> status(const telegram::Message& msg, core::Deadline deadline);
    core::Result<std::string> set(const telegram::Message& msg, std::string_view key,
                                  const std::string& value, std::string reply);
    core::Result<std::string> words(std::string_view args, const telegram::Message& msg);
    core::Result<std::string> strikes(std::string_view args, const telegram::Message& msg);
    core::Result<std::string> forgive(std::string_view args, const telegram::Message& msg);
    core::Result<std::string> modlog(std::string_view args, const telegram::Message& msg);
    core::Result<std::string> appeal(const telegram::Message& msg, core::Deadline deadline);
    core::Status audit(const telegram::Message& msg, int64_t user_id, const char* kind,
                       const std::string& detail);

    Moderator& mod_;
};

// "90m", "72h", "7d": the largest unit that divides evenly.
std::string short_duration(std::chrono::seconds d);

// One /modlog line for an audited decision: "11-25 02:57 @bob harassment -> delete (strike 2)".
std::string modlog_line(const store::AuditEntry& entry);

}  // namespace bot::moderation
