#include "bot/moderation/policy.h"

#include <fmt/format.h>

#include <charconv>

#include "core/strings.h"

namespace bot::moderation {
namespace {

constexpr const char* kLadderFormat =
    "use warn, delete, mute:<N>m|h|d or ban, e.g. warn,delete,mute:1h,mute:24h,ban";
constexpr size_t kMaxSteps = 10;
// The largest N of mute:<N> that core's check_ladder accepts (366 days in minutes), whatever the
// unit; Telegram treats a mute past 366 days as permanent.
constexpr long long kMaxMuteNumber = 366LL * 24 * 60;

std::optional<long long> parse_count(std::string_view text) {
    text = core::trim(text);
    long long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<LadderStep> parse_step(std::string_view step) {
    const std::string s = core::to_lower_ascii(step);
    if (s == "warn") return LadderStep{ActionKind::Warn, {}};
    if (s == "delete") return LadderStep{ActionKind::Delete, {}};
    if (s == "ban") return LadderStep{ActionKind::Ban, {}};
    if (s.size() <= 6 || !core::starts_with(s, "mute:")) return std::nullopt;
    auto n = parse_count(std::string_view(s).substr(5, s.size() - 6));
    if (!n || *n <= 0 || *n > kMaxMuteNumber) return std::nullopt;
    long long unit_s = 0;
    switch (s.back()) {
        case 'm':
            unit_s = 60;
            break;
        case 'h':
            unit_s = 3600;
            break;
        case 'd':
            unit_s = 86400;
            break;
        default:
            return std::nullopt;
    }
    return LadderStep{ActionKind::Mute, std::chrono::seconds(*n * unit_s)};
}

// "1 hour", "24 hours", "90 minutes", "7 days": the largest unit that divides evenly.
std::string duration_words(std::chrono::seconds d) {
    const long long s = d.count();
    if (s > 0 && s % 86400 == 0) {
        return fmt::format("{} day{}", s / 86400, s == 86400 ? "" : "s");
    }
    if (s > 0 && s % 3600 == 0) return fmt::format("{} hour{}", s / 3600, s == 3600 ? "" : "s");
    const long long m = s / 60;
    return fmt::format("{} minute{}", m, m == 1 ? "" : "s");
}

std::string duration_token(std::chrono::seconds d) {
    const long long s = d.count();
    if (s > 0 && s % 86400 == 0) return fmt::format("{}d", s / 86400);
    if (s > 0 && s % 3600 == 0) return fmt::format("{}h", s / 3600);
    return fmt::format("{}m", s / 60);
}

}  // namespace

const char* action_kind_name(ActionKind kind) {
    switch (kind) {
        case ActionKind::Warn:
            return "warn";
        case ActionKind::Delete:
            return "delete";
        case ActionKind::Mute:
            return "mute";
        case ActionKind::Ban:
            return "ban";
    }
    return "warn";
}

core::Result<Ladder> parse_ladder(std::string_view text) {
    const auto parts = core::split(text, ',');
    if (core::trim(text).empty() || parts.size() > kMaxSteps) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("ladder needs 1 to {} comma-separated steps: {}", kMaxSteps,
                                      kLadderFormat));
    }
    Ladder ladder;
    for (const std::string& raw : parts) {
        const std::string_view step = core::trim(raw);
        auto parsed = parse_step(step);
        if (!parsed) {
            return core::fail(
                core::ErrorCode::InvalidArgument,
                fmt::format("ladder has an unknown step \"{}\": {}", step, kLadderFormat));
        }
        ladder.push_back(*parsed);
    }
    return ladder;
}

std::string format_ladder(const Ladder& ladder) {
    std::string out;
    for (const LadderStep& step : ladder) {
        if (!out.empty()) out += ',';
        out += action_kind_name(step.kind);
        if (step.kind == ActionKind::Mute) out += ":" + duration_token(step.mute_for);
    }
    return out;
}

LadderStep step_for_strike(const Ladder& ladder, size_t strike_number) {
    if (ladder.empty()) return LadderStep{};
    if (strike_number == 0) strike_number = 1;
    return ladder[std::min(strike_number, ladder.size()) - 1];
}

std::string describe_step(const LadderStep& step) {
    switch (step.kind) {
        case ActionKind::Warn:
            return "a warning";
        case ActionKind::Delete:
            return "message deleted";
        case ActionKind::Mute:
            return "muted for " + duration_words(step.mute_for);
        case ActionKind::Ban:
            return "banned";
    }
    return "a warning";
}

std::string explain_action(const LadderStep& step, Category category,
                           const std::optional<LadderStep>& next, std::string_view who) {
    std::string what;
    switch (step.kind) {
        case ActionKind::Warn:
            what = "this is a warning";
            break;
        case ActionKind::Delete:
            what = "your message was removed";
            break;
        case ActionKind::Mute:
            what = "your message was removed and you are " + describe_step(step);
            break;
        case ActionKind::Ban:
            what = "your message was removed and you are banned";
            break;
    }
    std::string out = fmt::format("{}, {} ({}).", who, what, category_name(category));
    if (next) out += fmt::format(" Next time: {}.", describe_step(*next));
    out += " If this is a mistake, reply /appeal.";
    return out;
}

}  // namespace bot::moderation
