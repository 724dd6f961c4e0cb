#include "bot/streaming_reply.h"

#include "core/log.h"
#include "core/strings.h"
#include "telegram/split.h"

namespace bot {

namespace {

// What Telegram would show for `text` as the first message: trimmed (Telegram trims too, so
// comparing trimmed texts is what avoids "message is not modified") and cut to one message.
std::string first_part(const std::string& text) {
    std::string_view t = core::trim(text);
    if (t.size() <= telegram::kMaxMessageLength) return std::string(t);  // bytes >= UTF-16 units
    auto parts = telegram::split_message(t);
    return parts.empty() ? std::string() : parts.front();
}

bool not_modified(const core::Error& e) {
    return e.message.find("message is not modified") != std::string::npos;
}

}  // namespace

core::SteadyTime EditThrottle::next_edit(int64_t chat_id) const {
    std::lock_guard lock(mu_);
    auto it = next_.find(chat_id);
    return it == next_.end() ? core::SteadyTime::min() : it->second;
}

void EditThrottle::edited(int64_t chat_id, core::SteadyTime next_allowed) {
    std::lock_guard lock(mu_);
    core::SteadyTime& t = next_[chat_id];
    t = std::max(t, next_allowed);
}

StreamingReply::StreamingReply(telegram::BotApi& api, const telegram::Message& to,
                               EditThrottle& throttle, StreamOptions options, core::Clock& clock)
    : api_(api), to_(to), throttle_(throttle), options_(options), clock_(clock) {}

void StreamingReply::typing(core::Deadline deadline) {
    core::SteadyTime now = clock_.now();
    if (last_typing_ && now - *last_typing_ < options_.typing_interval) return;
    last_typing_ = now;
    auto st = api_.send_chat_action(to_.chat.id, "typing", deadline);
    if (!st) core::log::debug("bot: typing action failed: {}", st.error().message);
}

void StreamingReply::update(const std::string& text, core::Deadline deadline) {
    if (edits_broken_) return;
    std::string part = first_part(text);
    if (part.empty() || part == shown_) return;
    if (clock_.now() < throttle_.next_edit(to_.chat.id)) return;
    core::Status st = message_id_ ? edit(part, deadline) : send(part, true, deadline);
    if (!st && st.error().code != core::ErrorCode::RateLimited) edits_broken_ = true;
}

core::Status StreamingReply::finish(const std::string& text, core::Deadline deadline) {
    std::vector<std::string> parts = telegram::split_message(text);
    if (parts.empty()) parts.push_back("…");
    size_t next = 0;
    if (message_id_) {
        if (parts[0] != shown_) {
            core::Status st = core::ok();
            for (int attempt = 0; attempt < 3; ++attempt) {
                wait_for_edit_slot(deadline);
                st = edit(parts[0], deadline);
                if (st || st.error().code != core::ErrorCode::RateLimited) break;
            }
            if (!st) {
                // The streamed message stays partial: the full text goes out as a new one.
                core::log::warn("bot: final edit in chat {} failed ({}); sending the answer anew",
                                to_.chat.id, st.error().message);
                message_id_.reset();
            }
        }
        if (message_id_) next = 1;
    }
    for (; next < parts.size(); ++next) {
        if (auto st = send(parts[next], next == 0, deadline); !st) return st;
    }
    return core::ok();
}

void StreamingReply::wait_for_edit_slot(core::Deadline deadline) {
    core::SteadyTime allowed = throttle_.next_edit(to_.chat.id);
    core::SteadyTime now = clock_.now();
    if (now < allowed && allowed < deadline.time_point()) {
        clock_.sleep_for(std::chrono::duration_cast<core::Millis>(allowed - now) + core::Millis(1));
    }
}

core::Status StreamingReply::send(const std::string& text, bool first, core::Deadline deadline) {
    telegram::SendMessage req;
    req.chat_id = to_.chat.id;
    req.text = text;
    req.message_thread_id = to_.message_thread_id;
    // In groups the answer quotes the message it answers, so the thread stays readable.
    if (first && to_.chat.is_group()) req.reply_to_message_id = to_.message_id;
    auto sent = api_.send_message(req, deadline);
    if (!sent) {
        core::log::warn("bot: sendMessage to chat {} failed: {}", to_.chat.id,
                        sent.error().message);
        return core::fail(std::move(sent).error());
    }
    if (first) {
        message_id_ = sent->message_id;
        shown_ = text;
        throttle_.edited(to_.chat.id, clock_.now() + options_.edit_interval);
    }
    return core::ok();
}

core::Status StreamingReply::edit(const std::string& text, core::Deadline deadline) {
    telegram::EditMessageText req;
    req.chat_id = to_.chat.id;
    req.message_id = *message_id_;
    req.text = text;
    auto res = api_.edit_message_text(req, deadline);
    core::SteadyTime now = clock_.now();
    if (!res && !not_modified(res.error())) {
        const core::Error& e = res.error();
        if (e.code == core::ErrorCode::RateLimited || e.http_status == 429) {
            core::Millis wait = e.retry_after.value_or(core::Millis(1000));
            throttle_.edited(to_.chat.id, now + wait);
            core::log::info("bot: Telegram asked to slow down edits in chat {} for {} ms",
                            to_.chat.id, wait.count());
            return core::fail(core::ErrorCode::RateLimited, e.message);
        }
        core::log::warn("bot: editMessageText in chat {} failed: {}", to_.chat.id, e.message);
        return core::fail(res.error());
    }
    ++edits_;
    shown_ = text;
    throttle_.edited(to_.chat.id, now + options_.edit_interval);
    return core::ok();
}

}  // namespace bot
