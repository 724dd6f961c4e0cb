#include "bot/moderation/moderator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/strings.h"

namespace bot::moderation {

namespace {

constexpr size_t kExcerptBytes = 200;

std::string excerpt(const std::string& text) {
    size_t n = core::utf8_safe_prefix(text, kExcerptBytes);
    return n < text.size() ? text.substr(0, n) + "…" : text;
}

int64_t unix_seconds(core::WallTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The action word of the audit and /modlog.
std::string action_word(const Decision& d) {
    if (d.exempt) return "exempt";
    if (!d.step) return "none";
    return action_kind_name(d.step->kind);
}

}  // namespace

Moderator::Moderator(telegram::BotApi& api, store::Store& store, const Assessor& assessor,
                     ModerationDefaults defaults, core::Clock& clock)
    : api_(api),
      store_(store),
      assessor_(assessor),
      defaults_(std::move(defaults)),
      clock_(clock),
      admins_(api, store, clock, defaults_.admin_cache),
      users_(store) {
    if (defaults_.ladder.empty()) defaults_.ladder = parse_ladder(kDefaultLadder).value();
}

core::Result<Decision> Moderator::moderate(int64_t update_id, const telegram::Message& msg,
                                           bool edited, const telegram::User& me,
                                           core::Deadline deadline) {
    Decision d;
    if (!msg.chat.is_group() || (edited && !defaults_.moderate_edits)) return d;
    auto s = settings(msg.chat.id);
    if (!s) return core::fail(std::move(s).error());
    if (!s->enabled) return d;
    // Posted as the group itself (anonymous admins) or as a channel: there is no user to strike.
    if (!msg.from || msg.sender_chat || msg.from->id == me.id) {
        d.exempt = true;
        return d;
    }
    if (auto st = users_.remember(msg.chat.id, *msg.from); !st) {
        core::log::warn("moderation: remembering user {}: {}", msg.from->id, st.error().message);
    }
    const std::string& text = msg.text_or_caption();
    if (text.empty()) return d;

    d.moderated = true;
    Verdict v = assess(msg.chat.id, text, *s, deadline);
    d.scores = v.assessment.scores;
    d.flagged = v.assessment.flagged;
    d.category = v.assessment.category;
    if (!d.flagged || !d.category) return d;

    // Admin status is asked only for flagged messages: clean chatter costs no getChatMember.
    auto admin = admins_.is_admin(msg.chat.id, msg.from->id, deadline);
    if (!admin) {
        return core::fail(admin.error().code,
                          fmt::format("moderation: chat {}: cannot tell whether user {} is an "
                                      "admin: {}",
                                      msg.chat.id, msg.from->id, admin.error().message));
    }
    if (*admin) {
        d.exempt = true;
    } else if (s->dry_run) {
        d.dry_run = true;
        auto active =
            store_.active_strikes(msg.chat.id, msg.from->id, clock_.wall_now(), s->strike_decay);
        if (!active) return core::fail(std::move(active).error());
        d.strike_number = active->size() + 1;
        d.step = step_for_strike(s->ladder, d.strike_number);
    } else {
        LG_TRY(punish(update_id, msg, *s, d, deadline));
        if (d.duplicate) {
            core::log::info("moderation: update {} was already judged: not acting again",
                            update_id);
            return d;
        }
    }
    LG_TRY(audit(update_id, msg, edited, v, d));
    return d;
}

Moderator::Verdict Moderator::assess(int64_t chat_id, const std::string& text,
                                     const GroupSettings& s, core::Deadline deadline) {
    Verdict v;
    // The group's own words first: a hit is decisive and saves the classifier call.
    if (!s.words.empty()) {
        auto lex = group_lexicon(chat_id, s.words);
        NormalizedText n = normalize(text, s.lang);
        LexiconResult r = lex->match(n);
        if (!r.hits.empty()) {
            v.assessment.lexicon.normalized = n.text;
            v.assessment.classifier = ClassifierUse::SkippedDecisive;
            v.assessment.flagged = true;
            v.assessment.category = r.hits.front().category;
            v.assessment.scores[static_cast<size_t>(r.hits.front().category)] = 1.0;
            for (const LexiconHit& h : r.hits) v.group_hits.push_back(h.term);
            return v;
        }
    }
    AssessOptions o;
    o.lang = s.lang;
    o.threshold = s.threshold;
    o.skip_trivial = defaults_.skip_trivial;
    o.rules = s.rules;
    v.assessment = assessor_.assess(text, o, deadline);
    if (v.assessment.classifier == ClassifierUse::Failed) {
        core::log::warn("moderation: classifier failed, the lexicon decided: {}",
                        v.assessment.classifier_error);
    }
    return v;
}

std::shared_ptr<const Lexicon> Moderator::group_lexicon(int64_t chat_id,
                                                        const std::vector<GroupWord>& words) {
    std::string key = format_words(words);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = lexicons_.find(chat_id);
    if (it != lexicons_.end() && it->second.words == key) return it->second.lexicon;
    auto lex = std::make_shared<Lexicon>();
    for (const GroupWord& w : words) {
        core::Status st = lex->add_word(w.term, w.category, 1.0, /*decisive=*/true);
        if (!st)
            core::log::warn("moderation: chat {}: word '{}': {}", chat_id, w.term,
                            st.error().message);
    }
    lexicons_[chat_id] = {key, lex};
    return lex;
}

core::Status Moderator::punish(int64_t update_id, const telegram::Message& msg,
                               const GroupSettings& s, Decision& d, core::Deadline deadline) {
    const int64_t chat = msg.chat.id;
    const int64_t user = msg.from->id;
    core::WallTime now = clock_.wall_now();
    // The update id makes the strike idempotent: Telegram's retry of this update strikes once.
    auto added = store_.add_strike(chat, user, now, category_name(*d.category),
                                   "update:" + std::to_string(update_id));
    if (!added) return core::fail(std::move(added).error());
    if (!*added) {
        d.duplicate = true;
        return core::ok();
    }
    auto active = store_.active_strikes(chat, user, now, s.strike_decay);
    if (!active) return core::fail(std::move(active).error());
    d.strike_number = std::max<size_t>(1, active->size());
    d.step = step_for_strike(s.ladder, d.strike_number);
    std::optional<LadderStep> next;
    if (d.step->kind != ActionKind::Ban) next = step_for_strike(s.ladder, d.strike_number + 1);
    act(msg, d, next, deadline);
    return core::ok();
}

void Moderator::act(const telegram::Message& msg, Decision& d,
                    const std::optional<LadderStep>& next, core::Deadline deadline) {
    const int64_t chat = msg.chat.id;
    const int64_t user = msg.from->id;
    const LadderStep& step = *d.step;
    auto note = [&](const char* call, const core::Status& st) {
        if (st) return;
        core::log::warn("moderation: chat {}: {} failed: {}", chat, call, st.error().message);
        d.failures.push_back(fmt::format("{}: {}", call, st.error().message));
    };
    if (step.kind != ActionKind::Warn) {
        core::Status st = api_.delete_message(chat, msg.message_id, deadline);
        d.deleted = static_cast<bool>(st);
        note("deleteMessage", st);
    }
    if (step.kind == ActionKind::Mute) {
        int64_t until = unix_seconds(clock_.wall_now()) + step.mute_for.count();
        note("restrictChatMember",
             api_.restrict_chat_member(chat, user, telegram::ChatPermissions::none(), until,
                                       deadline));
    }
    if (step.kind == ActionKind::Ban) {
        note("banChatMember", api_.ban_chat_member(chat, user, 0, false, deadline));
    }
    telegram::SendMessage req;
    req.chat_id = chat;
    req.text = explain_action(step, *d.category, next, display_name(*msg.from));
    req.message_thread_id = msg.message_thread_id;
    // The warning quotes the message while it is still there.
    if (!d.deleted) req.reply_to_message_id = msg.message_id;
    // The last call: a webhook may carry it in its response (a failure then goes unnoticed).
    req.result_unused = true;
    auto sent = api_.send_message(req, deadline);
    note("sendMessage", sent ? core::ok() : core::Status(core::fail(std::move(sent).error())));
}

core::Status Moderator::audit(int64_t update_id, const telegram::Message& msg, bool edited,
                              const Verdict& v, const Decision& d) {
    nlohmann::json scores = nlohmann::json::object();
    for (Category c : kCategories) {
        double x = d.scores[static_cast<size_t>(c)];
        if (x > 0) scores[category_name(c)] = std::round(x * 1000) / 1000;
    }
    nlohmann::json hits = nlohmann::json::array();
    for (const LexiconHit& h : v.assessment.lexicon.hits) hits.push_back(h.term);
    nlohmann::json detail = {
        {"update_id", update_id},
        {"message_id", msg.message_id},
        {"who", display_name(*msg.from)},
        {"category", d.category ? category_name(*d.category) : ""},
        {"scores", scores},
        {"action", action_word(d)},
        {"strike", d.strike_number},
        {"dry_run", d.dry_run},
        {"edited", edited},
        {"excerpt", excerpt(msg.text_or_caption())},
        {"lexicon_hits", hits},
        {"group_words", v.group_hits},
        {"classifier", classifier_use_name(v.assessment.classifier)},
        {"deleted", d.deleted},
        {"failures", d.failures},
    };
    if (d.step && d.step->kind == ActionKind::Mute) detail["mute_s"] = d.step->mute_for.count();
    core::log::info("moderation: chat {} user {}: {} -> {}{}", msg.chat.id, msg.from->id,
                    detail["category"].get<std::string>(), action_word(d),
                    d.dry_run ? " (dry run)" : "");
    store::AuditEntry e;
    e.time = clock_.wall_now();
    e.user_id = msg.from->id;
    e.kind = kDecisionKind;
    e.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return store_.append_audit(msg.chat.id, e);
}

}  // namespace bot::moderation
