// The group moderator: every group message (and edited message) from a non-exempt user in a
// group where moderation is on goes through the group's extra words and the Assessor; a flagged
// one adds a strike (once per update), and the strike ladder picks the action (warn, delete,
// mute, ban), explained in one short message that names /appeal. Every decision is audited.
//   Moderator mod(api, store, assessor, defaults, clock);
//   auto d = mod.moderate(update.update_id, msg, me, deadline);   // d->flagged, d->step ...
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bot/moderation/assess.h"
#include "bot/moderation/group_settings.h"
#include "bot/moderation/policy.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"
#include "telegram/bot_api.h"

namespace bot::moderation {

inline constexpr const char* kDecisionKind = "moderation.decision";

// What the moderator did with one message.
struct Decision {
    bool moderated = false;  // moderation is on in the group and the message was assessed
    bool exempt = false;     // the sender is an admin, the creator, the bot or the chat itself
    bool flagged = false;
    bool dry_run = false;
    bool duplicate = false;  // this update's strike was already recorded: nothing done again
    std::optional<Category> category;
    std::array<double, kCategoryCount> scores{};
    std::optional<LadderStep> step;  // the action taken (or, in a dry run, that would be)
    size_t strike_number = 0;        // active strikes, this one included
    bool deleted = false;
    std::vector<std::string> failures;  // Telegram calls that failed (logged too)
};

class Moderator {
public:
    // Everything passed must outlive the moderator. Thread-safe when the store and the
    // assessor's classifier are.
    Moderator(telegram::BotApi& api, store::Store& store, const Assessor& assessor,
              ModerationDefaults defaults, core::Clock& clock);

    // Moderates `msg` (a group message or an edited one) of update `update_id`. Errors only when
    // the store fails or the sender's admin status cannot be read; failed Telegram actions are
    // in Decision::failures.
    core::Result<Decision> moderate(int64_t update_id, const telegram::Message& msg, bool edited,
                                    const telegram::User& me, core::Deadline deadline);

    const ModerationDefaults& defaults() const { return defaults_; }
    bool has_classifier() const { return assessor_.has_classifier(); }
    core::Result<GroupSettings> settings(int64_t chat_id) {
        return load_group_settings(store_, chat_id, defaults_);
    }
    store::Store& store() { return store_; }
    telegram::BotApi& api() { return api_; }
    core::Clock& clock() { return clock_; }
    AdminCheck& admins() { return admins_; }
    KnownUsers& users() { return users_; }

private:
    struct Verdict {
        Assessment assessment;
        std::vector<std::string> group_hits;  // the group's extra words that hit
    };
    Verdict assess(int64_t chat_id, const std::string& text, const GroupSettings& s,
                   core::Deadline deadline);
    std::shared_ptr<const Lexicon> group_lexicon(int64_t chat_id,
                                                 const std::vector<GroupWord>& words);
    core::Status punish(int64_t update_id, const telegram::Message& msg, const GroupSettings& s,
                        Decision& d, core::Deadline deadline);
    void act(const telegram::Message& msg, Decision& d, const std::optional<LadderStep>& next,
             core::Deadline deadline);
    core::Status audit(int64_t update_id, const telegram::Message& msg, bool edited,
                       const Verdict& v, const Decision& d);

    telegram::BotApi& api_;
    store::Store& store_;
    const Assessor& assessor_;
    ModerationDefaults defaults_;
    core::Clock& clock_;
    AdminCheck admins_;
    KnownUsers users_;
    std::mutex mu_;  // guards lexicons_
    struct GroupLexicon {
        std::string words;  // format_words() it was built from
        std::shared_ptr<const Lexicon> lexicon;
    };
    std::map<int64_t, GroupLexicon> lexicons_;
};

}  // namespace bot::moderation
