// `lambdagram console`: the bot in a terminal, every Bot API call printed, no Telegram needed.
#include "app/assistant_setup.h"
#include "app/commands.h"
#include "bot/bot.h"
#include "runtime/console.h"

namespace app {

namespace {

void run_console_command(AppContext& ctx, const std::string& user) {
    auto loaded = ctx.load_config_or_report();
    if (!loaded) return;
    const core::Config& cfg = loaded->config;
    runtime::ConsoleBotApi api(*ctx.out, runtime::console_bot_user(cfg.bot.name));
    auto assistant = build_assistant(cfg, core::SystemClock::instance());
    if (!assistant) {
        *ctx.err << "console: " << assistant.error().message << "\n";
        ctx.exit_code = kExitFailure;
        return;
    }
    std::unique_ptr<bot::Bot> bot_ptr =
        make_bot(api, *assistant, cfg, core::SystemClock::instance(), api.me());
    bot::Bot& bot = *bot_ptr;
    runtime::ConsoleOptions copts;
    copts.interactive = ctx.stdin_is_terminal;
    copts.user = user;
    copts.handler_timeout = std::chrono::seconds(cfg.bot.handler_timeout_s);
    ctx.exit_code =
        runtime::run_console(*ctx.in, *ctx.out, bot, api, core::SystemClock::instance(), copts);
}

}  // namespace

void add_console_command(CLI::App& app, AppContext& ctx) {
    CLI::App* console = app.add_subcommand(
        "console",
        "Talk to the bot in this terminal as a user of a simulated private chat or group "
        "(/as NAME, /group, /private, /quit) and see every Bot API call it would make; no "
        "Telegram needed. Reads a pipe too.");
    auto user = std::make_shared<std::string>("alice");
    console->add_option("--user", *user, "Who you are at the start (default alice)");
    console->callback([&ctx, user] { run_console_command(ctx, *user); });
}

}  // namespace app
