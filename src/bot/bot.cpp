#include "bot/bot.h"

#include <fmt/format.h>

#include "bot/addressing.h"
#include "core/log.h"
#include "core/strings.h"
#include "telegram/split.h"

namespace bot {

namespace {

// A group message's question: the text without the bot's @mention.
std::string without_mention(const std::string& text, const telegram::User& me) {
    if (!me.username) return text;
    std::string needle = "@" + core::to_lower_ascii(*me.username);
    std::string out = text;
    for (size_t pos = core::to_lower_ascii(out).find(needle); pos != std::string::npos;
         pos = core::to_lower_ascii(out).find(needle, pos)) {
        out.erase(pos, needle.size());
    }
    std::string_view t = core::trim(out);
    while (!t.empty() && (t.front() == ',' || t.front() == ':')) t = core::trim(t.substr(1));
    return t.empty() ? text : std::string(t);
}

// The text of the message this one replies to, used as context for the question.
std::string reply_context(const telegram::Message& msg) {
    if (!msg.reply_to_message) return {};
    return msg.reply_to_message->text_or_caption();
}

}  // namespace

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
        "/help - what I do and which commands exist\n"
        "/ask QUESTION - ask me something (also in groups)\n"
        "/reset - forget our conversation so far\n"
        "/mod - group moderation (for the group's admins; /mod help lists the settings)\n"
        "/appeal - ask a group's admins to review a moderation decision about you",
        options.name, what, mention);
}

Bot::Bot(telegram::BotApi& api, BotOptions options, core::Clock& clock, Assistant* assistant,
         moderation::Moderator* moderator)
    : api_(api),
      options_(std::move(options)),
      clock_(clock),
      assistant_(assistant),
      moderator_(moderator) {
    if (moderator_) admin_commands_ = std::make_unique<moderation::AdminCommands>(*moderator_);
}

core::Result<telegram::User> Bot::identity(core::Deadline deadline) {
    if (!options_.me) {
        auto me = api_.get_me(deadline);
        if (!me) return core::fail(std::move(me).error());
        options_.me = *me;
    }
    return *options_.me;
}

core::Status Bot::handle(const telegram::Update& update, core::Deadline deadline) {
    // Edits are only moderated; channel posts and member updates get no answer from this bot.
    if (!update.message && update.edited_message && moderator_ &&
        update.edited_message->chat.is_group()) {
        auto me = identity(deadline);
        if (!me) return core::fail(std::move(me).error());
        auto done = moderate(update, *update.edited_message, true, *me, deadline);
        return done ? core::ok() : core::Status(core::fail(std::move(done).error()));
    }
    if (!update.message) return core::ok();
    const telegram::Message& msg = *update.message;
    if (!msg.chat.is_private() && !msg.chat.is_group()) return core::ok();
    if (msg.from && msg.from->is_bot && !moderator_) return core::ok();

    auto me = identity(deadline);
    if (!me) return core::fail(std::move(me).error());
    if (moderator_ && msg.chat.is_group()) {
        auto done = moderate(update, msg, false, *me, deadline);
        if (!done) return core::fail(std::move(done).error());
        if (*done) return core::ok();
    }
    if (msg.from && msg.from->is_bot) return core::ok();

    Answer what = answer(msg, *me);
    if (!what.text && !what.question) return core::ok();
    if (deadline.expired(clock_)) {
        return core::fail(
            core::ErrorCode::Timeout,
            fmt::format("bot: update {} ran out of time before replying", update.update_id));
    }
    if (what.question) {
        if (options_.echo) return reply(msg, "Echoed: " + *what.question, deadline);
        if (assistant_ == nullptr) return reply(msg, kNoModelText, deadline);
        return assistant_->answer(api_, msg, *what.question, reply_context(msg), deadline);
    }
    return reply(msg, *what.text, deadline);
}

core::Result<bool> Bot::moderate(const telegram::Update& update, const telegram::Message& msg,
                                 bool edited, const telegram::User& me, core::Deadline deadline) {
    std::optional<Command> cmd = msg.text ? parse_command(*msg.text) : std::nullopt;
    if (!edited && cmd && moderation::AdminCommands::handles(cmd->name)) {
        // Another bot's /mod@otherbot, or a bot's own commands, are none of ours.
        if (!command_is_for(*cmd, me) || (msg.from && msg.from->is_bot)) return true;
        auto text = admin_commands_->run(cmd->name, cmd->args, msg, deadline);
        if (!text) return core::fail(std::move(text).error());
        LG_TRY(reply(msg, *text, deadline));
        return true;
    }
    auto d = moderator_->moderate(update.update_id, msg, edited, me, deadline);
    if (!d) {
        core::log::warn("bot: moderating update {}: {}", update.update_id, d.error().message);
        return core::fail(std::move(d).error());
    }
    // A message the moderator acted on (or already had, for a retried update) gets no answer.
    return d->flagged && !d->exempt && !d->dry_run;
}

Bot::Answer Bot::answer(const telegram::Message& msg, const telegram::User& me) {
    bool group = msg.chat.is_group();
    if (!msg.text) {
        // Photos, stickers, joins...: a private chat is told, a group is left alone.
        bool content = msg.has_photo || msg.has_sticker || msg.caption;
        if (!group && content) return {std::string(kTextOnlyText), std::nullopt};
        return {};
    }
    const std::string& text = *msg.text;
    std::optional<Command> cmd = parse_command(text);
    if (cmd && !command_is_for(*cmd, me)) return {};
    if (group && !cmd && !is_addressed(msg, me)) return {};

    if (!cmd && options_.echo) return {"Echoed: " + text, std::nullopt};  // as sent, mention kept
    if (!cmd) return {std::nullopt, group ? without_mention(text, me) : text};
    if (cmd->name == "start" || cmd->name == "help") return {help_text(options_, me), {}};
    if (!group && moderator_ && moderation::AdminCommands::handles(cmd->name)) {
        return {std::string(moderation::kGroupsOnlyText), std::nullopt};
    }
    if (cmd->name == "ask") {
        if (cmd->args.empty()) return {std::string(kAskUsageText), std::nullopt};
        return {std::nullopt, cmd->args};
    }
    if (cmd->name == "reset") {
        return {assistant_ ? assistant_->reset(msg.chat.id) : std::string(kHistoryOffText), {}};
    }
    return {
        fmt::format("I don't know the command /{}. Send /help to see what I can do.", cmd->name),
        std::nullopt};
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
        req.result_unused = true;  // only the error matters: a webhook may reply with the call
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
