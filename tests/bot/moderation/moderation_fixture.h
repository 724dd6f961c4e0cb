// Shared fixture of the moderator and admin-command tests: a RecordingBotApi that also records
// deleteMessage, restrictChatMember, banChatMember and getChatMember (with scripted admins and
// failures), a small lexicon, a FakeClock, a store (memory, or SQLite in a temp file), and the
// Bot wired with a Moderator, as make_bot wires it.
//   ModerationTest: group_text(7, "you idiot") -> the update; handle(u) -> the Bot's status.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bot/bot.h"
#include "bot/moderation/assess.h"
#include "bot/moderation/moderator.h"
#include "bot/recording_bot_api.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace mod_tests {

constexpr int64_t kGroup = -100777;
constexpr int64_t kAdmin = 1;
constexpr int64_t kUser = 7;
constexpr int64_t kOther = 8;

struct Restriction {
    int64_t chat = 0, user = 0, until = 0;
    bool can_send = true;
};

class ModBotApi : public tests::RecordingBotApi {
public:
    std::vector<std::pair<int64_t, int64_t>> deleted;  // (chat, message)
    std::deque<core::Error> delete_failures;
    std::vector<Restriction> restricted;
    std::vector<std::pair<int64_t, int64_t>> banned;  // (chat, user)
    std::map<int64_t, std::string> status;            // user -> getChatMember status
    std::map<int64_t, int> member_calls;              // user -> getChatMember calls
    std::deque<core::Error> member_failures;

    core::Status delete_message(int64_t chat, int64_t message, core::Deadline) override {
        if (!delete_failures.empty()) {
            core::Error e = delete_failures.front();
            delete_failures.pop_front();
            return core::fail(e);
        }
        deleted.emplace_back(chat, message);
        return core::ok();
    }
    core::Status restrict_chat_member(int64_t chat, int64_t user,
                                      const telegram::ChatPermissions& p, int64_t until,
                                      core::Deadline) override {
        restricted.push_back({chat, user, until, p.can_send_messages.value_or(true)});
        return core::ok();
    }
    core::Status ban_chat_member(int64_t chat, int64_t user, int64_t, bool,
                                 core::Deadline) override {
        banned.emplace_back(chat, user);
        return core::ok();
    }
    core::Result<telegram::ChatMember> get_chat_member(int64_t, int64_t user,
                                                       core::Deadline) override {
        ++member_calls[user];
        if (!member_failures.empty()) {
            core::Error e = member_failures.front();
            member_failures.pop_front();
            return core::fail(e);
        }
        telegram::ChatMember m;
        auto it = status.find(user);
        m.status = it == status.end() ? "member" : it->second;
        m.user.id = user;
        m.user.first_name = "User" + std::to_string(user);
        if (user == kAdmin) m.user.username = "boss";
        if (user == me.id) {
            m.can_delete_messages = true;
            m.can_restrict_members = true;
        }
        return m;
    }
    // Texts sent to `chat`.
    std::vector<std::string> texts(int64_t chat = kGroup) const {
        std::vector<std::string> out;
        for (const auto& s : sent)
            if (s.chat_id == chat) out.push_back(s.text);
        return out;
    }
};

inline core::Error http_error(int status, const std::string& message) {
    core::Error e(core::ErrorCode::Http, message);
    e.http_status = status;
    return e;
}

class ModerationTest : public ::testing::Test {
protected:
    void SetUp() override {
        api_.status[kAdmin] = "administrator";
        api_.status[api_.me.id] = "administrator";
        ASSERT_TRUE(lexicon_.add_word("idiot", bot::moderation::Category::Harassment, 1, true));
        ASSERT_TRUE(lexicon_.add_word("moron", bot::moderation::Category::Harassment, 1, true));
        defaults_.ladder =
            bot::moderation::parse_ladder("warn,delete,mute:1h,mute:24h,ban").value();
        defaults_.admin_cache = std::chrono::seconds(600);
        store_ = std::make_unique<store::MemoryStore>();
    }

    // (Re)builds the moderator and the bot over the current store and defaults.
    void rebuild() {
        bot_.reset();
        moderator_ = std::make_unique<bot::moderation::Moderator>(api_, *store_, assessor_,
                                                                  defaults_, clock_);
        bot_ =
            std::make_unique<bot::Bot>(api_, bot::BotOptions{}, clock_, nullptr, moderator_.get());
    }
    bot::Bot& bot() {
        if (!bot_) rebuild();
        return *bot_;
    }

    telegram::Update group_text(int64_t user, const std::string& text) {
        telegram::Update u;
        u.update_id = ++next_update_;
        telegram::Message m;
        m.message_id = 500 + u.update_id;
        telegram::User from;
        from.id = user;
        from.first_name = "User" + std::to_string(user);
        if (user == kUser) from.username = "bob";
        if (user == kOther) from.username = "carol";
        if (user == kAdmin) from.username = "boss";
        m.from = from;
        m.chat.id = kGroup;
        m.chat.type = "supergroup";
        m.chat.title = "Test group";
        m.date = 1'700'000'000;
        m.text = text;
        if (!text.empty() && text[0] == '/') {
            telegram::MessageEntity e;
            e.type = "bot_command";
            e.length = static_cast<int64_t>(text.find(' ') == std::string::npos ? text.size()
                                                                                : text.find(' '));
            m.entities.push_back(e);
        }
        u.message = m;
        return u;
    }
    core::Status handle(const telegram::Update& u) {
        return bot().handle(u, core::Deadline::after(std::chrono::seconds(50), clock_));
    }
    core::Status say(int64_t user, const std::string& text) {
        return handle(group_text(user, text));
    }
    // The bot's last message to the group.
    std::string last() const {
        auto t = api_.texts();
        return t.empty() ? std::string() : t.back();
    }
    std::vector<store::AuditEntry> decisions() {
        std::vector<store::AuditEntry> out;
        std::vector<store::AuditEntry> all = store_->recent_audit(kGroup, 100).value();
        for (const store::AuditEntry& e : all) {
            if (e.kind == bot::moderation::kDecisionKind) out.push_back(e);
        }
        return out;
    }

    ModBotApi api_;
    core::FakeClock clock_;
    bot::moderation::Lexicon lexicon_;
    bot::moderation::Assessor assessor_{lexicon_, nullptr};
    bot::moderation::ModerationDefaults defaults_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<bot::moderation::Moderator> moderator_;
    std::unique_ptr<bot::Bot> bot_;
    int64_t next_update_ = 0;
};

}  // namespace mod_tests
