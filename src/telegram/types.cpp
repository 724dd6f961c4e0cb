#include "telegram/types.h"

namespace telegram {

const std::string& Message::text_or_caption() const {
    static const std::string kEmpty;
    if (text) return *text;
    if (caption) return *caption;
    return kEmpty;
}

const std::vector<MessageEntity>& Message::entities_of_text() const {
    return text ? entities : caption_entities;
}

bool Message::operator==(const Message& o) const {
    bool replies_equal = (reply_to_message == nullptr) == (o.reply_to_message == nullptr) &&
                         (reply_to_message == nullptr || *reply_to_message == *o.reply_to_message);
    return replies_equal && message_id == o.message_id &&
           message_thread_id == o.message_thread_id && from == o.from &&
           sender_chat == o.sender_chat && date == o.date && chat == o.chat &&
           forward_origin == o.forward_origin && edit_date == o.edit_date && text == o.text &&
           entities == o.entities && caption == o.caption &&
           caption_entities == o.caption_entities && has_photo == o.has_photo &&
           has_sticker == o.has_sticker && sticker_emoji == o.sticker_emoji &&
           new_chat_members == o.new_chat_members && left_chat_member == o.left_chat_member;
}

const Message* Update::any_message() const {
    if (message) return &*message;
    if (edited_message) return &*edited_message;
    if (channel_post) return &*channel_post;
    if (edited_channel_post) return &*edited_channel_post;
    return nullptr;
}

ChatPermissions ChatPermissions::none() {
    ChatPermissions p;
    p.can_send_messages = false;
    p.can_send_audios = false;
    p.can_send_documents = false;
    p.can_send_photos = false;
    p.can_send_videos = false;
    p.can_send_video_notes = false;
    p.can_send_voice_notes = false;
    p.can_send_polls = false;
    p.can_send_other_messages = false;
    p.can_add_web_page_previews = false;
    p.can_change_info = false;
    p.can_invite_users = false;
    p.can_pin_messages = false;
    p.can_manage_topics = false;
    return p;
}

}  // namespace telegram
