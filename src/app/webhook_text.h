// Text helpers of `lambdagram webhook`: a random webhook secret, and getWebhookInfo in plain words.
//   auto secret = app::generate_webhook_secret();   // 43 URL-safe characters
//   std::cout << app::describe_webhook_info(info, std::time(nullptr));
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "telegram/types.h"

namespace app {

// 32 random bytes (OpenSSL RAND_bytes) as unpadded base64url: valid as Telegram's secret_token.
core::Result<std::string> generate_webhook_secret();

// "url: ...\npending updates: 3\nlast error: 5 minutes ago: ... (what it means)\n"
std::string describe_webhook_info(const telegram::WebhookInfo& info, int64_t now_unix);

// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
std::string time_ago(int64_t then_unix, int64_t now_unix);

// What Telegram's last_error_message means, in a sentence; empty when unknown.
std::string explain_webhook_error(const std::string& message);

}  // namespace app
