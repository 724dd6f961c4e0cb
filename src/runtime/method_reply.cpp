#include "runtime/method_reply.h"

#include "core/log.h"
#include "telegram/codec.h"

namespace runtime {

using Json = nlohmann::json;

namespace {

// The open Capture of this thread (a worker handles one update at a time).
thread_local MethodReplyApi::Capture* t_capture = nullptr;

}  // namespace

MethodReplyApi::Capture::Capture(MethodReplyApi& api) : api_(api), previous_(t_capture) {
    t_capture = this;
}

MethodReplyApi::Capture::~Capture() {
    api_.flush();  // nobody took the held call: it must still happen
    t_capture = previous_;
}

std::optional<Json> MethodReplyApi::Capture::take() {
    open_ = false;
    held_call_ = nullptr;
    return std::exchange(held_, std::nullopt);
}

MethodReplyApi::Capture* MethodReplyApi::capture() const {
    Capture* c = t_capture;
    return c != nullptr && &c->api_ == this ? c : nullptr;
}

void MethodReplyApi::flush() {
    Capture* c = capture();
    if (c == nullptr || !c->held_call_) return;
    std::function<core::Status()> call = std::move(c->held_call_);
    std::string method = c->held_->value("method", "?");
    c->held_call_ = nullptr;
    c->held_.reset();
    ++c->flushed_;
    core::Status st = call();
    if (!st) {
        ++c->flush_failures_;
        core::log::warn("webhook reply: {} failed after the bot was told it was sent: {}", method,
                        st.error().message);
    }
}

bool MethodReplyApi::hold(Json body, std::function<core::Status()> call) {
    flush();
    Capture* c = capture();
    if (c == nullptr || !c->open_) return false;
    c->held_ = std::move(body);
    c->held_call_ = std::move(call);
    return true;
}

core::Result<telegram::User> MethodReplyApi::get_me(core::Deadline deadline) {
    flush();
    return inner_.get_me(deadline);
}

core::Result<std::vector<telegram::Update>> MethodReplyApi::get_updates(
    const telegram::GetUpdates& req, core::Deadline deadline) {
    flush();
    return inner_.get_updates(req, deadline);
}

core::Result<telegram::Message> MethodReplyApi::send_message(const telegram::SendMessage& req,
                                                             core::Deadline deadline) {
    if (!req.result_unused) {
        flush();
        return inner_.send_message(req, deadline);
    }
    Json body = telegram::encode(req);
    body["method"] = "sendMessage";
    auto call = [this, req, deadline]() -> core::Status {
        auto sent = inner_.send_message(req, deadline);
        if (!sent) return core::fail(std::move(sent).error());
        return core::ok();
    };
    if (!hold(std::move(body), call)) return inner_.send_message(req, deadline);
    // The caller said it ignores the result: a placeholder (message_id 0) stands for it.
    telegram::Message placeholder;
    placeholder.chat.id = req.chat_id;
    placeholder.text = req.text;
    return placeholder;
}

core::Result<telegram::Message> MethodReplyApi::edit_message_text(
    const telegram::EditMessageText& req, core::Deadline deadline) {
    flush();
    return inner_.edit_message_text(req, deadline);
}

core::Status MethodReplyApi::delete_message(int64_t chat_id, int64_t message_id,
                                            core::Deadline deadline) {
    Json body = {{"method", "deleteMessage"}, {"chat_id", chat_id}, {"message_id", message_id}};
    auto call = [this, chat_id, message_id, deadline] {
        return inner_.delete_message(chat_id, message_id, deadline);
    };
    if (hold(std::move(body), call)) return core::ok();
    return call();
}

core::Status MethodReplyApi::restrict_chat_member(int64_t chat_id, int64_t user_id,
                                                  const telegram::ChatPermissions& permissions,
                                                  int64_t until_date, core::Deadline deadline) {
    // The same parameters as telegram::Client sends.
    Json body = {{"method", "restrictChatMember"},
                 {"chat_id", chat_id},
                 {"user_id", user_id},
                 {"permissions", telegram::encode(permissions)},
                 {"use_independent_chat_permissions", true},
                 {"until_date", until_date}};
    auto call = [this, chat_id, user_id, permissions, until_date, deadline] {
        return inner_.restrict_chat_member(chat_id, user_id, permissions, until_date, deadline);
    };
    if (hold(std::move(body), call)) return core::ok();
    return call();
}

core::Status MethodReplyApi::ban_chat_member(int64_t chat_id, int64_t user_id, int64_t until_date,
                                             bool revoke_messages, core::Deadline deadline) {
    Json body = {{"method", "banChatMember"},
                 {"chat_id", chat_id},
                 {"user_id", user_id},
                 {"until_date", until_date},
                 {"revoke_messages", revoke_messages}};
    auto call = [this, chat_id, user_id, until_date, revoke_messages, deadline] {
        return inner_.ban_chat_member(chat_id, user_id, until_date, revoke_messages, deadline);
    };
    if (hold(std::move(body), call)) return core::ok();
    return call();
}

core::Result<telegram::ChatMember> MethodReplyApi::get_chat_member(int64_t chat_id, int64_t user_id,
                                                                   core::Deadline deadline) {
    flush();
    return inner_.get_chat_member(chat_id, user_id, deadline);
}

core::Status MethodReplyApi::send_chat_action(int64_t chat_id, const std::string& action,
                                              core::Deadline deadline) {
    Json body = {{"method", "sendChatAction"}, {"chat_id", chat_id}, {"action", action}};
    auto call = [this, chat_id, action, deadline] {
        return inner_.send_chat_action(chat_id, action, deadline);
    };
    if (hold(std::move(body), call)) return core::ok();
    return call();
}

core::Status MethodReplyApi::set_webhook(const telegram::SetWebhook& req, core::Deadline deadline) {
    flush();
    return inner_.set_webhook(req, deadline);
}

core::Result<telegram::WebhookInfo> MethodReplyApi::get_webhook_info(core::Deadline deadline) {
    flush();
    return inner_.get_webhook_info(deadline);
}

core::Status MethodReplyApi::delete_webhook(bool drop_pending_updates, core::Deadline deadline) {
    flush();
    return inner_.delete_webhook(drop_pending_updates, deadline);
}

}  // namespace runtime
