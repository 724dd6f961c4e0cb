// `lambdagram ask [--backend local|openai] [--model FILE] QUESTION`: renders bot.prompt_template
// and streams the configured model's answer, then one stats line on stderr.
// `lambdagram classify [--backend ...] [--labels safe,unsafe] TEXT`: label scores as JSON.
//   add_ask_command(app, ctx);  add_classify_command(app, ctx);  // listed in kCommands
#pragma once

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace app {

void add_ask_command(CLI::App& app, AppContext& ctx);
void add_classify_command(CLI::App& app, AppContext& ctx);

}  // namespace app
