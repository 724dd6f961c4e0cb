// `lambdagram package lambda|image`: a deployment of this binary for AWS Lambda. `lambda` writes
// the function zip (runtime provided.al2023, bundle.h + zip.h); `image` writes an OCI image layout
// with the model in its own layer (lambda_image.h). docs/deploy.md walks through a deployment.
//   app::add_package_command(app, ctx);   // in kCommands (cli.cpp)
#pragma once

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace app {

void add_package_command(CLI::App& app, AppContext& ctx);

}  // namespace app
