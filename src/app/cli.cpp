#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cmd_cost.h"
#include "app/cmd_ask.h"
#include "app/cmd_generate.h"
#include "app/cmd_lambda.h"
#include "app/cmd_model.h"
#include "app/cmd_moderate.h"
#include "app/cmd_package.h"
#include "app/cmd_serve.h"
#include "app/cmd_tokenize.h"
#include "app/commands.h"
#include "app/context.h"
#include "core/log.h"
#include "net/curl_http_client.h"
#include "telegram/client.h"

#ifndef LG_VERSION
#define LG_VERSION "0.0.0"
#endif

namespace app {

namespace {

using AddCommand = void (*)(CLI::App&, AppContext&);
// Every subcommand, in the order --help lists them.
constexpr AddCommand kCommands[] = {
    add_poll_command,
    add_console_command,
    add_config_command,
    add_webhook_command,
    add_model_command,
    add_tokenize_command,
    add_logits_command,
    add_generate_command,
    add_ask_command,
    add_classify_command,
    add_cost_command,
    add_serve_command,
    add_lambda_command,
    add_moderate_command,
    add_eval_command,
    add_package_command,
};

constexpr const char* kDescription =
    "lambdagram runs LLM-powered Telegram bots: a group moderator (word lists, a classifier and "
    "a strike ladder; admins turn it on with /mod on) and a chat assistant that answers "
    "questions in private chats, and in groups when mentioned, replied to or called with a "
    "command.\n"
    "Configuration comes from lambdagram.yaml (or --config), the environment and --set, in "
    "that order of strength; `lambdagram config keys` lists every key.";

}  // namespace

void report_error(AppContext& ctx, const std::string& message, int exit_code) {
    *ctx.err << message << "\n";
    ctx.err->flush();
    ctx.exit_code = exit_code;
}

ConfigRequest AppContext::config_request(std::vector<std::string>* errors) const {
    ConfigRequest req;
    req.file = global.config_path;
    req.file_required = global.config_path_given;
    req.env = env;
    if (read_process_env_names) req.lambdagram_env_names = process_lambdagram_env_names();
    req.flags = parse_set_flags(global.sets, errors);
    if (!global.log_level.empty()) {
        req.flags.push_back({"log.level", global.log_level, "--log-level"});
    }
    return req;
}

std::optional<LoadedConfig> AppContext::load_config_or_report() {
    std::vector<std::string> errors;
    ConfigRequest req = config_request(&errors);
    LoadedConfig loaded = load_config(req);
    register_config_secrets(loaded.config);
    for (const auto& w : loaded.warnings) *err << "warning: " << w << "\n";
    errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
    if (!errors.empty()) {
        for (const auto& e : errors) *err << e << "\n";
        err->flush();
        exit_code = kExitUsage;
        return std::nullopt;
    }
    core::log::Level level = core::log::Level::Info;
    if (core::log::parse_level(loaded.config.log.level, &level)) core::log::set_level(level);
    core::log::set_format(loaded.config.log.format == "json" ? core::log::Format::Json
                                                             : core::log::Format::Text);
    return loaded;
}

TelegramConnection AppContext::connect_telegram(const core::Config& config) {
    TelegramConnection c;
    net::CurlHttpClientOptions http_opts;
    http_opts.user_agent = std::string("lambdagram/") + LG_VERSION;
    // http.ca_bundle (SSL_CERT_FILE, which the Lambda bootstrap sets): Amazon Linux keeps its CA
    // bundle elsewhere than where the bundled (Debian) libcurl looks (docs/deploy.md).
    http_opts.ca_bundle_path = config.http.ca_bundle;
    auto http = std::make_unique<net::CurlHttpClient>(http_opts);
    telegram::ClientOptions opts;
    opts.api_url = config.telegram.api_url;
    opts.token = config.telegram.token;
    c.api = std::make_unique<telegram::Client>(*http, opts);
    c.http = std::move(http);
    return c;
}

std::optional<LoadedConfig> load_config_with_token(AppContext& ctx) {
    auto loaded = ctx.load_config_or_report();
    if (!loaded) return std::nullopt;
    if (loaded->config.telegram.token.empty()) {
        report_error(ctx,
                     "config: telegram.token is empty: set TELEGRAM_TOKEN to the token from "
                     "@BotFather (or try the bot without Telegram: `lambdagram console`)",
                     kExitUsage);
        return std::nullopt;
    }
    return loaded;
}

int run_cli(int argc, const char* const* argv, AppContext& ctx) {
    CLI::App app(kDescription, "lambdagram");
    app.set_version_flag("--version", std::string("lambdagram ") + LG_VERSION,
                         "Print the version and exit");
    app.require_subcommand(1);
    app.fallthrough();  // global options may also follow the subcommand
    app.add_option("-c,--config", ctx.global.config_path,
                   "YAML configuration file (default: lambdagram.yaml here, if present)")
        ->each([&ctx](const std::string&) { ctx.global.config_path_given = true; });
    app.add_option("-s,--set", ctx.global.sets,
                   "Set a configuration key, strongest of all sources: --set bot.echo=true")
        ->type_name("KEY=VALUE");
    app.add_option("--log-level", ctx.global.log_level, "Log level: debug, info, warn, error, off");
    for (AddCommand add : kCommands) add(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e, *ctx.out, *ctx.err);
        return code == 0 ? kExitOk : kExitUsage;
    } catch (const std::exception& e) {
        // Commands return errors as values; this is the last line of defence.
        report_error(ctx, std::string("lambdagram: internal error: ") + e.what(), kExitFailure);
    }
    return ctx.exit_code;
}

}  // namespace app
