// `lambdagram lambda`: the bot as an AWS Lambda function (custom runtime, provided.al2023). Reads
// AWS_LAMBDA_RUNTIME_API, loads the configuration and builds the bot once per container (init),
// then serves invocations until the Runtime API says stop. Start-up failures are posted to
// /runtime/init/error so they show in the function's logs and invoke results.
#include "app/cmd_lambda.h"

#include <filesystem>
#include <optional>
#include <sstream>

#include "app/assistant_setup.h"
#include "app/commands.h"
#include "bot/bot.h"
#include "core/log.h"
#include "net/curl_http_client.h"
#include "runtime/lambda_runtime.h"
#include "runtime/method_reply.h"

namespace app {

namespace {

// Flags; unset ones take the configuration's values (lambda.deadline_margin_ms,
// server.reply_with_method).
struct LambdaArgs {
    std::optional<int> deadline_margin_ms;
    bool reply_with_method = false;
};

// Reports a start-up failure to the Runtime API and to stderr; sets the exit code.
void init_failed(AppContext& ctx, runtime::RuntimeApiClient& api, const std::string& type,
                 const std::string& message, int exit_code) {
    core::log::error("lambda: init failed: {}", message);
    core::Status posted = api.report_init_error(type, message);
    if (!posted)
        core::log::error("lambda: could not post the init error: {}", posted.error().message);
    report_error(ctx, message, exit_code);
}

// Loads the configuration; its error lines are both printed and returned (for init/error).
std::optional<LoadedConfig> load_config_capturing(AppContext& ctx, std::string* errors) {
    std::ostringstream captured;
    std::ostream* real_err = ctx.err;
    ctx.err = &captured;
    std::optional<LoadedConfig> loaded = ctx.load_config_or_report();
    ctx.err = real_err;
    *errors = captured.str();
    *ctx.err << *errors;
    while (!errors->empty() && errors->back() == '\n') errors->pop_back();
    return loaded;
}

// The problems that make the function unable to serve, as one message; empty when none.
std::string config_problem(const core::Config& cfg) {
    if (cfg.telegram.token.empty()) {
        return "config: telegram.token is empty: set TELEGRAM_TOKEN in the function's "
               "environment (or LAMBDAGRAM_TELEGRAM_TOKEN)";
    }
    if (cfg.model.backend == core::ModelBackend::Local && !cfg.model.path.empty() &&
        !std::filesystem::exists(cfg.model.path)) {
        return "config: model.path " + cfg.model.path +
               " does not exist: package the GGUF file in the image or a layer, or fix "
               "model.path";
    }
    return "";
}

void run_lambda(AppContext& ctx, const LambdaArgs& args) {
    core::log::set_format(core::log::Format::Json);  // CloudWatch: one JSON object per line
    std::optional<std::string> runtime_api = ctx.env("AWS_LAMBDA_RUNTIME_API");
    if (!runtime_api || runtime_api->empty()) {
        report_error(ctx,
                     "lambda: AWS_LAMBDA_RUNTIME_API is not set: `lambdagram lambda` runs inside "
                     "AWS Lambda, or locally under tools/lambda-emulator (see docs/lambda.md)",
                     kExitUsage);
        return;
    }
    net::CurlHttpClient runtime_http;
    runtime::RuntimeApiClient api(runtime_http, *runtime_api);

    std::string config_errors;
    std::optional<LoadedConfig> loaded = load_config_capturing(ctx, &config_errors);
    if (!loaded) {
        init_failed(ctx, api, "Runtime.ConfigError", config_errors, kExitUsage);
        return;
    }
    core::log::set_format(core::log::Format::Json);  // whatever log.format says
    const core::Config& cfg = loaded->config;
    if (std::string problem = config_problem(cfg); !problem.empty()) {
        init_failed(ctx, api, "Runtime.ConfigError", problem, kExitUsage);
        return;
    }
    if (cfg.telegram.webhook_secret.empty()) {
        core::log::warn(
            "lambda: telegram.webhook_secret (TELEGRAM_WEBHOOK_SECRET) is not set: "
            "requests are accepted without X-Telegram-Bot-Api-Secret-Token");
    }

    core::Clock& clock = core::SystemClock::instance();
    TelegramConnection tg = ctx.connect(cfg);
    // Built once per container: warm invocations reuse the model, the store and the connections.
    auto assistant = build_assistant(cfg, clock);
    if (!assistant) {
        init_failed(ctx, api, "Runtime.InitError", assistant.error().message, kExitFailure);
        return;
    }
    // Reply mode: an HTTP event's one call may go back in the response body (MethodReplyApi).
    runtime::MethodReplyApi reply_api(*tg.api);
    bool reply_with_method = args.reply_with_method || cfg.server.reply_with_method;
    telegram::BotApi& bot_api = reply_with_method ? reply_api : *tg.api;
    std::unique_ptr<bot::Bot> bot_ptr = make_bot(bot_api, *assistant, cfg, clock);
    bot::Bot& bot = *bot_ptr;
    runtime::LambdaHandlerOptions hopts;
    hopts.webhook_secret = cfg.telegram.webhook_secret;
    if (reply_with_method) hopts.reply_api = &reply_api;
    runtime::LambdaEventHandler handler(bot, hopts, update_dedupe(*assistant, cfg, clock));
    runtime::LambdaLoopOptions lopts;
    lopts.deadline_margin =
        core::Millis(args.deadline_margin_ms.value_or(cfg.lambda.deadline_margin_ms));
    lopts.default_timeout = std::chrono::seconds(cfg.bot.handler_timeout_s);
    core::log::info("lambda: ready, serving invocations from {}", *runtime_api);
    core::Status st = runtime::run_lambda_loop(api, handler, lopts);
    if (!st && st.error().http_status != 500) {
        report_error(ctx, st.error().message, kExitFailure);
        return;
    }
    ctx.exit_code = kExitOk;  // the Runtime API asked us to exit
}

}  // namespace

void add_lambda_command(CLI::App& app, AppContext& ctx) {
    auto args = std::make_shared<LambdaArgs>();
    CLI::App* cmd = app.add_subcommand(
        "lambda",
        "Run as an AWS Lambda custom runtime (the `bootstrap`): serves Function URL, API Gateway "
        "and direct invocations from AWS_LAMBDA_RUNTIME_API; needs TELEGRAM_TOKEN, checks "
        "TELEGRAM_WEBHOOK_SECRET");
    cmd->add_option("--deadline-margin-ms", args->deadline_margin_ms,
                    "Stop handling this long before Lambda's deadline (default: "
                    "lambda.deadline_margin_ms, 1500)")
        ->check(CLI::Range(0, 600'000));
    cmd->add_flag("--reply-with-method", args->reply_with_method,
                  "Answer a Function URL / API Gateway update's one Bot API call in the response "
                  "body (default: server.reply_with_method, off)");
    cmd->callback([&ctx, args] { run_lambda(ctx, *args); });
}

}  // namespace app
