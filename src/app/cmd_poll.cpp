// `lambdagram poll`: the bot on long polling, until SIGINT or SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/assistant_setup.h"
#include "app/commands.h"
#include "bot/bot.h"
#include "core/log.h"
#include "runtime/poll_loop.h"

namespace app {

namespace {

bool token_rejected(const core::Error& e) {
    return e.code == core::ErrorCode::Unauthorized || e.http_status == 401 || e.http_status == 404;
}

// Waits for SIGINT/SIGTERM (blocked in every thread, so only this wait sees them) or for the
// loop to end by itself. Returns true when a signal asked to stop.
bool wait_for_signal(const sigset_t& signals, const std::atomic<bool>& done) {
    while (!done.load()) {
        timespec tick{0, 200'000'000};
        int sig = sigtimedwait(&signals, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
            core::log::info("poll: {} received: finishing the update in hand, then stopping",
                            sig == SIGINT ? "SIGINT" : "SIGTERM");
            return true;
        }
    }
    return false;
}

// Runs the poll loop on a worker thread until it ends or SIGINT/SIGTERM asks it to stop. When a
// signal comes while the loop waits in a long poll, the process exits at once (0): that request
// already carried the offset past every handled update, so nothing is lost or repeated.
core::Status run_until_signal(telegram::BotApi& api, bot::UpdateHandler& bot, core::Clock& clock,
                              const runtime::PollOptions& options) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the worker inherits the mask

    std::atomic<bool> stop{false};
    std::atomic<bool> done{false};
    core::Status result = core::ok();
    runtime::PollLoop loop(api, bot, stop, clock, options);
    std::thread worker([&] {
        result = loop.run();
        done = true;
    });
    if (wait_for_signal(signals, done)) stop = true;
    while (!done.load()) {
        {
            auto held = loop.hold_handling();  // lets the update in hand finish first
            if (loop.phase() == runtime::PollLoop::Phase::Fetching) {
                core::log::info("poll: stopped");
                std::fflush(nullptr);
                std::_Exit(kExitOk);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    worker.join();
    return result;
}

void run_poll(AppContext& ctx) {
    auto loaded = load_config_with_token(ctx);
    if (!loaded) return;
    const core::Config& cfg = loaded->config;
    core::Clock& clock = core::SystemClock::instance();
    TelegramConnection tg = ctx.connect(cfg);

    auto assistant = build_assistant(cfg, clock);
    if (!assistant) {
        report_error(ctx, "poll: " + assistant.error().message, kExitFailure);
        return;
    }
    std::unique_ptr<bot::Bot> bot_ptr = make_bot(*tg.api, *assistant, cfg, clock);
    bot::Bot& bot = *bot_ptr;
    // Who we are, and whether the token works, before the first poll.
    auto me = bot.identity(core::Deadline::after(std::chrono::seconds(30), clock));
    if (!me && token_rejected(me.error())) {
        report_error(ctx,
                     "poll: Telegram rejected the bot token (" + me.error().message +
                         "): check TELEGRAM_TOKEN (telegram.token)",
                     kExitFailure);
        return;
    }
    if (me) {
        core::log::info("poll: running as @{} ({})", me->username.value_or("?"), me->first_name);
    } else {
        core::log::warn("poll: getMe failed ({}); polling anyway, it is retried later",
                        me.error().message);
    }

    runtime::PollOptions popts;
    popts.timeout_s = cfg.telegram.poll_timeout_s;
    popts.handler_timeout = std::chrono::seconds(cfg.bot.handler_timeout_s);
    core::Status result = run_until_signal(*tg.api, bot, clock, popts);
    if (!result) {
        report_error(ctx, result.error().message, kExitFailure);
        return;
    }
    ctx.exit_code = kExitOk;
}

}  // namespace

void add_poll_command(CLI::App& app, AppContext& ctx) {
    CLI::App* poll = app.add_subcommand(
        "poll",
        "Run the bot with long polling (getUpdates, 25-50 s timeout): needs TELEGRAM_TOKEN; "
        "survives network loss; SIGINT/SIGTERM finish the update in hand, then exit 0");
    poll->callback([&ctx] { run_poll(ctx); });
}

}  // namespace app
