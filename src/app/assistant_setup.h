// Builds the chat assistant and the group moderator of every transport from the configuration:
// the ChatModel (llm::make_chat_model), the Store (SqliteStore at store.path, MemoryStore for
// ":memory:"), the context file over HTTP, the bot::Assistant that uses them, and the moderation
// lexicon, classifier and Assessor (app::build_moderation) that make_bot's Moderator uses.
//   auto parts = app::build_assistant(cfg, clock);  // parts->assistant is null for backend none
#pragma once

#include <memory>
#include <optional>

#include "app/moderation_setup.h"
#include "bot/assistant.h"
#include "bot/bot.h"
#include "bot/context_source.h"
#include "bot/moderation/assess.h"
#include "bot/moderation/moderator.h"
#include "core/config.h"
#include "core/result.h"
#include "llm/chat_model.h"
#include "runtime/update_queue.h"
#include "store/store.h"
#include "telegram/bot_api.h"

namespace app {

// Everything the assistant needs kept alive, in destruction-safe order.
struct AssistantParts {
    std::unique_ptr<llm::ChatModel> model;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<bot::ContextSource> source;
    std::unique_ptr<bot::ContextCache> context;
    std::unique_ptr<bot::Assistant> assistant;  // null when model.backend is none
    // The moderator's parts: built whenever the store opened (any group's admins may /mod on).
    ModerationParts moderation;
    std::unique_ptr<bot::moderation::Assessor> assessor;    // null without a store
    std::unique_ptr<bot::moderation::Moderator> moderator;  // set by make_bot
};

// The assistant for `cfg`; with model.backend none, parts with no assistant. The store is opened
// for the moderator too; when it cannot be, only a configuration that needs it (a model, or
// moderation.enabled) fails, otherwise the bot runs without moderation (a warning says why).
// Fails when the model, the store or the moderation lists cannot be set up, with a message
// naming the key to fix.
core::Result<AssistantParts> build_assistant(const core::Config& cfg, core::Clock& clock);

// The router every transport runs (poll, serve, lambda, console): bot::Bot over `api` with the
// parts' assistant and, when the parts have an assessor, a Moderator (kept in `parts`, so the
// parts must outlive the bot). `me` is set when the transport already knows who the bot is.
std::unique_ptr<bot::Bot> make_bot(telegram::BotApi& api, AssistantParts& parts,
                                   const core::Config& cfg, core::Clock& clock,
                                   std::optional<telegram::User> me = std::nullopt);

// The "handle this update?" hook of `serve` and `lambda`: the store's atomic claim when the
// assistant or moderation.enabled uses one (so Telegram's retries are caught across processes
// and Lambda containers), else an in-process memory of recent update ids.
runtime::UpdateDedupe update_dedupe(const AssistantParts& parts, const core::Config& cfg,
                                    core::Clock& clock);

// The llm::BackendConfig of model.* and openai.* (moderation_setup.cpp builds classifiers with it).
llm::BackendConfig backend_config(const core::Config& cfg);

// The options of bot::Assistant for a configuration (tests check the mapping).
bot::AssistantOptions assistant_options(const core::Config& cfg);

// Every group's moderation defaults, from moderation.*.
bot::moderation::ModerationDefaults moderation_defaults(const core::Config& cfg);

}  // namespace app
