// `lambdagram serve`: the bot behind Telegram's webhook. Listens for POSTs (put TLS in front: a
// reverse proxy or a load balancer), answers at once and handles updates on a worker queue;
// SIGINT/SIGTERM stop accepting, finish the queued updates, then exit 0.
#include "app/cmd_serve.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <optional>

#include "app/assistant_setup.h"
#include "app/commands.h"
#include "bot/bot.h"
#include "core/log.h"
#include "runtime/method_reply.h"
#include "runtime/webhook_server.h"

namespace app {

namespace {

// Flags; unset ones take the configuration's server.* values.
struct ServeArgs {
    std::optional<std::string> listen;
    std::optional<std::string> path;
    std::optional<int> workers;
    std::optional<int> queue;
    std::optional<int> max_body_kib;
    bool reply_with_method = false;
};

// The server's options: server.* from the configuration, flags overriding.
core::Result<runtime::WebhookServerOptions> server_options(const core::Config& cfg,
                                                           const ServeArgs& args) {
    auto address = runtime::parse_listen_address(args.listen.value_or(cfg.server.listen));
    if (!address) return core::fail(address.error());
    runtime::WebhookServerOptions o;
    o.host = address->first;
    o.port = address->second;
    o.path = args.path.value_or(cfg.server.path);
    if (o.path.empty() || o.path[0] != '/') {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "serve: the webhook path '" + o.path +
                              "' must start with / (--path or server.path, e.g. /telegram)");
    }
    o.secret = cfg.telegram.webhook_secret;
    o.workers = args.workers.value_or(cfg.server.workers);
    o.queue_capacity = static_cast<size_t>(args.queue.value_or(cfg.server.queue));
    o.max_body_bytes =
        static_cast<size_t>(args.max_body_kib.value_or(cfg.server.max_body_kib)) * 1024;
    // The bot's own limit; in reply mode also capped by Telegram's 60 s (kTelegramReplyBudget).
    o.handler_timeout = std::chrono::seconds(cfg.bot.handler_timeout_s);
    return o;
}

// Blocks until SIGINT or SIGTERM (blocked in every thread, so only this wait receives them).
int wait_for_stop_signal(const sigset_t& signals) {
    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) == 0 && (sig == SIGINT || sig == SIGTERM)) return sig;
    }
}

void run_serve(AppContext& ctx, const ServeArgs& args) {
    auto loaded = load_config_with_token(ctx);
    if (!loaded) return;
    const core::Config& cfg = loaded->config;
    auto options = server_options(cfg, args);
    if (!options) {
        report_error(ctx, options.error().message, kExitUsage);
        return;
    }
    runtime::WebhookServerOptions sopts = std::move(*options);

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
    // Reply mode: the bot talks to Telegram through MethodReplyApi, which may hold its one call
    // back for the webhook's response.
    runtime::MethodReplyApi reply_api(*tg.api);
    bool reply_with_method = args.reply_with_method || cfg.server.reply_with_method;
    telegram::BotApi& api = reply_with_method ? reply_api : *tg.api;
    std::unique_ptr<bot::Bot> bot_ptr = make_bot(api, *assistant, cfg, clock);
    bot::Bot& bot = *bot_ptr;

    if (reply_with_method) {
        sopts.reply_api = &reply_api;
        // Requests wait for a worker inside their connection: enough HTTP threads for the queue.
        sopts.http_threads =
            std::max(16, std::min(sopts.workers + static_cast<int>(sopts.queue_capacity), 128));
    }
    runtime::WebhookServer server(bot, sopts, update_dedupe(*assistant, cfg, clock));
    if (assistant->assistant) {
        runtime::Metrics& metrics = server.metrics();
        assistant->assistant->set_token_observer(
            [&metrics](int64_t tokens) { metrics.llm_tokens.inc(static_cast<uint64_t>(tokens)); });
    }
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
    cmd->add_option("--listen", args->listen,
                    "Address to listen on, HOST:PORT (default: server.listen, 127.0.0.1:8080)");
    cmd->add_option("--path", args->path,
                    "URL path of the webhook (default: server.path, /telegram)");
    cmd->add_option("--workers", args->workers,
                    "Threads handling updates (default: server.workers, 2)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--queue", args->queue,
                    "Updates waiting before answering 503 (default: server.queue, 64)")
        ->check(CLI::Range(1, 100'000));
    cmd->add_option("--max-body-kib", args->max_body_kib,
                    "Largest request body, KiB, 413 beyond (default: server.max_body_kib, 1024)")
        ->check(CLI::Range(1, 65'536));
    cmd->add_flag("--reply-with-method", args->reply_with_method,
                  "Handle each update within its request and answer a one-call reply in the "
                  "response body (default: server.reply_with_method, off)");
    cmd->callback([&ctx, args] { run_serve(ctx, *args); });
}

}  // namespace app
