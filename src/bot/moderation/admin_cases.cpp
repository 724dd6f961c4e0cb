// The AdminCommands that are about users and decisions: /strikes, /forgive, /modlog, /appeal.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

#include "bot/moderation/admin_commands.h"
#include "core/log.h"
#include "core/strings.h"

namespace bot::moderation {

namespace {

using nlohmann::json;

constexpr size_t kAuditScan = 300;  // audit entries read to find decisions
constexpr size_t kModlogDefault = 10;
constexpr size_t kModlogMax = 50;

std::optional<int64_t> parse_int(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string short_time(core::WallTime t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:%m-%d %H:%M}", tm);
}

json parse_detail(const std::string& s) {
    json j = json::parse(s, nullptr, false);
    return j.is_object() ? j : json::object();
}

// A decision that did something to the user (not a dry run, not an exempt admin).
bool acted_on(const store::AuditEntry& e) {
    if (e.kind != kDecisionKind) return false;
    json d = parse_detail(e.detail);
    std::string action = d.value("action", "");
    return !d.value("dry_run", false) && action != "exempt" && action != "none";
}

std::string strikes_word(size_t n) {
    return n == 1 ? "1 active strike" : fmt::format("{} active strikes", n);
}

}  // namespace

std::string short_duration(std::chrono::seconds d) {
    int64_t s = d.count();
    if (s > 0 && s % 86400 == 0) return fmt::format("{}d", s / 86400);
    if (s > 0 && s % 3600 == 0) return fmt::format("{}h", s / 3600);
    return fmt::format("{}m", s / 60);
}

std::string modlog_line(const store::AuditEntry& e) {
    json d = parse_detail(e.detail);
    std::string action = d.value("action", "?");
    std::string line = fmt::format("{} {} {} -> {}", short_time(e.time),
                                   d.value("who", "user " + std::to_string(e.user_id)),
                                   d.value("category", "?"), action);
    if (action == "mute") {
        line += " " + short_duration(std::chrono::seconds(d.value("mute_s", int64_t{0})));
    }
    if (d.value("strike", 0) > 0) line += fmt::format(" (strike {})", d.value("strike", 0));
    if (d.value("dry_run", false)) line += " [dry run]";
    if (d.value("edited", false)) line += " [edited]";
    return line;
}

core::Result<AdminCommands::Resolved> AdminCommands::resolve(std::string_view args,
                                                             const telegram::Message& msg) {
    std::string_view who = core::trim(args);
    Resolved r;
    if (who.empty() && msg.reply_to_message && msg.reply_to_message->from) {
        const telegram::User& u = *msg.reply_to_message->from;
        r.target = Target{u.id, display_name(u)};
        return r;
    }
    for (const telegram::MessageEntity& e : msg.entities) {
        if (e.type == "text_mention" && e.user) {
            r.target = Target{e.user->id, display_name(*e.user)};
            return r;
        }
    }
    if (!who.empty() && who.front() == '@') {
        auto id = mod_.users().find(msg.chat.id, who);
        if (!id) return core::fail(std::move(id).error());
        if (*id) {
            r.target = Target{**id, std::string(who)};
        } else {
            r.problem = fmt::format(
                "I don't know {} yet: Telegram gives bots no way to look up a username, so I "
                "learn them from messages sent here while moderation is on. Reply to one of "
                "their messages with the command, or give their numeric id.",
                who);
        }
        return r;
    }
    if (auto id = parse_int(who); id && *id > 0) {
        r.target = Target{*id, "user " + std::to_string(*id)};
        return r;
    }
    r.problem = "Say whom: @username, a numeric id, or reply to one of their messages.";
    return r;
}

core::Result<AdminCommands::TargetStrikes> AdminCommands::target_strikes(
    std::string_view args, const telegram::Message& msg) {
    auto r = resolve(args, msg);
    if (!r) return core::fail(std::move(r).error());
    TargetStrikes t{std::move(r->target), std::move(r->problem), {}, {}};
    if (!t.target) return t;
    auto s = mod_.settings(msg.chat.id);
    if (!s) return core::fail(std::move(s).error());
    auto active = mod_.store().active_strikes(msg.chat.id, t.target->id, mod_.clock().wall_now(),
                                              s->strike_decay);
    if (!active) return core::fail(std::move(active).error());
    t.settings = std::move(*s);
    t.active = std::move(*active);
    return t;
}

core::Result<std::string> AdminCommands::strikes(std::string_view args,
                                                 const telegram::Message& msg) {
    auto t = target_strikes(args, msg);
    if (!t) return core::fail(std::move(t).error());
    if (!t->target) return t->problem;
    const std::vector<store::Strike>& active = t->active;
    std::string window = short_duration(t->settings.strike_decay);
    if (active.empty()) {
        return fmt::format("{} has no active strikes (a strike counts for {}).", t->target->name,
                           window);
    }
    std::string out = fmt::format("{} has {} (a strike counts for {}):", t->target->name,
                                  strikes_word(active.size()), window);
    for (const store::Strike& st : active) {
        out += fmt::format("\n{} {}", short_time(st.time), st.category);
    }
    out += fmt::format("\nNext: {}.",
                       describe_step(step_for_strike(t->settings.ladder, active.size() + 1)));
    return out;
}

core::Result<std::string> AdminCommands::forgive(std::string_view args,
                                                 const telegram::Message& msg) {
    auto t = target_strikes(args, msg);
    if (!t) return core::fail(std::move(t).error());
    if (!t->target) return t->problem;
    LG_TRY(mod_.store().clear_strikes(msg.chat.id, t->target->id));
    json d = {{"who", t->target->name}, {"cleared", t->active.size()}};
    if (msg.from) d["by"] = display_name(*msg.from);
    LG_TRY(audit(msg, t->target->id, kForgiveKind,
                 d.dump(-1, ' ', false, json::error_handler_t::replace)));
    if (t->active.empty()) return fmt::format("{} had no active strikes.", t->target->name);
    return fmt::format(
        "Forgiven: {} of {} cleared. A mute or ban already in place is not lifted by this.",
        strikes_word(t->active.size()), t->target->name);
}

core::Result<std::string> AdminCommands::modlog(std::string_view args,
                                                const telegram::Message& msg) {
    size_t n = kModlogDefault;
    if (auto v = parse_int(core::trim(args)); v && *v > 0) {
        n = std::min<size_t>(static_cast<size_t>(*v), kModlogMax);
    }
    auto entries = mod_.store().recent_audit(msg.chat.id, kAuditScan);
    if (!entries) return core::fail(std::move(entries).error());
    std::vector<std::string> lines;
    for (const store::AuditEntry& e : *entries) {
        if (e.kind != kDecisionKind) continue;
        lines.push_back(modlog_line(e));
        if (lines.size() == n) break;
    }
    if (lines.empty()) return std::string("No moderation decisions yet.");
    std::string out = fmt::format("Last {} decision{} (newest first):", lines.size(),
                                  lines.size() == 1 ? "" : "s");
    for (const std::string& l : lines) out += "\n" + l;
    return out;
}

core::Result<std::string> AdminCommands::appeal(const telegram::Message& msg,
                                                core::Deadline deadline) {
    if (!msg.from || msg.sender_chat) return std::string("Appeals come from users.");
    const telegram::User& user = *msg.from;
    std::string name = display_name(user);
    auto entries = mod_.store().recent_audit(msg.chat.id, kAuditScan);
    if (!entries) return core::fail(std::move(entries).error());
    const store::AuditEntry* decision = nullptr;
    for (const store::AuditEntry& e : *entries) {
        if (e.user_id == user.id && acted_on(e)) {
            decision = &e;
            break;
        }
    }
    if (!decision) return fmt::format("{}, there is no decision about you to appeal.", name);
    std::string key = std::string(kAppealPrefix) + std::to_string(user.id);
    std::string when = std::to_string(store::to_unix_ms(decision->time));
    auto done = mod_.store().get_setting(msg.chat.id, key);
    if (!done) return core::fail(std::move(done).error());
    if (*done && **done == when) {
        return fmt::format("{}, you already appealed this decision; the admins have it.", name);
    }

    std::string handle = user.username ? "@" + *user.username : std::to_string(user.id);
    json d = parse_detail(decision->detail);
    std::string text = fmt::format(
        "Appeal in {}: {} asks you to review this decision:\n{}\nMessage: \"{}\"\n"
        "Send /forgive {} in the group to clear their strikes.",
        msg.chat.title.value_or("your group"), name, modlog_line(*decision), d.value("excerpt", ""),
        handle);
    auto admins = mod_.admins().known_admins(msg.chat.id);
    if (!admins) return core::fail(std::move(admins).error());
    std::vector<std::string> names;
    int delivered = 0;
    for (const auto& [id, admin_name] : *admins) {
        names.push_back(admin_name);
        // Only admins who have started a private chat with the bot can get this.
        auto sent = mod_.api().send_message({.chat_id = id, .text = text}, deadline);
        if (sent)
            ++delivered;
        else
            core::log::info("moderation: appeal to admin {}: {}", id, sent.error().message);
    }
    LG_TRY(mod_.store().set_setting(msg.chat.id, key, when));
    json a = {{"who", name}, {"decision", modlog_line(*decision)}, {"delivered", delivered}};
    LG_TRY(
        audit(msg, user.id, kAppealKind, a.dump(-1, ' ', false, json::error_handler_t::replace)));
    std::string to = names.empty()
                         ? "the admins"
                         : "the admins (" + fmt::format("{}", fmt::join(names, ", ")) + ")";
    return fmt::format(
        "{}, your appeal is with {}. An admin can see the case with /modlog and clear your "
        "strikes with /forgive {}.",
        name, to, handle);
}

}  // namespace bot::moderation
