// Who may ask and how much: an optional allow-list of users and chats, a per-user rate limit
// (messages per minute) and a per-chat daily token budget, counted in the Store so they hold
// across restarts and processes.
//   bot::Limits limits(store, opts, clock);  if (auto no = limits.admit(user, chat)) reply(*no);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace bot {

struct LimitOptions {
    std::vector<int64_t> allowed_users;  // with allowed_chats: empty both = everyone
    std::vector<int64_t> allowed_chats;
    int user_rate_per_minute = 10;  // 0 = no limit
    int64_t chat_daily_tokens = 0;  // 0 = no limit
};

inline constexpr const char* kNotAllowedText =
    "Sorry, I only answer the people and chats my operator has allowed.";
inline constexpr const char* kRateLimitedText =
    "You are sending messages faster than I can answer. Please wait a minute and ask again.";
inline constexpr const char* kBudgetText =
    "I have answered as much as I can in this chat today. Please come back tomorrow.";

class Limits {
public:
    Limits(store::Store* store, LimitOptions options, core::Clock& clock);

    // Why the question must not be answered (the text to reply), an empty string when the bot
    // should stay silent (the user was already told this minute), or nullopt when it may be.
    // Counts the message against the user's rate. Store errors are logged and let it through.
    std::optional<std::string> admit(int64_t user_id, int64_t chat_id);
    // Adds an answer's tokens to the chat's budget for today (UTC).
    void spend(int64_t chat_id, int64_t tokens);

private:
    store::Store* store_;
    LimitOptions options_;
    core::Clock& clock_;
};

}  // namespace bot
