// `lambdagram cost`: what a bot costs a month on AWS Lambda, self-contained (local model) against
// the API path, as a table, --json, and an --svg chart. The arithmetic is in app/cost.h.
//   add_cost_command(app, ctx);  // list it in kCommands (cli.cpp)
#pragma once

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cost.h"

namespace app {

struct AppContext;

// The flags of `lambdagram cost` beyond the CostInputs.
struct CostFlags {
    CostInputs inputs;
    bool json = false;
    std::string svg_path;  // --svg FILE, empty for none
};

void add_cost_command(CLI::App& app, AppContext& ctx);

// Adds the flags to `cmd`, bound to `flags` (which must outlive the parse); for tests too.
void add_cost_options(CLI::App& cmd, CostFlags& flags);

// Runs the command: prints the table or JSON to `out`, writes the SVG, errors to `err`.
// Returns the exit code (0, 1 when the SVG cannot be written, 2 for bad flags).
int run_cost(const CostFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace app
