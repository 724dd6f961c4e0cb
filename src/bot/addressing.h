// Who a message is for: parsing /commands (/cmd@botname args) and deciding whether a group message
// addresses the bot (an @mention, a reply to the bot, or a command for it). Pure functions.
//   auto cmd = bot::parse_command("/help@vecihi_bot");   // {name "help", target "vecihi_bot"}
//   if (bot::is_addressed(msg, me)) ...
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "telegram/types.h"

namespace bot {

struct Command {
    std::string name;    // lower-case, without the slash: "start"
    std::string target;  // the @botname suffix without '@', or empty
    std::string args;    // the rest of the text, trimmed
};

// The command at the start of `text`, or nothing when the text does not start with one.
std::optional<Command> parse_command(std::string_view text);

// True when `text` contains "@username" as a whole word (case-insensitive).
bool mentions(std::string_view text, std::string_view username);

// True when `command` is meant for the bot `me`: no @target (Telegram's convention: a bare command
// is for every bot in the chat) or the target is the bot's username.
bool command_is_for(const Command& command, const telegram::User& me);

// True when a group message is addressed to the bot: it mentions @me, text-mentions me, or replies
// to one of my messages. (Commands are judged separately with command_is_for.)
bool is_addressed(const telegram::Message& message, const telegram::User& me);

}  // namespace bot
