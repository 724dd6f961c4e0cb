// `lambdagram serve`: the bot behind Telegram's webhook. Listens for POSTs (put TLS in front: a
// reverse proxy or a load balancer), answers at once and handles updates on a worker queue;
// SIGINT/SIGTERM stop accepting, finish the queued updates, then exit 0.
#include <pthread.h>
#include <signal.h>

#include "app/cmd_serve.h"

#include "app/assistant_setup.h"
#include "app/commands.h"
#include "bot/bot.h"
#include "core/log.h"
#include "runtime/webhook_server.h"

namespace app {

namespace {

struct ServeArgs {
    std::string listen = "127.0.0.1:8080";
    std::string path = "/telegram";
    int workers = 2;
    int queue = 64;
    int max_body_kib = 1024;
};

// Blocks until SIGINT or SIGTERM (blocked in every thread, so only this wait receives them).
int wait_for_stop_signal(const sigset_t& signals) {
    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) == 0 && (sig == SIGINT || sig == SIGTERM)) return sig;
    }
}

void run_serve(AppContext& ctx, const ServeArgs& args) {
    auto address = runtime::parse_listen_address(args.listen);
    if (!address) {
        report_error(ctx, address.error().message, kExitUsage);
        return;
    }
    if (args.path.empty() || args.path[0] != '/') {
        report_error(ctx, "serve: --path must start with / (e.g. /telegram)", kExitUsage);
        return;
    }
    auto loaded = load_config_with_token(ctx);
    if (!loaded) return;
    const core::Config& cfg = loaded->config;

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // every thread started below inherits it

    core::Clock& clock = core::SystemClock::instance();
    TelegramConnection tg = ctx.connect(cfg);
    auto assistant = build_assistant(cfg, clock);
    if (!assistant) {
        report_error(ctx, "serve: " + assistant.error().message, kExitFailure);
        return;
    }
    std::unique_ptr<bot::Bot> bot_ptr = make_bot(*tg.api, *assistant, cfg, clock);
    bot::Bot& bot = *bot_ptr;

    runtime::WebhookServerOptions sopts;
    sopts.host = address->first;
    sopts.port = address->second;
    sopts.path = args.path;
    sopts.secret = cfg.telegram.webhook_secret;
    sopts.workers = args.workers;
    sopts.queue_capacity = static_cast<size_t>(args.queue);
    sopts.max_body_bytes = static_cast<size_t>(args.max_body_kib) * 1024;
    // Telegram waits about 60 s for the webhook; the answer is immediate, so this is the bot's own.
    sopts.handler_timeout = std::chrono::seconds(cfg.bot.handler_timeout_s);
    runtime::WebhookServer server(bot, sopts, update_dedupe(*assistant, cfg, clock));
    if (core::Status st = server.start(); !st) {
        report_error(ctx, st.error().message, kExitFailure);
        return;
    }
    int sig = wait_for_stop_signal(signals);
    core::log::info("serve: {} received: finishing queued updates, then stopping",
                    sig == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    core::log::info("serve: stopped");
    ctx.exit_code = kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, AppContext& ctx) {
    auto args = std::make_shared<ServeArgs>();
    CLI::App* cmd = app.add_subcommand(
        "serve",
        "Run the webhook server for Telegram's POSTs (put HTTPS in front; see `lambdagram webhook "
        "set`): checks TELEGRAM_WEBHOOK_SECRET, answers at once, handles updates on worker "
        "threads; /healthz and /metrics; SIGTERM drains the queue and exits 0");
    cmd->add_option("--listen", args->listen, "Address to listen on, HOST:PORT")
        ->capture_default_str();
    cmd->add_option("--path", args->path, "URL path of the webhook")->capture_default_str();
    cmd->add_option("--workers", args->workers, "Threads handling updates")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_option("--queue", args->queue, "Updates waiting before answering 503")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str();
    cmd->add_option("--max-body-kib", args->max_body_kib, "Largest request body, KiB (413 beyond)")
        ->check(CLI::Range(1, 65'536))
        ->capture_default_str();
    cmd->callback([&ctx, args] { run_serve(ctx, *args); });
}

}  // namespace app
