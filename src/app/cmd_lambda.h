// `lambdagram lambda`: the AWS Lambda custom runtime, what `bootstrap` runs. Declared here until
// the lead moves it into commands.h.
//   app::add_lambda_command(app, ctx);   // in kCommands (cli.cpp)
#pragma once

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace app {

void add_lambda_command(CLI::App& app, AppContext& ctx);  // AWS Lambda Runtime API loop

}  // namespace app
