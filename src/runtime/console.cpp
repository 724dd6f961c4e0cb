#include "runtime/console.h"

#include <fmt/format.h>

#include <istream>
#include <ostream>

#include "core/strings.h"

namespace runtime {

namespace {

constexpr int64_t kGroupChatId = -1001000000001;
constexpr const char* kConsoleHelp =
    "Console commands: /as NAME (speak as NAME), /group (the group chat), /private (your private "
    "chat with the bot), /reply TEXT (reply to the bot's last message here), /quit. "
    "Anything else is sent to the bot.";

// Who is typing and where.
struct ConsoleState {
    std::map<std::string, int64_t> user_ids;
    std::string user;
    bool in_group = false;
    int64_t next_update_id = 1;

    int64_t user_id(const std::string& name) {
        auto it = user_ids.find(name);
        if (it != user_ids.end()) return it->second;
        int64_t id = 1001 + static_cast<int64_t>(user_ids.size());
        user_ids[name] = id;
        return id;
    }
};

telegram::User make_user(ConsoleState& s) {
    telegram::User u;
    u.id = s.user_id(s.user);
    u.first_name = s.user;
    u.username = s.user;
    return u;
}

telegram::Chat current_chat(ConsoleState& s) {
    telegram::Chat c;
    if (s.in_group) {
        c.id = kGroupChatId;
        c.type = "supergroup";
        c.title = "Console group";
    } else {
        c.id = s.user_id(s.user);
        c.type = "private";
        c.first_name = s.user;
        c.username = s.user;
    }
    return c;
}

std::string where(const ConsoleState& s, const ConsoleBotApi& api) {
    return s.in_group ? "the group \"Console group\""
                      : "a private chat with @" + api.me().username.value_or("bot");
}

void name_chats(ConsoleState& s, ConsoleBotApi& api) {
    api.name_chat(kGroupChatId, "group \"Console group\"");
    api.name_chat(s.user_id(s.user), "private chat with " + s.user);
}

// Turns one typed line into an update and hands it to the bot; prints what happened.
void send_text(const std::string& text, std::optional<telegram::Message> reply_to, ConsoleState& s,
               std::ostream& out, bot::UpdateHandler& handler, ConsoleBotApi& api,
               core::Clock& clock, const ConsoleOptions& options) {
    telegram::Update u;
    u.update_id = s.next_update_id++;
    telegram::Message m;
    m.message_id = api.take_message_id();
    m.from = make_user(s);
    m.chat = current_chat(s);
    m.date = core::unix_seconds(clock.wall_now());
    m.text = text;
    if (!text.empty() && text[0] == '/') {
        size_t end = text.find(' ');
        telegram::MessageEntity e;
        e.type = "bot_command";
        e.offset = 0;
        e.length = static_cast<int64_t>(core::utf16_length(text.substr(0, end)));
        m.entities.push_back(e);
    }
    if (reply_to) m.reply_to_message = std::make_shared<telegram::Message>(*reply_to);
    u.message = std::move(m);

    int64_t calls_before = api.calls();
    auto deadline = core::Deadline::after(options.handler_timeout, clock);
    core::Status st = handler.handle(u, deadline);
    if (!st) {
        out << "  ! the bot failed: " << st.error().message << "\n";
    } else if (api.calls() == calls_before) {
        out << "  (the bot stays silent)\n";
    }
    out.flush();
}

}  // namespace

int run_console(std::istream& in, std::ostream& out, bot::UpdateHandler& handler,
                ConsoleBotApi& api, core::Clock& clock, const ConsoleOptions& options) {
    ConsoleState s;
    s.user = options.user;
    name_chats(s, api);
    out << fmt::format("lambdagram console: you are {} in {}.\n{}\n", s.user, where(s, api),
                       kConsoleHelp);
    out.flush();
    std::string line;
    while (true) {
        if (options.interactive) {
            out << s.user << (s.in_group ? "@group" : "@private") << "> ";
            out.flush();
        }
        if (!std::getline(in, line)) break;
        std::string text(core::trim(line));
        if (text.empty()) continue;
        if (text == "/quit" || text == "/exit") break;
        if (text == "/group" || text == "/private") {
            s.in_group = text == "/group";
            out << "  (you are " << s.user << " in " << where(s, api) << ")\n";
            continue;
        }
        if (core::starts_with(text, "/as ") || text == "/as") {
            std::string name(core::trim(std::string_view(text).substr(3)));
            if (name.empty() || name.find(' ') != std::string::npos) {
                out << "  (usage: /as NAME, one word)\n";
                continue;
            }
            s.user = name;
            name_chats(s, api);
            out << "  (you are " << s.user << " in " << where(s, api) << ")\n";
            continue;
        }
        std::optional<telegram::Message> reply_to;
        if (core::starts_with(text, "/reply ")) {
            reply_to = api.last_bot_message(current_chat(s).id);
            if (!reply_to) {
                out << "  (the bot has not written here yet: nothing to reply to)\n";
                continue;
            }
            text = std::string(core::trim(std::string_view(text).substr(7)));
        }
        if (!options.interactive) out << s.user << ": " << text << "\n";
        send_text(text, reply_to, s, out, handler, api, clock, options);
    }
    out << "bye\n";
    out.flush();
    return 0;
}

}  // namespace runtime
