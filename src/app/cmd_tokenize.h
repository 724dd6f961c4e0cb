// `lambdagram tokenize --model FILE [--add-special] [--parse-special] [--json]`: reads raw bytes
// from standard input and prints their token ids (or JSON ids + pieces) for the model's vocabulary.
//   add_tokenize_command(app, ctx);  // list it in kCommands (cli.cpp)
#pragma once

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace app {

void add_tokenize_command(CLI::App& app, AppContext& ctx);

}  // namespace app
