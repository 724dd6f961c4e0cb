#include "bot/bot.h"

#include <fmt/format.h>

#include "bot/addressing.h"
#include "core/log.h"
#include "telegram/split.h"

namespace bot {

std::string help_text(const BotOptions& options, const telegram::User& me) {
    std::string mention = me.username ? "@" + *me.username : options.name;
    std::string what = options.echo ? "I am in echo mode: I repeat every message you send me."
                                    : "I answer questions in private chats.";
    return fmt::format(
        "Hi, I am {}, a chatbot. {}\n"
        "In groups I only speak when spoken to: mention me ({}), reply to one of my messages "
        "or send a command.\n\n"
        "Commands:\n"
        "/start - say hello\n"
        "/help - what I do and which commands exist",
        options.name, what, mention);
}

Bot::Bot(telegram::BotApi& api, BotOptions options, core::Clock& clock)
    : api_(api), options_(std::move(options)), clock_(clock) {}

core::Result<telegram::User> Bot::identity(core::Deadline deadline) {
    if (!options_.me) {
        auto me = api_.get_me(deadline);
        if (!me) return core::fail(std::move(me).error());
        options_.me = *me;
    }
    return *options_.me;
}

core::Status Bot::handle(const telegram::Update& update, core::Deadline deadline) {
    // Edits, channel posts and member updates get no answer from this bot.
    if (!update.message) return core::ok();
    const telegram::Message& msg = *update.message;
    if (msg.from && msg.from->is_bot) return core::ok();
    if (!msg.chat.is_private() && !msg.chat.is_group()) return core::ok();

    auto me = identity(deadline);
    if (!me) return core::fail(std::move(me).error());

    std::optional<std::string> text = answer(msg, *me);
    if (!text) return core::ok();
    if (deadline.expired(clock_)) {
        return core::fail(
            core::ErrorCode::Timeout,
            fmt::format("bot: update {} ran out of time before replying", update.update_id));
    }
    return reply(msg, *text, deadline);
}

std::optional<std::string> Bot::answer(const telegram::Message& msg, const telegram::User& me) {
    bool group = msg.chat.is_group();
    if (!msg.text) {
        // Photos, stickers, joins...: a private chat is told, a group is left alone.
        bool content = msg.has_photo || msg.has_sticker || msg.caption;
        if (!group && content) return std::string(kTextOnlyText);
        return std::nullopt;
    }
    const std::string& text = *msg.text;
    std::optional<Command> cmd = parse_command(text);
    if (cmd && !command_is_for(*cmd, me)) return std::nullopt;
    if (group && !cmd && !is_addressed(msg, me)) return std::nullopt;

    if (cmd) {
        if (cmd->name == "start" || cmd->name == "help") return help_text(options_, me);
        return fmt::format("I don't know the command /{}. Send /help to see what I can do.",
                           cmd->name);
    }
    if (options_.echo) return "Echoed: " + text;
    return std::string(kNoModelText);
}

core::Status Bot::reply(const telegram::Message& to, const std::string& text,
                        core::Deadline deadline) {
    bool first = true;
    for (const std::string& part : telegram::split_message(text)) {
        telegram::SendMessage req;
        req.chat_id = to.chat.id;
        req.text = part;
        req.message_thread_id = to.message_thread_id;
        // In groups the answer quotes the message it answers, so the thread stays readable.
        if (first && to.chat.is_group()) req.reply_to_message_id = to.message_id;
        first = false;
        auto sent = api_.send_message(req, deadline);
        if (!sent) {
            core::log::warn("bot: sendMessage to chat {} failed: {}", to.chat.id,
                            sent.error().message);
            return core::fail(std::move(sent).error());
        }
    }
    return core::ok();
}

}  // namespace bot
