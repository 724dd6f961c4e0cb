// `lambdagram logits --model F --tokens 1,15043 [--top 10] [--greedy N]`: evaluates the ids as one
// batch and prints one JSON line of the top logits per position and a greedy continuation.
// `lambdagram generate --model F -p TEXT [-n 100] [--temp 0.7] [--top-p P] [--seed S]
// [--threads T] [--chat]`: streams generated text, then one stats line on stderr.
//   add_logits_command(app, ctx);  add_generate_command(app, ctx);  // list them in kCommands
#pragma once

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace app {

void add_logits_command(CLI::App& app, AppContext& ctx);
void add_generate_command(CLI::App& app, AppContext& ctx);

}  // namespace app
