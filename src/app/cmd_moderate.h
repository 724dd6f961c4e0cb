// `lambdagram moderate [--classifier none|local|openai|openai-moderation] [--lang en|tr]
// [--rules TEXT] TEXT...`: one JSON line per message (normalized text, lexicon hits, scores, the
// verdict and the action the ladder takes for a first offender); reads lines from stdin when no
// TEXT is given.
// `lambdagram eval [--dataset FILE.jsonl] [--classifier ...] [--json]`: precision, recall and F1
// per category and language over a labelled dataset, latency, classifier calls and cost.
//   add_moderate_command(app, ctx);  add_eval_command(app, ctx);  // listed in kCommands
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/context.h"
#include "app/moderation_setup.h"

namespace app {

void add_moderate_command(CLI::App& app, AppContext& ctx);
void add_eval_command(CLI::App& app, AppContext& ctx);

// What moderate and eval share: the flags that pick the classifier.
struct ClassifierFlags {
    std::string classifier;  // empty: moderation.classifier
    std::string model;       // empty: model.path (local) or model.name (openai)
};
void add_classifier_flags(CLI::App* cmd, ClassifierFlags& flags);

// The configuration with the flags applied and the moderation parts built; nullopt (the error
// reported to ctx.err with the exit code) when either fails.
struct ModerationSetup {
    core::Config config;
    ModerationParts parts;
};
std::optional<ModerationSetup> setup_moderation(AppContext& ctx, const std::string& command,
                                                const ClassifierFlags& flags);

}  // namespace app
