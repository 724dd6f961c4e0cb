// Replying with the method: a webhook's HTTP response body may carry one Bot API call
// ({"method":"sendMessage",...params}) that Telegram then makes, saving a request. MethodReplyApi
// wraps the real BotApi; while a Capture is open on a thread, the calls made on that thread whose
// result the caller does not use are held back, one at a time, and the last one left at the end
// is taken for the response. A call whose result is used is always made for real (after the held
// one, so the order is kept).
//   runtime::MethodReplyApi api(client);          // give `api` to the bot
//   runtime::MethodReplyApi::Capture cap(api);    // per update, on the handling thread
//   bot.handle(update, deadline);
//   std::optional<nlohmann::json> body = cap.take();   // the response body, if any
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "telegram/bot_api.h"

namespace runtime {

class MethodReplyApi final : public telegram::BotApi {
public:
    explicit MethodReplyApi(telegram::BotApi& inner) : inner_(inner) {}

    // Deferral for the calls this thread makes through `api` until take() or destruction. Not
    // nestable per thread. Destroyed without take(), it makes the held call for real.
    class Capture {
    public:
        explicit Capture(MethodReplyApi& api);
        ~Capture();
        Capture(const Capture&) = delete;
        Capture& operator=(const Capture&) = delete;

        // The held call as a webhook response body, removed; later calls are made for real.
        std::optional<nlohmann::json> take();
        // Held calls made for real because another call followed, and how many of those failed
        // (the handler had been told they succeeded; the transport logs and counts them).
        int flushed() const { return flushed_; }
        int flush_failures() const { return flush_failures_; }

    private:
        friend class MethodReplyApi;
        MethodReplyApi& api_;
        Capture* previous_ = nullptr;
        bool open_ = true;
        std::optional<nlohmann::json> held_;       // {"method":..., params}
        std::function<core::Status()> held_call_;  // makes it for real
        int flushed_ = 0;
        int flush_failures_ = 0;
    };

    // Held back (when a Capture is open): send_message with result_unused, and the calls that
    // only return a Status (delete, restrict, ban, chat action). The rest are made at once.
    core::Result<telegram::User> get_me(core::Deadline deadline) override;
    core::Result<std::vector<telegram::Update>> get_updates(const telegram::GetUpdates& req,
                                                            core::Deadline deadline) override;
    core::Result<telegram::Message> send_message(const telegram::SendMessage& req,
                                                 core::Deadline deadline) override;
    core::Result<telegram::Message> edit_message_text(const telegram::EditMessageText& req,
                                                      core::Deadline deadline) override;
    core::Status delete_message(int64_t chat_id, int64_t message_id,
                                core::Deadline deadline) override;
    core::Status restrict_chat_member(int64_t chat_id, int64_t user_id,
                                      const telegram::ChatPermissions& permissions,
                                      int64_t until_date, core::Deadline deadline) override;
    core::Status ban_chat_member(int64_t chat_id, int64_t user_id, int64_t until_date,
                                 bool revoke_messages, core::Deadline deadline) override;
    core::Result<telegram::ChatMember> get_chat_member(int64_t chat_id, int64_t user_id,
                                                       core::Deadline deadline) override;
    core::Status send_chat_action(int64_t chat_id, const std::string& action,
                                  core::Deadline deadline) override;
    core::Status set_webhook(const telegram::SetWebhook& req, core::Deadline deadline) override;
    core::Result<telegram::WebhookInfo> get_webhook_info(core::Deadline deadline) override;
    core::Status delete_webhook(bool drop_pending_updates, core::Deadline deadline) override;

private:
    // This thread's open Capture on this api, or null.
    Capture* capture() const;
    // Makes the held call (if any) for real; called before every other call.
    void flush();
    // Holds `body` when a Capture is open (after flushing the previous one); false otherwise.
    bool hold(nlohmann::json body, std::function<core::Status()> call);

    telegram::BotApi& inner_;
};

}  // namespace runtime
