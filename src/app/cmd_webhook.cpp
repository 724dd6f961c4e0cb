// `lambdagram webhook set|info|delete`: point Telegram at a webhook, inspect it, remove it.
#include <fmt/format.h>

#include <ctime>

#include "app/commands.h"
#include "app/webhook_text.h"
#include "core/config.h"
#include "core/redact.h"
#include "core/strings.h"

namespace app {

namespace {

constexpr auto kCallTimeout = std::chrono::seconds(30);

struct SetArgs {
    std::string url;
    std::string secret;  // "", "auto" or a value
    bool drop_pending = false;
    int max_connections = 0;  // 0: Telegram's default
};

void run_set(AppContext& ctx, const SetArgs& args) {
    auto loaded = load_config_with_token(ctx);
    if (!loaded) return;
    if (!core::starts_with(args.url, "https://")) {
        report_error(ctx,
                     "webhook: --url must start with https:// (Telegram only calls HTTPS "
                     "webhooks)",
                     kExitUsage);
        return;
    }
    std::string secret = loaded->config.telegram.webhook_secret;
    bool generated = false;
    if (args.secret == "auto") {
        auto s = generate_webhook_secret();
        if (!s) {
            report_error(ctx, s.error().message, kExitFailure);
            return;
        }
        secret = *s;
        generated = true;
    } else if (!args.secret.empty()) {
        core::Config scratch;
        if (auto why =
                core::find_config_key("telegram.webhook_secret")->apply(args.secret, scratch)) {
            report_error(ctx, "webhook: --secret " + *why, kExitUsage);
            return;
        }
        secret = args.secret;
    }
    if (!secret.empty()) core::register_secret(secret);

    telegram::SetWebhook req;
    req.url = args.url;
    if (!secret.empty()) req.secret_token = secret;
    req.drop_pending_updates = args.drop_pending;
    if (args.max_connections > 0) req.max_connections = args.max_connections;
    TelegramConnection tg = ctx.connect(loaded->config);
    auto st = tg.api->set_webhook(req, core::Deadline::after(kCallTimeout));
    if (!st) {
        report_error(ctx, "webhook: setWebhook failed: " + st.error().message, kExitFailure);
        return;
    }
    *ctx.out << "webhook: Telegram now sends updates to " << args.url
             << (args.drop_pending ? " (pending updates dropped)" : "") << "\n";
    if (generated) {
        // The one place a secret is printed, on purpose: the function needs it to check calls.
        *ctx.out << "Put this in the webhook function's environment:\n"
                 << "TELEGRAM_WEBHOOK_SECRET=" << secret << "\n";
    } else if (secret.empty()) {
        *ctx.out << "warning: no secret set: anyone who knows the URL can post updates; "
                    "use --secret auto\n";
    }
    ctx.exit_code = kExitOk;
}

void run_info(AppContext& ctx) {
    auto loaded = load_config_with_token(ctx);
    if (!loaded) return;
    TelegramConnection tg = ctx.connect(loaded->config);
    auto info = tg.api->get_webhook_info(core::Deadline::after(kCallTimeout));
    if (!info) {
        report_error(ctx, "webhook: getWebhookInfo failed: " + info.error().message, kExitFailure);
        return;
    }
    *ctx.out << describe_webhook_info(*info, std::time(nullptr));
    ctx.exit_code = kExitOk;
}

void run_delete(AppContext& ctx, bool drop_pending) {
    auto loaded = load_config_with_token(ctx);
    if (!loaded) return;
    TelegramConnection tg = ctx.connect(loaded->config);
    auto st = tg.api->delete_webhook(drop_pending, core::Deadline::after(kCallTimeout));
    if (!st) {
        report_error(ctx, "webhook: deleteWebhook failed: " + st.error().message, kExitFailure);
        return;
    }
    *ctx.out << "webhook: removed" << (drop_pending ? ", pending updates dropped" : "")
             << "; `lambdagram poll` can fetch updates now\n";
    ctx.exit_code = kExitOk;
}

}  // namespace

void add_webhook_command(CLI::App& app, AppContext& ctx) {
    CLI::App* webhook =
        app.add_subcommand("webhook", "Manage the bot's webhook with Telegram: set, info, delete");
    webhook->require_subcommand(1);

    auto set_args = std::make_shared<SetArgs>();
    CLI::App* set = webhook->add_subcommand(
        "set", "Tell Telegram to send updates to a URL (HTTPS), with a secret it sends along");
    set->add_option("--url", set_args->url, "The webhook's HTTPS URL")->required();
    set->add_option("--secret", set_args->secret,
                    "auto: generate one and print TELEGRAM_WEBHOOK_SECRET=... for the function's "
                    "environment; or a value (default: telegram.webhook_secret)")
        ->type_name("auto|VALUE");
    set->add_flag("--drop-pending", set_args->drop_pending, "Drop the updates waiting now");
    set->add_option("--max-connections", set_args->max_connections,
                    "Most simultaneous connections Telegram opens (1-100)")
        ->check(CLI::Range(1, 100));
    set->callback([&ctx, set_args] { run_set(ctx, *set_args); });

    CLI::App* info = webhook->add_subcommand(
        "info", "Show the webhook: its URL, pending updates and the last error in plain words");
    info->callback([&ctx] { run_info(ctx); });

    auto drop = std::make_shared<bool>(false);
    CLI::App* del =
        webhook->add_subcommand("delete", "Remove the webhook (so `lambdagram poll` can be used)");
    del->add_flag("--drop-pending", *drop, "Drop the updates waiting now");
    del->callback([&ctx, drop] { run_delete(ctx, *drop); });
}

}  // namespace app
