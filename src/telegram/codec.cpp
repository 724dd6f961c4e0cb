// Decoders and the reply envelope of telegram/codec.h. Inside this file a wrong field throws
// DecodeError; decode<T> turns it into a core::Error, so nothing escapes.
#include "telegram/codec.h"

#include <string>

#include "core/redact.h"
#include "core/strings.h"

namespace telegram {
namespace {

struct DecodeError {
    std::string message;
};

const char* kind_of(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::number_float:
            return "a fractional number";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        default:
            return "an unsupported value";
    }
}

[[noreturn]] void wrong(const Json& j, const std::string& path, const char* expected) {
    std::string where = path.empty() ? "the value" : path;
    throw DecodeError{"telegram: " + where + " is " + kind_of(j) + ", expected " + expected};
}

std::string sub(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
}

void read(const Json& j, const std::string& path, int64_t& out) {
    if (j.is_number_unsigned()) {
        if (j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            wrong(j, path, "a 64-bit integer");
        out = static_cast<int64_t>(j.get<uint64_t>());
    } else if (j.is_number_integer()) {
        out = j.get<int64_t>();
    } else {
        wrong(j, path, "an integer");
    }
}
void read(const Json& j, const std::string& path, bool& out) {
    if (!j.is_boolean()) wrong(j, path, "a boolean");
    out = j.get<bool>();
}
void read(const Json& j, const std::string& path, std::string& out) {
    if (!j.is_string()) wrong(j, path, "a string");
    out = j.get<std::string>();
}
void read(const Json& j, const std::string& path, User& out);
void read(const Json& j, const std::string& path, Chat& out);
void read(const Json& j, const std::string& path, MessageEntity& out);
void read(const Json& j, const std::string& path, Message& out);
void read(const Json& j, const std::string& path, ChatMember& out);
void read(const Json& j, const std::string& path, MessageOrigin& out);
void read(const Json& j, const std::string& path, ChatPermissions& out);
void read(const Json& j, const std::string& path, ChatMemberUpdated& out);
void read(const Json& j, const std::string& path, Update& out);
void read(const Json& j, const std::string& path, ResponseParameters& out);
void read(const Json& j, const std::string& path, WebhookInfo& out);

template <class T>
void read(const Json& j, const std::string& path, std::vector<T>& out) {
    if (!j.is_array()) wrong(j, path, "an array");
    out.clear();
    for (size_t i = 0; i < j.size(); ++i) {
        T item{};
        read(j[i], path + "[" + std::to_string(i) + "]", item);
        out.push_back(std::move(item));
    }
}

void expect_object(const Json& j, const std::string& path) {
    if (!j.is_object()) wrong(j, path, "an object");
}

// An absent or null field leaves `out` as it is.
template <class T>
void opt(const Json& o, const char* key, const std::string& path, T& out) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return;
    read(*it, sub(path, key), out);
}
template <class T>
void opt(const Json& o, const char* key, const std::string& path, std::optional<T>& out) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return;
    T v{};
    read(*it, sub(path, key), v);
    out = std::move(v);
}
template <class T>
void req(const Json& o, const char* key, const std::string& path, T& out) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
        throw DecodeError{"telegram: " + sub(path, key) + " is missing"};
    }
    read(*it, sub(path, key), out);
}

void read(const Json& j, const std::string& path, User& out) {
    expect_object(j, path);
    req(j, "id", path, out.id);
    opt(j, "is_bot", path, out.is_bot);
    opt(j, "first_name", path, out.first_name);
    opt(j, "last_name", path, out.last_name);
    opt(j, "username", path, out.username);
    opt(j, "language_code", path, out.language_code);
}

void read(const Json& j, const std::string& path, Chat& out) {
    expect_object(j, path);
    req(j, "id", path, out.id);
    opt(j, "type", path, out.type);
    opt(j, "title", path, out.title);
    opt(j, "username", path, out.username);
    opt(j, "first_name", path, out.first_name);
    opt(j, "last_name", path, out.last_name);
}

void read(const Json& j, const std::string& path, MessageEntity& out) {
    expect_object(j, path);
    req(j, "type", path, out.type);
    req(j, "offset", path, out.offset);
    req(j, "length", path, out.length);
    opt(j, "url", path, out.url);
    opt(j, "user", path, out.user);
    opt(j, "language", path, out.language);
}

void read(const Json& j, const std::string& path, MessageOrigin& out) {
    expect_object(j, path);
    req(j, "type", path, out.type);
    opt(j, "date", path, out.date);
    opt(j, "sender_user", path, out.sender_user);
    opt(j, "sender_user_name", path, out.sender_user_name);
    opt(j, "sender_chat", path, out.sender_chat);
    if (out.type == "channel") opt(j, "chat", path, out.sender_chat);
}

