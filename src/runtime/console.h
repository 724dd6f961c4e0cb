// The console transport: type as a user in a simulated private chat or group and see every Bot API
// call the bot makes, printed readably. ConsoleBotApi implements BotApi by printing; run_console
// reads lines (a terminal or a pipe), turns them into updates and hands them to the bot.
//   runtime::ConsoleBotApi api(std::cout, runtime::console_bot_user("Vecihi"));
//   bot::Bot bot(api, {.name = "Vecihi", .me = api.me()}, clock);
//   runtime::run_console(std::cin, std::cout, bot, api, clock, {});
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "bot/update_handler.h"
#include "core/clock.h"
#include "telegram/bot_api.h"

namespace runtime {

// The bot's own user in the console: id 42, username "<name>_bot" in lower case.
telegram::User console_bot_user(const std::string& bot_name);

class ConsoleBotApi final : public telegram::BotApi {
public:
    ConsoleBotApi(std::ostream& out, telegram::User me);

    const telegram::User& me() const { return me_; }
    // Message ids are shared by the user's and the bot's messages, as in a real chat.
    int64_t take_message_id();
    // Names chats in the printout ("private chat with alice").
    void name_chat(int64_t chat_id, std::string description);
    // The bot's last message in a chat (for /reply), if any.
    std::optional<telegram::Message> last_bot_message(int64_t chat_id) const;
    // How many calls the bot has made so far.
    int64_t calls() const;

    core::Result<telegram::User> get_me(core::Deadline deadline) override;
    core::Result<std::vector<telegram::Update>> get_updates(const telegram::GetUpdates& req,
                                                            core::Deadline deadline) override;
    core::Result<telegram::Message> send_message(const telegram::SendMessage& req,
                                                 core::Deadline deadline) override;
    core::Result<telegram::Message> edit_message_text(const telegram::EditMessageText& req,
                                                      core::Deadline deadline) override;
    core::Status delete_message(int64_t chat_id, int64_t message_id,
                                core::Deadline deadline) override;
    core::Status restrict_chat_member(int64_t chat_id, int64_t user_id,
                                      const telegram::ChatPermissions& permissions,
                                      int64_t until_date, core::Deadline deadline) override;
    core::Status ban_chat_member(int64_t chat_id, int64_t user_id, int64_t until_date,
                                 bool revoke_messages, core::Deadline deadline) override;
    core::Result<telegram::ChatMember> get_chat_member(int64_t chat_id, int64_t user_id,
                                                       core::Deadline deadline) override;
    core::Status send_chat_action(int64_t chat_id, const std::string& action,
                                  core::Deadline deadline) override;
    core::Status set_webhook(const telegram::SetWebhook& req, core::Deadline deadline) override;
    core::Result<telegram::WebhookInfo> get_webhook_info(core::Deadline deadline) override;
    core::Status delete_webhook(bool drop_pending_updates, core::Deadline deadline) override;

private:
    // Prints "  bot -> method(args)" and, indented, the body lines.
    void print_call(const std::string& call, const std::string& body = "");
    std::string chat_name(int64_t chat_id) const;

    std::ostream& out_;
    telegram::User me_;
    mutable std::mutex mu_;
    int64_t next_message_id_ = 1;
    int64_t calls_ = 0;
    std::map<int64_t, std::string> chat_names_;
    std::map<int64_t, telegram::Message> last_bot_message_;
};

struct ConsoleOptions {
    bool interactive = false;    // print a prompt before each line (stdin is a terminal)
    std::string user = "alice";  // who you are at the start
    core::Millis handler_timeout{50'000};
};

// Reads lines until /quit or the end of input. Returns the process exit code (0).
int run_console(std::istream& in, std::ostream& out, bot::UpdateHandler& handler,
                ConsoleBotApi& api, core::Clock& clock, const ConsoleOptions& options);

}  // namespace runtime
