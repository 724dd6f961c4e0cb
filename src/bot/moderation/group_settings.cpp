#include "bot/moderation/group_settings.h"

#include <charconv>

#include "core/log.h"
#include "core/strings.h"

namespace bot::moderation {

namespace {

std::optional<double> parse_double(std::string_view s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<int64_t> parse_int(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

void bad_value(int64_t chat_id, std::string_view key, const std::string& value) {
    core::log::warn("moderation: chat {}: stored {} '{}' does not parse; using the default",
                    chat_id, key, value);
}

// Applies one stored "mod.*" value over the defaults already in `s`.
void apply(int64_t chat_id, std::string_view key, const std::string& value, GroupSettings& s) {
    if (key == kKeyEnabled) {
        s.enabled = value == "on";
    } else if (key == kKeyDryRun) {
        s.dry_run = value == "on";
    } else if (key == kKeyThreshold) {
        auto v = parse_double(value);
        if (v && *v > 0 && *v <= 1)
            s.threshold = *v;
        else
            bad_value(chat_id, key, value);
    } else if (key == kKeyLadder) {
        auto l = parse_ladder(value);
        if (l)
            s.ladder = std::move(*l);
        else
            bad_value(chat_id, key, value);
    } else if (key == kKeyDecay) {
        auto v = parse_int(value);
        if (v && *v > 0)
            s.strike_decay = std::chrono::seconds(*v);
        else
            bad_value(chat_id, key, value);
    } else if (key == kKeyLang) {
        s.lang = value;
    } else if (key == kKeyRules) {
        s.rules = value;
    } else if (key == kKeyWords) {
        s.words = parse_words(value);
    }
}

}  // namespace

core::Result<GroupSettings> load_group_settings(store::Store& store, int64_t chat_id,
                                                const ModerationDefaults& defaults) {
    GroupSettings s;
    s.enabled = defaults.enabled;
    s.dry_run = defaults.dry_run;
    s.threshold = defaults.threshold;
    s.ladder = defaults.ladder.empty() ? parse_ladder(kDefaultLadder).value() : defaults.ladder;
    s.strike_decay = defaults.strike_decay;
    s.lang = defaults.lang;
    auto stored = store.list_settings(chat_id);
    if (!stored) return core::fail(std::move(stored).error());
    for (const auto& [key, value] : *stored) {
        if (core::starts_with(key, "mod.")) apply(chat_id, key, value, s);
    }
    return s;
}

std::string format_words(const std::vector<GroupWord>& words) {
    std::string out;
    for (const GroupWord& w : words) {
        if (!out.empty()) out += '\n';
        out += category_name(w.category);
        out += '\t';
        out += w.term;
    }
    return out;
}

std::vector<GroupWord> parse_words(std::string_view stored) {
    std::vector<GroupWord> out;
    for (const std::string& line : core::split(stored, '\n')) {
        size_t tab = line.find('\t');
        if (tab == std::string::npos) continue;
        auto cat = parse_category(std::string_view(line).substr(0, tab));
        std::string term = line.substr(tab + 1);
        if (cat && !term.empty()) out.push_back({*cat, std::move(term)});
    }
    return out;
}

std::string display_name(const telegram::User& user) {
    if (user.username && !user.username->empty()) return "@" + *user.username;
    return user.first_name.empty() ? "user " + std::to_string(user.id) : user.first_name;
}

core::Status KnownUsers::remember(int64_t chat_id, const telegram::User& user) {
    if (!user.username || user.username->empty()) return core::ok();
    std::string name = core::to_lower_ascii(*user.username);
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = written_.find({chat_id, name});
        if (it != written_.end() && it->second == user.id) return core::ok();
    }
    LG_TRY(store_.set_setting(chat_id, std::string(kUserPrefix) + name, std::to_string(user.id)));
    std::lock_guard<std::mutex> lock(mu_);
    written_[{chat_id, name}] = user.id;
    return core::ok();
}

core::Result<std::optional<int64_t>> KnownUsers::find(int64_t chat_id, std::string_view username) {
    if (!username.empty() && username.front() == '@') username.remove_prefix(1);
    auto v = store_.get_setting(chat_id, std::string(kUserPrefix) + core::to_lower_ascii(username));
    if (!v) return core::fail(std::move(v).error());
    if (!*v) return std::optional<int64_t>();
    return parse_int(**v);
}

core::Result<bool> AdminCheck::is_admin(int64_t chat_id, int64_t user_id, core::Deadline deadline) {
    core::WallTime now = clock_.wall_now();
    if (ttl_.count() > 0) {
        auto cached = store_.cached_admin(chat_id, user_id, now);
        if (cached && *cached) return **cached;
        if (!cached) core::log::warn("moderation: admin cache: {}", cached.error().message);
    }
    auto member = api_.get_chat_member(chat_id, user_id, deadline);
    if (!member) return core::fail(std::move(member).error());
    bool admin = member->is_admin();
    if (ttl_.count() > 0) {
        core::Status st = store_.cache_admin(chat_id, user_id, admin, now + ttl_);
        if (!st) core::log::warn("moderation: admin cache: {}", st.error().message);
    }
    std::string key = std::string(kAdminPrefix) + std::to_string(user_id);
    core::Status st = admin ? store_.set_setting(chat_id, key, display_name(member->user))
                            : store_.delete_setting(chat_id, key);
    if (!st) core::log::warn("moderation: remembering admins: {}", st.error().message);
    return admin;
}

core::Result<std::map<int64_t, std::string>> AdminCheck::known_admins(int64_t chat_id) {
    auto all = store_.list_settings(chat_id);
    if (!all) return core::fail(std::move(all).error());
    std::map<int64_t, std::string> out;
    for (const auto& [key, value] : *all) {
        if (!core::starts_with(key, kAdminPrefix)) continue;
        auto id = parse_int(std::string_view(key).substr(kAdminPrefix.size()));
        if (id) out[*id] = value;
    }
    return out;
}

}  // namespace bot::moderation
