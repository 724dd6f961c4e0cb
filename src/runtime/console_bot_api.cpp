// ConsoleBotApi: every Bot API call printed for a person to read (see console.h).
#include <fmt/format.h>

#include <ostream>

#include "core/strings.h"
#include "runtime/console.h"

namespace runtime {

telegram::User console_bot_user(const std::string& bot_name) {
    telegram::User me;
    me.id = 42;
    me.is_bot = true;
    me.first_name = bot_name;
    std::string username;
    for (char c : core::to_lower_ascii(bot_name)) {
        bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (word) username += c;
    }
    me.username = (username.empty() ? std::string("lambdagram") : username) + "_bot";
    return me;
}

ConsoleBotApi::ConsoleBotApi(std::ostream& out, telegram::User me)
    : out_(out), me_(std::move(me)) {}

int64_t ConsoleBotApi::take_message_id() {
    std::lock_guard<std::mutex> lock(mu_);
    return next_message_id_++;
}

void ConsoleBotApi::name_chat(int64_t chat_id, std::string description) {
    std::lock_guard<std::mutex> lock(mu_);
    chat_names_[chat_id] = std::move(description);
}

std::optional<telegram::Message> ConsoleBotApi::last_bot_message(int64_t chat_id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = last_bot_message_.find(chat_id);
    if (it == last_bot_message_.end()) return std::nullopt;
    return it->second;
}

int64_t ConsoleBotApi::calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
}

std::string ConsoleBotApi::chat_name(int64_t chat_id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = chat_names_.find(chat_id);
    if (it == chat_names_.end()) return std::to_string(chat_id);
    return fmt::format("{} ({})", chat_id, it->second);
}

void ConsoleBotApi::print_call(const std::string& call, const std::string& body) {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    out_ << "  bot -> " << call << "\n";
    if (!body.empty()) {
        for (const auto& line : core::split(body, '\n')) out_ << "         | " << line << "\n";
    }
    out_.flush();
}

core::Result<telegram::User> ConsoleBotApi::get_me(core::Deadline) {
    print_call("getMe()");
    return me_;
}

core::Result<std::vector<telegram::Update>> ConsoleBotApi::get_updates(
    const telegram::GetUpdates& req, core::Deadline) {
    print_call(fmt::format("getUpdates(offset={}, timeout={})",
                           req.offset ? std::to_string(*req.offset) : "none", req.timeout_s));
    return std::vector<telegram::Update>{};
}

core::Result<telegram::Message> ConsoleBotApi::send_message(const telegram::SendMessage& req,
                                                            core::Deadline) {
    std::string args = "chat=" + chat_name(req.chat_id);
    if (req.reply_to_message_id) args += fmt::format(", reply_to=#{}", *req.reply_to_message_id);
    if (req.message_thread_id) args += fmt::format(", thread={}", *req.message_thread_id);
    if (req.parse_mode) args += ", parse_mode=" + *req.parse_mode;
    telegram::Message sent;
    sent.message_id = take_message_id();
    sent.from = me_;
    sent.chat.id = req.chat_id;
    sent.chat.type = req.chat_id < 0 ? "supergroup" : "private";
    sent.text = req.text;
    print_call(fmt::format("sendMessage({}) -> message #{}", args, sent.message_id), req.text);
    std::lock_guard<std::mutex> lock(mu_);
    last_bot_message_[req.chat_id] = sent;
    return sent;
}

core::Result<telegram::Message> ConsoleBotApi::edit_message_text(
    const telegram::EditMessageText& req, core::Deadline) {
    print_call(fmt::format("editMessageText(chat={}, message=#{})", chat_name(req.chat_id),
                           req.message_id),
               req.text);
    telegram::Message m;
    m.message_id = req.message_id;
    m.from = me_;
    m.chat.id = req.chat_id;
    m.text = req.text;
    return m;
}

core::Status ConsoleBotApi::delete_message(int64_t chat_id, int64_t message_id, core::Deadline) {
    print_call(fmt::format("deleteMessage(chat={}, message=#{})", chat_name(chat_id), message_id));
    return core::ok();
}

core::Status ConsoleBotApi::restrict_chat_member(int64_t chat_id, int64_t user_id,
                                                 const telegram::ChatPermissions& permissions,
                                                 int64_t until_date, core::Deadline) {
    bool can_send = permissions.can_send_messages.value_or(true);
    print_call(fmt::format("restrictChatMember(chat={}, user={}, can_send_messages={}, until={})",
                           chat_name(chat_id), user_id, can_send,
                           until_date == 0 ? std::string("forever") : std::to_string(until_date)));
    return core::ok();
}

core::Status ConsoleBotApi::ban_chat_member(int64_t chat_id, int64_t user_id, int64_t until_date,
                                            bool revoke_messages, core::Deadline) {
    print_call(fmt::format("banChatMember(chat={}, user={}, until={}, revoke_messages={})",
                           chat_name(chat_id), user_id,
                           until_date == 0 ? std::string("forever") : std::to_string(until_date),
                           revoke_messages));
    return core::ok();
}

core::Result<telegram::ChatMember> ConsoleBotApi::get_chat_member(int64_t chat_id, int64_t user_id,
                                                                  core::Deadline) {
    print_call(fmt::format("getChatMember(chat={}, user={})", chat_name(chat_id), user_id));
    telegram::ChatMember m;
    // In the console the bot is the group's admin and everyone else a plain member.
    m.status = user_id == me_.id ? "administrator" : "member";
    m.user.id = user_id;
    if (user_id == me_.id) {
        m.user = me_;
        m.can_delete_messages = true;
        m.can_restrict_members = true;
    }
    return m;
}

core::Status ConsoleBotApi::send_chat_action(int64_t chat_id, const std::string& action,
                                             core::Deadline) {
    print_call(fmt::format("sendChatAction(chat={}, action={})", chat_name(chat_id), action));
    return core::ok();
}

core::Status ConsoleBotApi::set_webhook(const telegram::SetWebhook& req, core::Deadline) {
    print_call(fmt::format("setWebhook(url={})", req.url));
    return core::ok();
}

core::Result<telegram::WebhookInfo> ConsoleBotApi::get_webhook_info(core::Deadline) {
    print_call("getWebhookInfo()");
    return telegram::WebhookInfo{};
}

core::Status ConsoleBotApi::delete_webhook(bool drop_pending_updates, core::Deadline) {
    print_call(fmt::format("deleteWebhook(drop_pending_updates={})", drop_pending_updates));
    return core::ok();
}

}  // namespace runtime