void read(const Json& j, const std::string& path, Message& out) {
    expect_object(j, path);
    req(j, "message_id", path, out.message_id);
    opt(j, "message_thread_id", path, out.message_thread_id);
    opt(j, "from", path, out.from);
    opt(j, "sender_chat", path, out.sender_chat);
    opt(j, "date", path, out.date);
    req(j, "chat", path, out.chat);
    opt(j, "forward_origin", path, out.forward_origin);
    opt(j, "edit_date", path, out.edit_date);
    opt(j, "text", path, out.text);
    opt(j, "entities", path, out.entities);
    opt(j, "caption", path, out.caption);
    opt(j, "caption_entities", path, out.caption_entities);
    if (auto it = j.find("photo"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) wrong(*it, sub(path, "photo"), "an array");
        out.has_photo = true;
    }
    if (auto it = j.find("sticker"); it != j.end() && !it->is_null()) {
        expect_object(*it, sub(path, "sticker"));
        out.has_sticker = true;
        opt(*it, "emoji", sub(path, "sticker"), out.sticker_emoji);
    }
    opt(j, "new_chat_members", path, out.new_chat_members);
    opt(j, "left_chat_member", path, out.left_chat_member);
    if (auto it = j.find("reply_to_message"); it != j.end() && !it->is_null()) {
        auto reply = std::make_shared<Message>();
        read(*it, sub(path, "reply_to_message"), *reply);
        out.reply_to_message = std::move(reply);
    }
}

void read(const Json& j, const std::string& path, ChatPermissions& out) {
    expect_object(j, path);
    opt(j, "can_send_messages", path, out.can_send_messages);
    opt(j, "can_send_audios", path, out.can_send_audios);
    opt(j, "can_send_documents", path, out.can_send_documents);
    opt(j, "can_send_photos", path, out.can_send_photos);
    opt(j, "can_send_videos", path, out.can_send_videos);
    opt(j, "can_send_video_notes", path, out.can_send_video_notes);
    opt(j, "can_send_voice_notes", path, out.can_send_voice_notes);
    opt(j, "can_send_polls", path, out.can_send_polls);
    opt(j, "can_send_other_messages", path, out.can_send_other_messages);
    opt(j, "can_add_web_page_previews", path, out.can_add_web_page_previews);
    opt(j, "can_change_info", path, out.can_change_info);
    opt(j, "can_invite_users", path, out.can_invite_users);
    opt(j, "can_pin_messages", path, out.can_pin_messages);
    opt(j, "can_manage_topics", path, out.can_manage_topics);
}

void read(const Json& j, const std::string& path, ChatMember& out) {
    expect_object(j, path);
    req(j, "status", path, out.status);
    req(j, "user", path, out.user);
    opt(j, "until_date", path, out.until_date);
    opt(j, "can_delete_messages", path, out.can_delete_messages);
    opt(j, "can_restrict_members", path, out.can_restrict_members);
}

void read(const Json& j, const std::string& path, ChatMemberUpdated& out) {
    expect_object(j, path);
    req(j, "chat", path, out.chat);
    req(j, "from", path, out.from);
    opt(j, "date", path, out.date);
    req(j, "old_chat_member", path, out.old_chat_member);
    req(j, "new_chat_member", path, out.new_chat_member);
}

void read(const Json& j, const std::string& path, Update& out) {
    expect_object(j, path);
    req(j, "update_id", path, out.update_id);
    opt(j, "message", path, out.message);
    opt(j, "edited_message", path, out.edited_message);
    opt(j, "channel_post", path, out.channel_post);
    opt(j, "edited_channel_post", path, out.edited_channel_post);
    opt(j, "my_chat_member", path, out.my_chat_member);
    opt(j, "chat_member", path, out.chat_member);
}

void read(const Json& j, const std::string& path, ResponseParameters& out) {
    expect_object(j, path);
    opt(j, "migrate_to_chat_id", path, out.migrate_to_chat_id);
    opt(j, "retry_after", path, out.retry_after);
}

void read(const Json& j, const std::string& path, WebhookInfo& out) {
    expect_object(j, path);
    opt(j, "url", path, out.url);
    opt(j, "has_custom_certificate", path, out.has_custom_certificate);
    opt(j, "pending_update_count", path, out.pending_update_count);
    opt(j, "ip_address", path, out.ip_address);
    opt(j, "last_error_date", path, out.last_error_date);
    opt(j, "last_error_message", path, out.last_error_message);
    opt(j, "last_synchronization_error_date", path, out.last_synchronization_error_date);
    opt(j, "max_connections", path, out.max_connections);
    opt(j, "allowed_updates", path, out.allowed_updates);
}

