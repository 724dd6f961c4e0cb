// AppContext: what every subcommand of the lambdagram binary gets: its streams, the environment,
// the global options (--config, --set, --log-level) and a way to reach Telegram. Tests build one
// with string streams, a fake environment and a fake Bot API, and call run_cli.
//   app::AppContext ctx;            // the process's streams and environment
//   return app::run_cli(argc, argv, ctx);
#pragma once

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config_loader.h"
#include "net/http_client.h"
#include "telegram/bot_api.h"

namespace app {

// Exit codes of the binary.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the work failed (Telegram unreachable, rejected...)
inline constexpr int kExitUsage = 2;    // bad flags or configuration

struct GlobalOptions {
    std::string config_path = "lambdagram.yaml";
    bool config_path_given = false;  // an explicit --config must exist
    std::vector<std::string> sets;   // --set KEY=VALUE
    std::string log_level;           // --log-level, empty when not given
};

// A Bot API connection and what it needs kept alive (the HTTP client).
struct TelegramConnection {
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<telegram::BotApi> api;
};

struct AppContext {
    std::istream* in = &std::cin;
    std::ostream* out = &std::cout;
    std::ostream* err = &std::cerr;
    EnvLookup env = process_env();
    // Whether to warn about LAMBDAGRAM_* variables of the process that set no key (tests that
    // fake `env` turn this off).
    bool read_process_env_names = true;
    bool stdin_is_terminal = false;
    GlobalOptions global;
    int exit_code = kExitOk;
    // Connects to the Bot API of a config; the default is telegram::Client over libcurl.
    std::function<TelegramConnection(const core::Config&)> connect = connect_telegram;

    // The layered configuration for the current command; prints every error to `err` and sets
    // exit_code when it is invalid. Also applies log settings and registers the secrets.
    std::optional<LoadedConfig> load_config_or_report();
    // The request the global options make; malformed --set arguments are added to `errors`.
    ConfigRequest config_request(std::vector<std::string>* errors) const;

    static TelegramConnection connect_telegram(const core::Config& config);
};

// Parses the command line and runs the chosen subcommand; returns the exit code.
int run_cli(int argc, const char* const* argv, AppContext& ctx);

}  // namespace app
