#include "telegram/client.h"

#include "core/log.h"
#include "core/redact.h"
#include "core/strings.h"

namespace telegram {

using std::chrono::milliseconds;

Client::Client(net::HttpClient& http, ClientOptions opts)
    : http_(http),
      opts_(std::move(opts)),
      clock_(opts_.clock != nullptr ? *opts_.clock : core::SystemClock::instance()) {
    core::register_secret(opts_.token);
    while (core::ends_with(opts_.api_url, "/")) opts_.api_url.pop_back();
}

core::Result<Json> Client::call_once(std::string_view method, const std::string& body,
                                     core::Deadline deadline, milliseconds http_timeout) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = opts_.api_url + "/bot" + opts_.token + "/" + std::string(method);
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = body;
    req.timeout = http_timeout;
    auto resp = http_.send(req, deadline);
    if (!resp) {
        core::Error e = std::move(resp).error();
        e.message = core::redact("telegram: " + std::string(method) + ": " + e.message);
        return core::fail(std::move(e));
    }
    return parse_reply(method, resp->status, resp->body);
}

core::Result<Json> Client::call(std::string_view method, const Json& params,
                                core::Deadline deadline, milliseconds http_timeout) {
    const std::string body = params.is_null() ? "{}" : params.dump();
    net::Backoff backoff(opts_.retry, clock_, deadline);
    for (;;) {
        if (deadline.expired(clock_)) {
            return core::fail(core::ErrorCode::Timeout,
                              "telegram: " + std::string(method) +
                                  ": the deadline passed before the call could be made");
        }
        auto r = call_once(method, body, deadline, http_timeout);
        if (r) return r;
        const core::Error& e = r.error();
        auto delay = backoff.next_delay(e);
        if (!delay) return r;
        core::log::warn("{} (retrying in {} ms, attempt {} of {})", e.message, delay->count(),
                        backoff.attempts(), opts_.retry.max_attempts);
        if (delay->count() > 0) clock_.sleep_for(*delay);
    }
}

template <class T>
core::Result<T> Client::call_as(std::string_view method, const Json& params,
                                core::Deadline deadline, milliseconds http_timeout) {
    auto j = call(method, params, deadline, http_timeout);
    if (!j) return core::fail(std::move(j).error());
    auto v = decode<T>(*j);
    if (!v) {
        std::string why = v.error().message;
        if (core::starts_with(why, "telegram: ")) why = why.substr(10);
        return core::fail(core::ErrorCode::Parse,
                          "telegram: " + std::string(method) + ": unexpected result: " + why);
    }
    return v;
}

core::Status Client::call_status(std::string_view method, const Json& params,
                                 core::Deadline deadline) {
    auto j = call(method, params, deadline);
    if (!j) return core::fail(std::move(j).error());
    return core::ok();
}

core::Result<User> Client::get_me(core::Deadline deadline) {
    return call_as<User>("getMe", Json::object(), deadline);
}

core::Result<std::vector<Update>> Client::get_updates(const GetUpdates& req,
                                                      core::Deadline deadline) {
    milliseconds http_timeout = std::chrono::seconds(std::max(0, req.timeout_s));
    http_timeout += opts_.long_poll_margin;
    return call_as<std::vector<Update>>("getUpdates", encode(req), deadline, http_timeout);
}

core::Result<Message> Client::send_message(const SendMessage& req, core::Deadline deadline) {
    return call_as<Message>("sendMessage", encode(req), deadline);
}

core::Result<Message> Client::edit_message_text(const EditMessageText& req,
                                                core::Deadline deadline) {
    return call_as<Message>("editMessageText", encode(req), deadline);
}

core::Status Client::delete_message(int64_t chat_id, int64_t message_id, core::Deadline deadline) {
    return call_status("deleteMessage", {{"chat_id", chat_id}, {"message_id", message_id}},
                       deadline);
}

core::Status Client::restrict_chat_member(int64_t chat_id, int64_t user_id,
                                          const ChatPermissions& permissions, int64_t until_date,
                                          core::Deadline deadline) {
    Json params = {{"chat_id", chat_id},
                   {"user_id", user_id},
                   {"permissions", encode(permissions)},
                   {"use_independent_chat_permissions", true},
                   {"until_date", until_date}};
    return call_status("restrictChatMember", params, deadline);
}

core::Status Client::ban_chat_member(int64_t chat_id, int64_t user_id, int64_t until_date,
                                     bool revoke_messages, core::Deadline deadline) {
    Json params = {{"chat_id", chat_id},
                   {"user_id", user_id},
                   {"until_date", until_date},
                   {"revoke_messages", revoke_messages}};
    return call_status("banChatMember", params, deadline);
}

core::Result<ChatMember> Client::get_chat_member(int64_t chat_id, int64_t user_id,
                                                 core::Deadline deadline) {
    return call_as<ChatMember>("getChatMember", {{"chat_id", chat_id}, {"user_id", user_id}},
                               deadline);
}

core::Status Client::send_chat_action(int64_t chat_id, const std::string& action,
                                      core::Deadline deadline) {
    return call_status("sendChatAction", {{"chat_id", chat_id}, {"action", action}}, deadline);
}

core::Status Client::set_webhook(const SetWebhook& req, core::Deadline deadline) {
    if (req.secret_token) core::register_secret(*req.secret_token);
    return call_status("setWebhook", encode(req), deadline);
}

core::Result<WebhookInfo> Client::get_webhook_info(core::Deadline deadline) {
    return call_as<WebhookInfo>("getWebhookInfo", Json::object(), deadline);
}

core::Status Client::delete_webhook(bool drop_pending_updates, core::Deadline deadline) {
    return call_status("deleteWebhook", {{"drop_pending_updates", drop_pending_updates}}, deadline);
}

}  // namespace telegram
