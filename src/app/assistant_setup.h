// Builds the chat assistant of `lambdagram poll` and `console` from the configuration: the
// ChatModel (llm::make_chat_model), the Store (SqliteStore at store.path, MemoryStore for
// ":memory:"), the context file over HTTP, and the bot::Assistant that uses them.
//   auto parts = app::build_assistant(cfg, clock);  // parts->assistant is null for backend none
#pragma once

#include <memory>
#include <optional>

#include "bot/assistant.h"
#include "bot/bot.h"
#include "bot/context_source.h"
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
};

// The assistant for `cfg`; with model.backend none, parts with no assistant. Fails when the
// model or the store cannot be set up, with a message naming the key to fix.
core::Result<AssistantParts> build_assistant(const core::Config& cfg, core::Clock& clock);

// The router every transport runs (poll, serve, lambda, console): bot::Bot over `api` with the
// parts' assistant. `me` is set when the transport already knows who the bot is (console).
std::unique_ptr<bot::Bot> make_bot(telegram::BotApi& api, AssistantParts& parts,
                                   const core::Config& cfg, core::Clock& clock,
                                   std::optional<telegram::User> me = std::nullopt);

// The "handle this update?" hook of `serve` and `lambda`: the store's atomic claim when the
// assistant opened one (so Telegram's retries are caught across processes and Lambda
// containers), else an in-process memory of recent update ids.
runtime::UpdateDedupe update_dedupe(const AssistantParts& parts, const core::Config& cfg,
                                    core::Clock& clock);

// The options of bot::Assistant for a configuration (tests check the mapping).
bot::AssistantOptions assistant_options(const core::Config& cfg);

}  // namespace app
