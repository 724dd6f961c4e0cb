// `lambdagram serve`: the webhook HTTP server for Telegram's POSTs. Declared here until the lead
// moves it into commands.h.
//   app::add_serve_command(app, ctx);   // in kCommands (cli.cpp)
#pragma once

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace app {

void add_serve_command(CLI::App& app, AppContext& ctx);  // webhook HTTP server

}  // namespace app
