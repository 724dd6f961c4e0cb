// Telegram Bot API types the bot reads and writes (https://core.telegram.org/bots/api).
// Plain structs: unknown JSON fields are ignored, optional fields are std::optional. JSON codecs
// are in telegram/codec.h.
//   if (u.message && u.message->text) reply(u.message->chat.id, *u.message->text);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace telegram {

struct User {
    int64_t id = 0;
    bool is_bot = false;
    std::string first_name{};
    std::optional<std::string> last_name{};
    std::optional<std::string> username{};
    std::optional<std::string> language_code{};
    bool operator==(const User&) const = default;
};

struct Chat {
    int64_t id = 0;
    std::string type{};  // "private", "group", "supergroup" or "channel"
    std::optional<std::string> title{};
    std::optional<std::string> username{};
    std::optional<std::string> first_name{};
    std::optional<std::string> last_name{};
    bool is_private() const { return type == "private"; }
    bool is_group() const { return type == "group" || type == "supergroup"; }
    bool operator==(const Chat&) const = default;
};

struct MessageEntity {
    std::string type{};  // "mention", "bot_command", "text_mention", "url", "bold", ...
    int64_t offset = 0;  // in UTF-16 code units
    int64_t length = 0;  // in UTF-16 code units
    std::optional<std::string> url{};
    std::optional<User> user{};  // for "text_mention"
    std::optional<std::string> language{};
    bool operator==(const MessageEntity&) const = default;
};

// Where a forwarded message came from (Bot API 7.0 MessageOrigin).
struct MessageOrigin {
    std::string type{};  // "user", "hidden_user", "chat", "channel"
    int64_t date = 0;
    std::optional<User> sender_user{};
    std::optional<std::string> sender_user_name{};
    std::optional<Chat> sender_chat{};  // also "chat" for type "channel"
    bool operator==(const MessageOrigin&) const = default;
};

struct Message {
    int64_t message_id = 0;
    std::optional<int64_t> message_thread_id{};
    std::optional<User> from{};
    std::optional<Chat> sender_chat{};
    int64_t date = 0;
    Chat chat{};
    std::optional<MessageOrigin> forward_origin{};
    std::optional<int64_t> edit_date{};
    std::optional<std::string> text{};
    std::vector<MessageEntity> entities{};
    std::optional<std::string> caption{};
    std::vector<MessageEntity> caption_entities{};
    bool has_photo = false;  // the photo sizes themselves are not kept
    bool has_sticker = false;
    std::optional<std::string> sticker_emoji{};
    std::vector<User> new_chat_members{};
    std::optional<User> left_chat_member{};
    // The message this one replies to (Telegram does not nest further than one level).
    std::shared_ptr<Message> reply_to_message{};

    // The text or, for media, the caption; empty when neither.
    const std::string& text_or_caption() const;
    const std::vector<MessageEntity>& entities_of_text() const;
    bool operator==(const Message& o) const;
};

struct ChatPermissions {
    std::optional<bool> can_send_messages{};
    std::optional<bool> can_send_audios{};
    std::optional<bool> can_send_documents{};
    std::optional<bool> can_send_photos{};
    std::optional<bool> can_send_videos{};
    std::optional<bool> can_send_video_notes{};
    std::optional<bool> can_send_voice_notes{};
    std::optional<bool> can_send_polls{};
    std::optional<bool> can_send_other_messages{};
    std::optional<bool> can_add_web_page_previews{};
    std::optional<bool> can_change_info{};
    std::optional<bool> can_invite_users{};
    std::optional<bool> can_pin_messages{};
    std::optional<bool> can_manage_topics{};
    // Everything false: what a mute sends.
    static ChatPermissions none();
    bool operator==(const ChatPermissions&) const = default;
};

struct ChatMember {
    std::string status{};  // "creator", "administrator", "member", "restricted", "left", "kicked"
    User user{};
    std::optional<int64_t> until_date{};
    std::optional<bool> can_delete_messages{};
    std::optional<bool> can_restrict_members{};
    bool is_admin() const { return status == "creator" || status == "administrator"; }
    bool operator==(const ChatMember&) const = default;
};

struct ChatMemberUpdated {
    Chat chat{};
    User from{};
    int64_t date = 0;
    ChatMember old_chat_member{};
    ChatMember new_chat_member{};
    bool operator==(const ChatMemberUpdated&) const = default;
};

struct Update {
    int64_t update_id = 0;
    std::optional<Message> message{};
    std::optional<Message> edited_message{};
    std::optional<Message> channel_post{};
    std::optional<Message> edited_channel_post{};
    std::optional<ChatMemberUpdated> my_chat_member{};
    std::optional<ChatMemberUpdated> chat_member{};
    // The message of a message-like update (message, edited_message, channel posts), or null.
    const Message* any_message() const;
    bool operator==(const Update&) const = default;
};

// Why a call failed, as Telegram says it (the "parameters" of an error reply).
struct ResponseParameters {
    std::optional<int64_t> migrate_to_chat_id{};
    std::optional<int64_t> retry_after{};  // seconds
    bool operator==(const ResponseParameters&) const = default;
};

struct WebhookInfo {
    std::string url{};
    bool has_custom_certificate = false;
    int64_t pending_update_count = 0;
    std::optional<std::string> ip_address{};
    std::optional<int64_t> last_error_date{};
    std::optional<std::string> last_error_message{};
    std::optional<int64_t> last_synchronization_error_date{};
    std::optional<int64_t> max_connections{};
    std::vector<std::string> allowed_updates{};
    bool operator==(const WebhookInfo&) const = default;
};

}  // namespace telegram
