// Secret redaction: every log line and every error text that may reach a user passes through
// redact(), which hides registered secrets (API keys, webhook secrets) and anything shaped like a
// Telegram bot token, also inside Bot API URLs (https://api.telegram.org/bot<token>/getMe).
//   core::register_secret(cfg.openai_api_key);
//   log::info("calling {}", core::redact(url));   // log:: does this itself
#pragma once

#include <string>
#include <string_view>

namespace core {

inline constexpr std::string_view kRedacted = "***";

// Registers a secret for redaction (process-wide, thread-safe). Strings shorter than 4
// characters are ignored: hiding them would mangle ordinary text.
void register_secret(std::string_view secret);

// Forgets all registered secrets (tests).
void clear_secrets_for_testing();

// `text` with every registered secret and every bot-token-shaped string replaced by "***".
std::string redact(std::string_view text);

// True when `text` looks like a Telegram bot token: 5-15 digits, ':', 30+ of [A-Za-z0-9_-].
bool looks_like_bot_token(std::string_view text);

}  // namespace core
