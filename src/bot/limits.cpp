#include "bot/limits.h"

#include <algorithm>

#include "core/log.h"

namespace bot {

namespace {

using std::chrono::floor;

bool contains(const std::vector<int64_t>& ids, int64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

Limits::Limits(store::Store* store, LimitOptions options, core::Clock& clock)
    : store_(store), options_(std::move(options)), clock_(clock) {}

std::optional<std::string> Limits::admit(int64_t user_id, int64_t chat_id) {
    bool listed = !options_.allowed_users.empty() || !options_.allowed_chats.empty();
    if (listed && !contains(options_.allowed_users, user_id) &&
        !contains(options_.allowed_chats, chat_id)) {
        core::log::info("bot: user {} in chat {} is not on the allow-list", user_id, chat_id);
        return std::string(kNotAllowedText);
    }
    if (store_ == nullptr) return std::nullopt;
    core::WallTime now = clock_.wall_now();
    if (options_.chat_daily_tokens > 0) {
        auto day = floor<std::chrono::days>(now);
        auto used = store_->get_counter("tokens:chat:" + std::to_string(chat_id), day);
        if (!used) {
            core::log::warn("bot: token budget of chat {} unreadable: {}", chat_id,
                            used.error().message);
        } else if (*used >= options_.chat_daily_tokens) {
            return std::string(kBudgetText);
        }
    }
    if (options_.user_rate_per_minute > 0) {
        auto minute = floor<std::chrono::minutes>(now);
        auto count = store_->add_to_counter("rate:user:" + std::to_string(user_id), minute, 1,
                                            minute + std::chrono::minutes(2));
        if (!count) {
            core::log::warn("bot: rate counter of user {} failed: {}", user_id,
                            count.error().message);
        } else if (*count > options_.user_rate_per_minute) {
            // Told once per minute; further messages that minute are ignored quietly.
            bool first = *count == options_.user_rate_per_minute + 1;
            return first ? std::string(kRateLimitedText) : std::string();
        }
    }
    return std::nullopt;
}

void Limits::spend(int64_t chat_id, int64_t tokens) {
    if (store_ == nullptr || tokens <= 0) return;
    auto day = floor<std::chrono::days>(clock_.wall_now());
    auto total = store_->add_to_counter("tokens:chat:" + std::to_string(chat_id), day, tokens,
                                        day + std::chrono::days(2));
    if (!total) {
        core::log::warn("bot: token budget of chat {} not updated: {}", chat_id,
                        total.error().message);
    }
}

}  // namespace bot
