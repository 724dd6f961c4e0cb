// bot::Bot: the router every transport feeds. Answers /start and /help, echoes in echo mode, hands
// questions (private texts, /ask, group messages that address it) to the Assistant, or without
// one tells the user that no model is configured yet; stays silent in groups unless addressed
// (@mention, a reply to the bot, or a /command for it). With a Moderator, every group message and
// edited message is moderated first, and /mod, /strikes, /forgive, /modlog, /appeal are
// answered by the moderation commands. Pure logic over BotApi and a Clock.
//   bot::Bot bot(api, {.name = cfg.bot.name, .echo = cfg.bot.echo}, clock, &assistant, &mod);
//   core::Status st = bot.handle(update, core::Deadline::after(50s, clock));
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "bot/assistant.h"
#include "bot/moderation/admin_commands.h"
#include "bot/moderation/moderator.h"
#include "bot/update_handler.h"
#include "core/clock.h"
#include "core/result.h"
#include "telegram/bot_api.h"
#include "telegram/types.h"

namespace bot {

struct BotOptions {
    std::string name = "Vecihi";  // how the bot introduces itself
    bool echo = false;            // answer every text with "Echoed: <text>"
    // Who the bot is on Telegram; when unset, fetched with getMe on the first update.
    std::optional<telegram::User> me;
};

// The texts the bot sends, so tests and docs can refer to them.
std::string help_text(const BotOptions& options, const telegram::User& me);
inline constexpr const char* kNoModelText =
    "Sorry, I can't answer questions yet: there is no model configured yet. "
    "The bot's operator can set one up with model.backend (local or openai).";
inline constexpr const char* kTextOnlyText = "I can only read text messages for now.";
inline constexpr const char* kAskUsageText =
    "Ask me something after /ask, for example: /ask what is a lambda function?";

class Bot final : public UpdateHandler {
public:
    // `assistant` (may be null: no model configured) and `moderator` (may be null: no
    // moderation) must outlive the bot.
    Bot(telegram::BotApi& api, BotOptions options, core::Clock& clock,
        Assistant* assistant = nullptr, moderation::Moderator* moderator = nullptr);

    core::Status handle(const telegram::Update& update, core::Deadline deadline) override;

    // Who the bot is (getMe), fetched once; an error when Telegram cannot be reached.
    core::Result<telegram::User> identity(core::Deadline deadline);

private:
    // What to do with a message: reply a fixed text, ask the model a question, or nothing.
    struct Answer {
        std::optional<std::string> text;
        std::optional<std::string> question;
    };
    Answer answer(const telegram::Message& message, const telegram::User& me);
    core::Status reply(const telegram::Message& to, const std::string& text,
                       core::Deadline deadline);
    // Moderation of a group message: true when the message is dealt with (a moderation
    // command answered, or the message flagged and acted on) and nothing else may answer it.
    core::Result<bool> moderate(const telegram::Update& update, const telegram::Message& msg,
                                bool edited, const telegram::User& me, core::Deadline deadline);

    telegram::BotApi& api_;
    BotOptions options_;
    core::Clock& clock_;
    Assistant* assistant_;
    moderation::Moderator* moderator_;
    std::unique_ptr<moderation::AdminCommands> admin_commands_;
};

}  // namespace bot
