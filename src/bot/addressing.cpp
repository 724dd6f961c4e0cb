#include "bot/addressing.h"

#include "core/strings.h"

namespace bot {

namespace {

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool same_username(std::string_view a, std::string_view b) {
    return !a.empty() && core::to_lower_ascii(a) == core::to_lower_ascii(b);
}

}  // namespace

std::optional<Command> parse_command(std::string_view text) {
    if (text.size() < 2 || text[0] != '/') return std::nullopt;
    size_t end = text.find_first_of(" \t\r\n");
    std::string_view token = text.substr(1, end == std::string_view::npos ? text.npos : end - 1);
    std::string_view target;
    if (size_t at = token.find('@'); at != std::string_view::npos) {
        target = token.substr(at + 1);
        token = token.substr(0, at);
    }
    if (token.empty() || token.size() > 32) return std::nullopt;
    for (char c : token) {
        if (!is_word_char(c)) return std::nullopt;
    }
    Command cmd;
    cmd.name = core::to_lower_ascii(token);
    cmd.target = std::string(target);
    if (end != std::string_view::npos) cmd.args = std::string(core::trim(text.substr(end)));
    return cmd;
}

bool mentions(std::string_view text, std::string_view username) {
    if (username.empty()) return false;
    std::string lower = core::to_lower_ascii(text);
    std::string needle(1, '@');
    needle += core::to_lower_ascii(username);
    for (size_t pos = lower.find(needle); pos != std::string::npos;
         pos = lower.find(needle, pos + 1)) {
        bool start_ok = pos == 0 || !is_word_char(lower[pos - 1]);
        size_t after = pos + needle.size();
        bool end_ok = after == lower.size() || !is_word_char(lower[after]);
        if (start_ok && end_ok) return true;
    }
    return false;
}

bool command_is_for(const Command& command, const telegram::User& me) {
    if (command.target.empty()) return true;
    return me.username && same_username(command.target, *me.username);
}

bool is_addressed(const telegram::Message& message, const telegram::User& me) {
    const std::string& text =
        message.text ? *message.text : (message.caption ? *message.caption : std::string());
    if (me.username && mentions(text, *me.username)) return true;
    const auto& entities = message.text ? message.entities : message.caption_entities;
    for (const auto& e : entities) {
        if (e.type == "text_mention" && e.user && e.user->id == me.id) return true;
    }
    const auto& replied = message.reply_to_message;
    return replied && replied->from && replied->from->id == me.id;
}

}  // namespace bot
