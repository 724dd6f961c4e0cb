// BotApi: the Bot API methods the bot uses, as an interface. Implemented by telegram::Client (real
// HTTP, retries) and by fakes and the console transport; the bot layer sees only this.
//   auto sent = api.send_message({.chat_id = id, .text = "hello"}, deadline);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "telegram/types.h"

namespace telegram {

// Telegram's limit for one message's text, in characters (UTF-16 code units).
inline constexpr size_t kMaxMessageLength = 4096;

struct SendMessage {
    int64_t chat_id = 0;
    std::string text{};
    std::optional<std::string> parse_mode{};       // "MarkdownV2", "HTML" or none (plain text)
    std::optional<int64_t> reply_to_message_id{};  // sent as reply_parameters
    bool allow_sending_without_reply = true;       // in reply_parameters
    std::optional<int64_t> message_thread_id{};
    bool disable_notification = false;
    bool disable_web_page_preview = true;  // sent as link_preview_options
    // Not sent. The caller ignores the returned Message (and accepts not learning of a failure):
    // a webhook may then carry this call in its HTTP response (runtime::MethodReplyApi).
    bool result_unused = false;
};

struct EditMessageText {
    int64_t chat_id = 0;
    int64_t message_id = 0;
    std::string text{};
    std::optional<std::string> parse_mode{};
};

struct GetUpdates {
    std::optional<int64_t> offset{};
    int limit = 100;
    int timeout_s = 30;  // long-polling timeout
    std::vector<std::string> allowed_updates{};
};

struct SetWebhook {
    std::string url{};
    std::optional<std::string> secret_token{};
    std::vector<std::string> allowed_updates{};
    bool drop_pending_updates = false;
    std::optional<int> max_connections{};
};

class BotApi {
public:
    virtual ~BotApi() = default;

    virtual core::Result<User> get_me(core::Deadline deadline) = 0;
    virtual core::Result<std::vector<Update>> get_updates(const GetUpdates& req,
                                                          core::Deadline deadline) = 0;
    // Sends one message; the text must fit in kMaxMessageLength (see split_message).
    virtual core::Result<Message> send_message(const SendMessage& req, core::Deadline deadline) = 0;
    virtual core::Result<Message> edit_message_text(const EditMessageText& req,
                                                    core::Deadline deadline) = 0;
    virtual core::Status delete_message(int64_t chat_id, int64_t message_id,
                                        core::Deadline deadline) = 0;
    // until_date: unix seconds; 0 means forever.
    virtual core::Status restrict_chat_member(int64_t chat_id, int64_t user_id,
                                              const ChatPermissions& permissions,
                                              int64_t until_date, core::Deadline deadline) = 0;
    virtual core::Status ban_chat_member(int64_t chat_id, int64_t user_id, int64_t until_date,
                                         bool revoke_messages, core::Deadline deadline) = 0;
    virtual core::Result<ChatMember> get_chat_member(int64_t chat_id, int64_t user_id,
                                                     core::Deadline deadline) = 0;
    virtual core::Status send_chat_action(int64_t chat_id, const std::string& action,
                                          core::Deadline deadline) = 0;
    virtual core::Status set_webhook(const SetWebhook& req, core::Deadline deadline) = 0;
    virtual core::Result<WebhookInfo> get_webhook_info(core::Deadline deadline) = 0;
    virtual core::Status delete_webhook(bool drop_pending_updates, core::Deadline deadline) = 0;
};

}  // namespace telegram
