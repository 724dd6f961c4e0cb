// Builds the moderator's parts from the configuration: the lexicon (the starter lists built into
// the binary, then moderation.lexicon_files) and the classifier named by moderation.classifier,
// shared by `poll`, `serve`, `lambda`, `console`, `moderate` and `eval`.
//   auto parts = app::build_moderation(cfg, assistant_parts.model.get());
//   bot::moderation::Assessor assessor(*parts->lexicon, parts->classifier);
#pragma once

#include <memory>
#include <string>

#include "bot/moderation/lexicon.h"
#include "core/config.h"
#include "core/result.h"
#include "llm/chat_model.h"

namespace app {

struct ModerationParts {
    std::unique_ptr<bot::moderation::Lexicon> lexicon;
    // What moderation.classifier resolved to: "none", "local", "openai" or "openai-moderation".
    std::string classifier_kind = "none";
    // Owned here when it is not the assistant's model (openai-moderation, or a model built
    // only for classification).
    std::unique_ptr<llm::Classifier> owned_classifier;
    llm::Classifier* classifier = nullptr;  // null for "none"
    // For logs and `lambdagram moderate`: "none", the model's name ("local:tiny-qwen2"), or
    // "openai-moderation:omni-moderation-latest".
    std::string classifier_name = "none";
};

// `shared_model` (may be null) is the assistant's ChatModel, reused when the classifier kind
// matches model.backend so a local model is loaded once. `classifier_override` replaces
// moderation.classifier when not empty (`lambdagram moderate --classifier`). Fails with a
// message naming the key to fix: a list that does not parse, local without model.path,
// openai-moderation without openai.api_key.
core::Result<ModerationParts> build_moderation(const core::Config& cfg,
                                               llm::ChatModel* shared_model,
                                               const std::string& classifier_override = "");

}  // namespace app
