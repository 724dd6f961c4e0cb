// RecordingBotApi: an in-memory BotApi for bot and runtime tests. Records every sendMessage,
// and editMessageText and sendChatAction, answers getMe with a fixed bot, and can be told to fail
// the next sends or edits.
//   tests::RecordingBotApi api;  bot::Bot bot(api, {}, clock);  ... api.sent[0].text ...
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "telegram/bot_api.h"

namespace tests {

class RecordingBotApi : public telegram::BotApi {
public:
    RecordingBotApi() {
        me.id = 42;
        me.is_bot = true;
        me.first_name = "Vecihi";
        me.username = "vecihi_bot";
    }

    telegram::User me;
    std::vector<telegram::SendMessage> sent;
    int get_me_calls = 0;
    std::deque<core::Error> send_failures;  // consumed one per send_message
    std::vector<telegram::EditMessageText> edits;
    std::deque<core::Error> edit_failures;                 // consumed one per edit_message_text
    std::vector<std::pair<int64_t, std::string>> actions;  // sendChatAction (chat, action)

    core::Result<telegram::User> get_me(core::Deadline) override {
        ++get_me_calls;
        return me;
    }
    core::Result<std::vector<telegram::Update>> get_updates(const telegram::GetUpdates&,
                                                            core::Deadline) override {
        return std::vector<telegram::Update>{};
    }
    core::Result<telegram::Message> send_message(const telegram::SendMessage& req,
                                                 core::Deadline) override {
        if (!send_failures.empty()) {
            core::Error e = send_failures.front();
            send_failures.pop_front();
            return core::fail(e);
        }
        sent.push_back(req);
        telegram::Message m;
        m.message_id = 1000 + static_cast<int64_t>(sent.size());
        m.chat.id = req.chat_id;
        m.text = req.text;
        return m;
    }
    core::Result<telegram::Message> edit_message_text(const telegram::EditMessageText& req,
                                                      core::Deadline) override {
        if (!edit_failures.empty()) {
            core::Error e = edit_failures.front();
            edit_failures.pop_front();
            return core::fail(e);
        }
        edits.push_back(req);
        telegram::Message m;
        m.message_id = req.message_id;
        m.chat.id = req.chat_id;
        m.text = req.text;
        return m;
    }
    core::Status delete_message(int64_t, int64_t, core::Deadline) override { return core::ok(); }
    core::Status restrict_chat_member(int64_t, int64_t, const telegram::ChatPermissions&, int64_t,
                                      core::Deadline) override {
        return core::ok();
    }
    core::Status ban_chat_member(int64_t, int64_t, int64_t, bool, core::Deadline) override {
        return core::ok();
    }
    core::Result<telegram::ChatMember> get_chat_member(int64_t, int64_t, core::Deadline) override {
        return telegram::ChatMember{};
    }
    core::Status send_chat_action(int64_t chat_id, const std::string& action,
                                  core::Deadline) override {
        actions.emplace_back(chat_id, action);
        return core::ok();
    }
    core::Status set_webhook(const telegram::SetWebhook&, core::Deadline) override {
        return core::ok();
    }
    core::Result<telegram::WebhookInfo> get_webhook_info(core::Deadline) override {
        return telegram::WebhookInfo{};
    }
    core::Status delete_webhook(bool, core::Deadline) override { return core::ok(); }
};

// A text message update from user 7 ("alice"); a negative chat id makes a supergroup.
inline telegram::Update text_update(int64_t update_id, int64_t chat_id, const std::string& text) {
    telegram::Update u;
    u.update_id = update_id;
    telegram::Message m;
    m.message_id = 100 + update_id;
    telegram::User from;
    from.id = 7;
    from.first_name = "Alice";
    from.username = "alice";
    m.from = from;
    m.chat.id = chat_id;
    m.chat.type = chat_id < 0 ? "supergroup" : "private";
    m.date = 1'700'000'000;
    m.text = text;
    u.message = m;
    return u;
}

}  // namespace tests