std::string excerpt(std::string_view text) {
    constexpr size_t kMax = 80;
    std::string s(text.substr(0, core::utf8_safe_prefix(text, kMax)));
    if (text.size() > s.size()) s += "...";
    return core::redact(s);
}

}  // namespace

template <class T>
core::Result<T> decode(const Json& j) {
    try {
        T out{};
        read(j, "", out);
        return out;
    } catch (const DecodeError& e) {
        return core::fail(core::ErrorCode::Parse, core::redact(e.message));
    } catch (const std::exception& e) {
        return core::fail(core::ErrorCode::Parse,
                          core::redact(std::string("telegram: ") + e.what()));
    }
}

core::Result<Json> parse_json(std::string_view text) {
    Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        return core::fail(core::ErrorCode::Parse,
                          "telegram: the reply is not valid JSON: \"" + excerpt(text) + "\"");
    }
    return j;
}

template <class T>
core::Result<T> decode_text(std::string_view text) {
    auto j = parse_json(text);
    if (!j) return core::fail(std::move(j).error());
    return decode<T>(*j);
}

#define LG_TELEGRAM_DECODER(T)                         \
    template core::Result<T> decode<T>(const Json& j); \
    template core::Result<T> decode_text<T>(std::string_view text);
LG_TELEGRAM_DECODER(User)
LG_TELEGRAM_DECODER(Chat)
LG_TELEGRAM_DECODER(MessageEntity)
LG_TELEGRAM_DECODER(MessageOrigin)
LG_TELEGRAM_DECODER(Message)
LG_TELEGRAM_DECODER(ChatPermissions)
LG_TELEGRAM_DECODER(ChatMember)
LG_TELEGRAM_DECODER(ChatMemberUpdated)
LG_TELEGRAM_DECODER(Update)
LG_TELEGRAM_DECODER(ResponseParameters)
LG_TELEGRAM_DECODER(WebhookInfo)
LG_TELEGRAM_DECODER(std::vector<Update>)
#undef LG_TELEGRAM_DECODER

core::Error reply_error(std::string_view method, int error_code, std::string_view description,
                        const ResponseParameters& parameters) {
    using core::ErrorCode;
    ErrorCode code = ErrorCode::Http;
    std::string hint;
    if (error_code == 401) {
        code = ErrorCode::Unauthorized;
        hint = " (check TELEGRAM_TOKEN)";
    } else if (error_code == 403) {
        code = ErrorCode::Unauthorized;  // the bot was blocked, kicked, or lacks rights
    } else if (error_code == 400) {
        code = ErrorCode::InvalidArgument;
    } else if (error_code == 404) {
        code = ErrorCode::NotFound;
        hint = " (check TELEGRAM_TOKEN and the API URL)";
    } else if (error_code == 429) {
        code = ErrorCode::RateLimited;
    }
    std::string text = "telegram: " + std::string(method) + ": " + std::to_string(error_code) +
                       " " + std::string(description) + hint;
    if (parameters.migrate_to_chat_id) {
        text += " (the group moved to chat " + std::to_string(*parameters.migrate_to_chat_id) + ")";
    }
    core::Error e(code, core::redact(text));
    e.http_status = error_code;
    if (parameters.retry_after) {
        e.retry_after = std::chrono::seconds(std::max<int64_t>(0, *parameters.retry_after));
    }
    return e;
}

core::Result<Json> parse_reply(std::string_view method, int http_status, std::string_view body) {
    const std::string m(method);
    Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
        if (http_status >= 500 || http_status == 429 || http_status == 401 || http_status == 404) {
            // A proxy's or load balancer's page, not Telegram's envelope: judge by the status.
            return core::fail(reply_error(method, http_status, "HTTP error", {}));
        }
        return core::fail(core::ErrorCode::Parse,
                          "telegram: " + m + ": the reply (HTTP " + std::to_string(http_status) +
                              ") is not a Bot API reply: \"" + excerpt(body) + "\"");
    }
    if (j["ok"].get<bool>()) {
        auto it = j.find("result");
        if (it == j.end()) {
            return core::fail(core::ErrorCode::Parse,
                              "telegram: " + m + ": the reply has no result");
        }
        return std::move(*it);
    }
    int64_t error_code = http_status;
    if (auto it = j.find("error_code"); it != j.end() && it->is_number_integer()) {
        error_code = it->get<int64_t>();
    }
    std::string description = "(no description)";
    if (auto it = j.find("description"); it != j.end() && it->is_string()) {
        description = it->get<std::string>();
    }
    ResponseParameters params;
    if (auto it = j.find("parameters"); it != j.end()) {
        auto p = decode<ResponseParameters>(*it);
        if (p) params = *p;
    }
    return core::fail(reply_error(method, static_cast<int>(error_code), description, params));
}

}  // namespace telegram
