// `lambdagram model info FILE [--ctx N] [--json]`: what a GGUF model is (architecture, size,
// tensor types, context, chat template family) and how much RAM it needs. Facts come from
// engine::gguf::describe; this file only renders them.
//   add_model_command(app, ctx);   // then: lambdagram model info model.gguf --ctx 2048
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "app/context.h"
#include "engine/gguf/info.h"

namespace app {

void add_model_command(CLI::App& app, AppContext& ctx);

// Human-readable and JSON renderings of describe()'s result (tests and the command).
std::string format_model_info_text(const engine::gguf::ModelInfo& info, const std::string& path);
std::string format_model_info_json(const engine::gguf::ModelInfo& info, const std::string& path);

}  // namespace app
