// Encoders of telegram/codec.h: unset optionals and empty lists are left out.
#include "telegram/codec.h"

namespace telegram {
namespace {

template <class T>
void put(Json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

template <class T>
void put_list(Json& j, const char* key, const std::vector<T>& list) {
    if (list.empty()) return;
    Json a = Json::array();
    for (const auto& item : list) a.push_back(encode(item));
    j[key] = std::move(a);
}

template <class T>
void put_obj(Json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = encode(*v);
}

}  // namespace

Json encode(const User& v) {
    Json j = {{"id", v.id}, {"is_bot", v.is_bot}, {"first_name", v.first_name}};
    put(j, "last_name", v.last_name);
    put(j, "username", v.username);
    put(j, "language_code", v.language_code);
    return j;
}

Json encode(const Chat& v) {
    Json j = {{"id", v.id}, {"type", v.type}};
    put(j, "title", v.title);
    put(j, "username", v.username);
    put(j, "first_name", v.first_name);
    put(j, "last_name", v.last_name);
    return j;
}

Json encode(const MessageEntity& v) {
    Json j = {{"type", v.type}, {"offset", v.offset}, {"length", v.length}};
    put(j, "url", v.url);
    put_obj(j, "user", v.user);
    put(j, "language", v.language);
    return j;
}

Json encode(const MessageOrigin& v) {
    Json j = {{"type", v.type}, {"date", v.date}};
    put_obj(j, "sender_user", v.sender_user);
    put(j, "sender_user_name", v.sender_user_name);
    // Telegram calls the origin chat "sender_chat" for "chat" and "chat" for "channel".
    if (v.sender_chat) j[v.type == "channel" ? "chat" : "sender_chat"] = encode(*v.sender_chat);
    return j;
}

Json encode(const Message& v) {
    Json j = {{"message_id", v.message_id}, {"date", v.date}, {"chat", encode(v.chat)}};
    put(j, "message_thread_id", v.message_thread_id);
    put_obj(j, "from", v.from);
    put_obj(j, "sender_chat", v.sender_chat);
    put_obj(j, "forward_origin", v.forward_origin);
    put(j, "edit_date", v.edit_date);
    put(j, "text", v.text);
    put_list(j, "entities", v.entities);
    put(j, "caption", v.caption);
    put_list(j, "caption_entities", v.caption_entities);
    if (v.has_photo) j["photo"] = Json::array();  // the sizes are not kept
    if (v.has_sticker || v.sticker_emoji) {
        Json s = Json::object();
        put(s, "emoji", v.sticker_emoji);
        j["sticker"] = std::move(s);
    }
    put_list(j, "new_chat_members", v.new_chat_members);
    put_obj(j, "left_chat_member", v.left_chat_member);
    if (v.reply_to_message) j["reply_to_message"] = encode(*v.reply_to_message);
    return j;
}

Json encode(const ChatPermissions& v) {
    Json j = Json::object();
    put(j, "can_send_messages", v.can_send_messages);
    put(j, "can_send_audios", v.can_send_audios);
    put(j, "can_send_documents", v.can_send_documents);
    put(j, "can_send_photos", v.can_send_photos);
    put(j, "can_send_videos", v.can_send_videos);
    put(j, "can_send_video_notes", v.can_send_video_notes);
    put(j, "can_send_voice_notes", v.can_send_voice_notes);
    put(j, "can_send_polls", v.can_send_polls);
    put(j, "can_send_other_messages", v.can_send_other_messages);
    put(j, "can_add_web_page_previews", v.can_add_web_page_previews);
    put(j, "can_change_info", v.can_change_info);
    put(j, "can_invite_users", v.can_invite_users);
    put(j, "can_pin_messages", v.can_pin_messages);
    put(j, "can_manage_topics", v.can_manage_topics);
    return j;
}

Json encode(const ChatMember& v) {
    Json j = {{"status", v.status}, {"user", encode(v.user)}};
    put(j, "until_date", v.until_date);
    put(j, "can_delete_messages", v.can_delete_messages);
    put(j, "can_restrict_members", v.can_restrict_members);
    return j;
}

Json encode(const ChatMemberUpdated& v) {
    return {{"chat", encode(v.chat)},
            {"from", encode(v.from)},
            {"date", v.date},
            {"old_chat_member", encode(v.old_chat_member)},
            {"new_chat_member", encode(v.new_chat_member)}};
}

Json encode(const Update& v) {
    Json j = {{"update_id", v.update_id}};
    put_obj(j, "message", v.message);
    put_obj(j, "edited_message", v.edited_message);
    put_obj(j, "channel_post", v.channel_post);
    put_obj(j, "edited_channel_post", v.edited_channel_post);
    put_obj(j, "my_chat_member", v.my_chat_member);
    put_obj(j, "chat_member", v.chat_member);
    return j;
}

Json encode(const ResponseParameters& v) {
    Json j = Json::object();
    put(j, "migrate_to_chat_id", v.migrate_to_chat_id);
    put(j, "retry_after", v.retry_after);
    return j;
}

Json encode(const WebhookInfo& v) {
    Json j = {{"url", v.url},
              {"has_custom_certificate", v.has_custom_certificate},
              {"pending_update_count", v.pending_update_count}};
    put(j, "ip_address", v.ip_address);
    put(j, "last_error_date", v.last_error_date);
    put(j, "last_error_message", v.last_error_message);
    put(j, "last_synchronization_error_date", v.last_synchronization_error_date);
    put(j, "max_connections", v.max_connections);
    if (!v.allowed_updates.empty()) j["allowed_updates"] = v.allowed_updates;
    return j;
}

Json encode(const SendMessage& v) {
    Json j = {{"chat_id", v.chat_id}, {"text", v.text}};
    put(j, "parse_mode", v.parse_mode);
    put(j, "message_thread_id", v.message_thread_id);
    if (v.reply_to_message_id) {
        j["reply_parameters"] = {{"message_id", *v.reply_to_message_id},
                                 {"allow_sending_without_reply", v.allow_sending_without_reply}};
    }
    if (v.disable_notification) j["disable_notification"] = true;
    j["link_preview_options"] = {{"is_disabled", v.disable_web_page_preview}};
    return j;
}

Json encode(const EditMessageText& v) {
    Json j = {{"chat_id", v.chat_id}, {"message_id", v.message_id}, {"text", v.text}};
    put(j, "parse_mode", v.parse_mode);
    return j;
}

Json encode(const GetUpdates& v) {
    Json j = {{"limit", v.limit}, {"timeout", v.timeout_s}};
    put(j, "offset", v.offset);
    if (!v.allowed_updates.empty()) j["allowed_updates"] = v.allowed_updates;
    return j;
}

Json encode(const SetWebhook& v) {
    Json j = {{"url", v.url}, {"drop_pending_updates", v.drop_pending_updates}};
    put(j, "secret_token", v.secret_token);
    // An empty list would mean "all but a few" to Telegram only when sent; leave it out.
    if (!v.allowed_updates.empty()) j["allowed_updates"] = v.allowed_updates;
    put(j, "max_connections", v.max_connections);
    return j;
}

}  // namespace telegram
