#include "bot/moderation/admin_commands.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/strings.h"

namespace bot::moderation {

namespace {

using nlohmann::json;

constexpr size_t kMaxRulesBytes = 1000;
constexpr size_t kMaxWords = 200;

// "/mod words add spam buy followers" -> first word "add", rest "spam buy followers".
std::pair<std::string, std::string> first_word(std::string_view s) {
    s = core::trim(s);
    size_t sp = s.find_first_of(" \t\n");
    if (sp == std::string_view::npos) return {core::to_lower_ascii(s), ""};
    return {core::to_lower_ascii(s.substr(0, sp)), std::string(core::trim(s.substr(sp)))};
}

std::optional<int64_t> parse_int(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<bool> parse_on_off(std::string_view s) {
    if (s == "on") return true;
    if (s == "off") return false;
    return std::nullopt;
}

// "72h", "7d" -> seconds; 1 hour to 366 days.
std::optional<std::chrono::seconds> parse_decay(std::string_view s) {
    if (s.size() < 2) return std::nullopt;
    auto n = parse_int(s.substr(0, s.size() - 1));
    int64_t unit = s.back() == 'h' ? 3600 : s.back() == 'd' ? 86400 : 0;
    if (!n || unit == 0 || *n <= 0) return std::nullopt;
    int64_t secs = *n * unit;
    if (secs > 366LL * 86400) return std::nullopt;
    return std::chrono::seconds(secs);
}

// A classifier threshold in (0, 1].
std::optional<double> parse_threshold(std::string_view s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v <= 0 || v > 1) {
        return std::nullopt;
    }
    return v;
}

bool valid_lang(std::string_view s) {
    if (s.size() < 2 || s.size() > 12) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

bool AdminCommands::handles(std::string_view c) {
    return c == "mod" || c == "strikes" || c == "forgive" || c == "modlog" || c == "appeal";
}

core::Result<std::string> AdminCommands::run(std::string_view command, std::string_view args,
                                             const telegram::Message& msg,
                                             core::Deadline deadline) {
    if (!msg.chat.is_group()) return std::string(kGroupsOnlyText);
    if (command == "appeal") return appeal(msg, deadline);
    auto admin = sender_is_admin(msg, deadline);
    if (!admin) return core::fail(std::move(admin).error());
    if (!*admin) return fmt::format(kAdminsOnlyText, command);
    if (command == "mod") return mod(args, msg, deadline);
    if (command == "strikes") return strikes(args, msg);
    if (command == "forgive") return forgive(args, msg);
    return modlog(args, msg);
}

core::Result<bool> AdminCommands::sender_is_admin(const telegram::Message& msg,
                                                  core::Deadline deadline) {
    // An anonymous admin posts as the group itself; only admins can.
    if (msg.sender_chat) return msg.sender_chat->id == msg.chat.id;
    if (!msg.from) return false;
    return mod_.admins().is_admin(msg.chat.id, msg.from->id, deadline);
}

core::Result<std::string> AdminCommands::mod(std::string_view args, const telegram::Message& msg,
                                             core::Deadline deadline) {
    auto [sub, rest] = first_word(args);
    if (sub.empty() || sub == "status") return status(msg, deadline);
    if (sub == "on" || sub == "off") {
        std::string reply = sub == "on" ? "Moderation is on in this group. /mod shows the settings."
                                        : "Moderation is off in this group.";
        return set(msg, kKeyEnabled, sub, reply);
    }
    if (sub == "dryrun") {
        auto on = parse_on_off(core::to_lower_ascii(rest));
        if (!on) return std::string("Use /mod dryrun on or /mod dryrun off.");
        return set(msg, kKeyDryRun, *on ? "on" : "off",
                   *on ? "Dry run: decisions are logged (/modlog), nobody is warned or punished."
                       : "Dry run is off: decisions are acted on.");
    }
    if (sub == "threshold") {
        auto v = parse_threshold(rest);
        if (!v) {
            return std::string(
                "The threshold is a number above 0 and at most 1, e.g. /mod threshold 0.8.");
        }
        return set(msg, kKeyThreshold, fmt::format("{}", *v),
                   fmt::format("Threshold set to {}.", *v));
    }
    if (sub == "rules") return rules(rest, msg);
    if (sub == "ladder") {
        auto ladder = parse_ladder(rest);
        if (!ladder) return "That ladder does not parse: " + ladder.error().message;
        std::string text = format_ladder(*ladder);
        return set(msg, kKeyLadder, text, "Ladder set: " + text + ".");
    }
    if (sub == "lang") {
        if (!valid_lang(rest)) return std::string("Use a language code, e.g. /mod lang tr.");
        std::string lang = core::to_lower_ascii(rest);
        return set(msg, kKeyLang, lang, "Language set to " + lang + ".");
    }
    if (sub == "decay") {
        auto d = parse_decay(core::to_lower_ascii(rest));
        if (!d) return std::string("Use hours or days up to 366d, e.g. /mod decay 72h.");
        return set(msg, kKeyDecay, std::to_string(d->count()),
                   "Strikes now count for " + short_duration(*d) + ".");
    }
    if (sub == "words") return words(rest, msg);
    return std::string(kModUsageText);
}

core::Result<std::string> AdminCommands::rules(const std::string& rest,
                                               const telegram::Message& msg) {
    if (rest.empty()) {
        auto s = mod_.settings(msg.chat.id);
        if (!s) return core::fail(std::move(s).error());
        return s->rules.empty() ? std::string("No rules set. /mod rules TEXT sets them.")
                                : "Rules: " + s->rules;
    }
    if (rest.size() > kMaxRulesBytes) {
        return fmt::format("The rules are too long ({} bytes, at most {}).", rest.size(),
                           kMaxRulesBytes);
    }
    if (core::to_lower_ascii(rest) == "clear") return set(msg, kKeyRules, "", "Rules cleared.");
    return set(msg, kKeyRules, rest, "Rules saved: the classifier reads them from now on.");
}

core::Result<std::string> AdminCommands::status(const telegram::Message& msg,
                                                core::Deadline deadline) {
    auto s = mod_.settings(msg.chat.id);
    if (!s) return core::fail(std::move(s).error());
    std::string out = fmt::format(
        "Moderation: {}{}\nThreshold: {} · language: {} · strikes count for {}\n"
        "Ladder: {}\nRules: {}\nExtra words: {}\nClassifier: {}",
        s->enabled ? "on" : "off", s->dry_run ? " (dry run)" : "", s->threshold, s->lang,
        short_duration(s->strike_decay), format_ladder(s->ladder),
        s->rules.empty() ? "none" : s->rules, s->words.size(),
        mod_.has_classifier() ? "yes" : "none (word lists only)");
    // Whether the bot can act: deleting and restricting need admin rights.
    auto me = mod_.api().get_me(deadline);
    if (me) {
        auto member = mod_.api().get_chat_member(msg.chat.id, me->id, deadline);
        bool can_delete = member && member->status == "administrator" &&
                          member->can_delete_messages.value_or(false);
        bool can_restrict = member && member->status == "administrator" &&
                            member->can_restrict_members.value_or(false);
        if (member && (!can_delete || !can_restrict)) {
            out += "\nI need admin rights to act: 'Delete messages' and 'Ban users'.";
        }
    }
    return out;
}

core::Result<std::string> AdminCommands::set(const telegram::Message& msg, std::string_view key,
                                             const std::string& value, std::string reply) {
    core::Status st = value.empty() ? mod_.store().delete_setting(msg.chat.id, key)
                                    : mod_.store().set_setting(msg.chat.id, key, value);
    if (!st) return core::fail(std::move(st).error());
    json d = {{"key", key}, {"value", value}};
    if (msg.from) d["by"] = display_name(*msg.from);
    LG_TRY(audit(msg, msg.from ? msg.from->id : 0, kSettingsKind,
                 d.dump(-1, ' ', false, json::error_handler_t::replace)));
    return reply;
}

core::Result<std::string> AdminCommands::words(std::string_view args,
                                               const telegram::Message& msg) {
    auto s = mod_.settings(msg.chat.id);
    if (!s) return core::fail(std::move(s).error());
    auto [op, rest] = first_word(args);
    if (op.empty()) {
        if (s->words.empty()) return std::string("No extra words. /mod words add WORD adds one.");
        std::string out = "Extra words:";
        for (const GroupWord& w : s->words) {
            out += fmt::format("\n{} ({})", w.term, category_name(w.category));
        }
        return out;
    }
    if ((op != "add" && op != "remove") || rest.empty()) {
        return std::string("Use /mod words add [CATEGORY] WORD or /mod words remove WORD.");
    }
    GroupWord w;
    w.term = rest;
    auto [maybe_cat, term] = first_word(rest);
    if (auto c = parse_category(maybe_cat); c && !term.empty()) {
        w.category = *c;
        w.term = term;
    }
    std::vector<GroupWord> list = s->words;
    auto same = [&](const GroupWord& x) {
        return core::to_lower_ascii(x.term) == core::to_lower_ascii(w.term);
    };
    if (op == "remove") {
        auto n = std::erase_if(list, same);
        if (n == 0) return fmt::format("'{}' is not an extra word here.", w.term);
        return set(msg, kKeyWords, format_words(list), fmt::format("Removed '{}'.", w.term));
    }
    if (w.term.find('\t') != std::string::npos || w.term.find('\n') != std::string::npos) {
        return std::string("A word or phrase fits on one line.");
    }
    Lexicon check;
    if (auto st = check.add_word(w.term, w.category, 1.0, true); !st) {
        return fmt::format("I can't use '{}': {}", w.term, st.error().message);
    }
    if (list.size() >= kMaxWords) return fmt::format("At most {} extra words.", kMaxWords);
    std::erase_if(list, same);
    list.push_back(w);
    return set(msg, kKeyWords, format_words(list),
               fmt::format("Added '{}' ({}).", w.term, category_name(w.category)));
}

core::Status AdminCommands::audit(const telegram::Message& msg, int64_t user_id, const char* kind,
                                  const std::string& detail) {
    store::AuditEntry e;
    e.time = mod_.clock().wall_now();
    e.user_id = user_id;
    e.kind = kind;
    e.detail = detail;
    return mod_.store().append_audit(msg.chat.id, e);
}

}  // namespace bot::moderation
