// The subcommands of the lambdagram binary, one file each (cmd_<name>.cpp). To add one: write
// cmd_<name>.cpp with add_<name>_command, declare it here, list it in kCommands (cli.cpp) and in
// src/app/CMakeLists.txt.
//   void add_poll_command(CLI::App& app, AppContext& ctx);   // adds `lambdagram poll`
#pragma once

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace app {

void add_poll_command(CLI::App& app, AppContext& ctx);     // long polling
void add_console_command(CLI::App& app, AppContext& ctx);  // try the bot in a terminal
void add_config_command(CLI::App& app, AppContext& ctx);   // config check, config keys
void add_webhook_command(CLI::App& app, AppContext& ctx);  // webhook set|info|delete

// Prints `message` to ctx.err and records the exit code; for commands' error paths.
void report_error(AppContext& ctx, const std::string& message, int exit_code);

// The configuration with a bot token, or nothing (the error printed) when it is missing/invalid.
std::optional<LoadedConfig> load_config_with_token(AppContext& ctx);

}  // namespace app
