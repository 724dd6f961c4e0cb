// telegram::Client: the real BotApi over an HttpClient: POSTs JSON to {api_url}/bot{token}/{method},
// retries 5xx and transport failures with backoff and 429 after retry_after, all within the
// caller's deadline, and keeps the token out of every error and log line.
//   net::CurlHttpClient http;
//   telegram::Client api(http, {.token = cfg.token});
//   auto me = api.get_me(core::Deadline::after(std::chrono::seconds(10)));
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http_client.h"
#include "net/retry.h"
#include "telegram/bot_api.h"
#include "telegram/codec.h"

namespace telegram {

struct ClientOptions {
    std::string api_url = "https://api.telegram.org";
    std::string token{};
    core::Clock* clock = nullptr;  // nullptr: the system clock
    net::RetryPolicy retry{};
    // getUpdates' HTTP timeout is its long-poll timeout plus this.
    std::chrono::milliseconds long_poll_margin{10'000};
};

class Client final : public BotApi {
public:
    // Registers the token with core::register_secret.
    Client(net::HttpClient& http, ClientOptions opts);

    core::Result<User> get_me(core::Deadline deadline) override;
    core::Result<std::vector<Update>> get_updates(const GetUpdates& req,
                                                  core::Deadline deadline) override;
    core::Result<Message> send_message(const SendMessage& req, core::Deadline deadline) override;
    core::Result<Message> edit_message_text(const EditMessageText& req,
                                            core::Deadline deadline) override;
    core::Status delete_message(int64_t chat_id, int64_t message_id,
                                core::Deadline deadline) override;
    core::Status restrict_chat_member(int64_t chat_id, int64_t user_id,
                                      const ChatPermissions& permissions, int64_t until_date,
                                      core::Deadline deadline) override;
    core::Status ban_chat_member(int64_t chat_id, int64_t user_id, int64_t until_date,
                                 bool revoke_messages, core::Deadline deadline) override;
    core::Result<ChatMember> get_chat_member(int64_t chat_id, int64_t user_id,
                                             core::Deadline deadline) override;
    core::Status send_chat_action(int64_t chat_id, const std::string& action,
                                  core::Deadline deadline) override;
    core::Status set_webhook(const SetWebhook& req, core::Deadline deadline) override;
    core::Result<WebhookInfo> get_webhook_info(core::Deadline deadline) override;
    core::Status delete_webhook(bool drop_pending_updates, core::Deadline deadline) override;

    // Any Bot API method: its "result", after retries. http_timeout limits each try (0: none
    // beyond the deadline).
    core::Result<Json> call(std::string_view method, const Json& params, core::Deadline deadline,
                            std::chrono::milliseconds http_timeout = std::chrono::milliseconds(0));

private:
    core::Result<Json> call_once(std::string_view method, const std::string& body,
                                 core::Deadline deadline, std::chrono::milliseconds http_timeout);
    template <class T>
    core::Result<T> call_as(std::string_view method, const Json& params, core::Deadline deadline,
                            std::chrono::milliseconds http_timeout = std::chrono::milliseconds(0));
    core::Status call_status(std::string_view method, const Json& params, core::Deadline deadline);

    net::HttpClient& http_;
    ClientOptions opts_;
    core::Clock& clock_;
};

}  // namespace telegram
