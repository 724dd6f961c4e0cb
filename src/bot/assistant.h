// bot::Assistant: answers a question with the language model. Checks the allow-list and limits,
// renders the prompt (template, context file, replied-to message, history), streams the answer
// into the chat (StreamingReply) with reasoning blocks hidden, ends with "…" when the deadline
// cut it short, then records history and token use in the Store.
//   bot::Assistant a(model, &store, &context, opts, clock);
//   a.answer(api, message, "what is a lambda?", reply_context, deadline);
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bot/context_source.h"
#include "bot/limits.h"
#include "bot/streaming_reply.h"
#include "core/clock.h"
#include "core/result.h"
#include "llm/chat_model.h"
#include "store/store.h"
#include "telegram/bot_api.h"

namespace bot {

struct AssistantOptions {
    std::string name = "Vecihi";
    std::string location;
    std::string prompt_template;          // core::kDefaultPromptTemplate when empty
    llm::ChatParams params;               // max_tokens 100 by default
    size_t history_turns = 0;             // earlier question/answer pairs kept per chat; 0 = off
    int64_t history_token_budget = 1000;  // estimated tokens of history in one prompt
    StreamOptions stream;
    LimitOptions limits;
    // Time kept back from the handler's deadline for sending the last text after the model.
    core::Millis reply_margin{3000};
};

inline constexpr const char* kTimeoutText =
    "Sorry, I ran out of time before I could write an answer. Please try again.";
inline constexpr const char* kModelErrorText =
    "Sorry, I could not answer right now: my language model is unavailable. Please try again "
    "later.";
inline constexpr const char* kEmptyAnswerText = "I have no answer to that.";
inline constexpr const char* kHistoryClearedText = "Done: I forgot our conversation so far.";
inline constexpr const char* kHistoryOffText =
    "I keep no conversation history here, so there is nothing to forget.";

class Assistant {
public:
    // `store` and `context` may be null (no limits in the store, no history, no context file).
    Assistant(llm::ChatModel& model, store::Store* store, ContextCache* context,
              AssistantOptions options, core::Clock& clock);

    // Answers `question` (the message's text without the command or mention) in the message's
    // chat. `reply_context` is the text of the message it replies to, or empty.
    core::Status answer(telegram::BotApi& api, const telegram::Message& message,
                        const std::string& question, const std::string& reply_context,
                        core::Deadline deadline);

    // /reset: forgets the chat's history; returns the text to reply.
    std::string reset(int64_t chat_id);

    const AssistantOptions& options() const { return options_; }

    // Told the tokens (prompt + completion) of every model answer, e.g. to count them in /metrics.
    // Set before serving; called on the handling threads, so it must be thread-safe.
    using TokenObserver = std::function<void(int64_t tokens)>;
    void set_token_observer(TokenObserver observer) { token_observer_ = std::move(observer); }

private:
    std::vector<llm::ChatMessage> messages(int64_t chat_id, const std::string& question,
                                           const std::string& reply_context,
                                           core::Deadline deadline);
    void remember(int64_t chat_id, const std::string& question, const std::string& answer);

    llm::ChatModel& model_;
    store::Store* store_;
    ContextCache* context_;
    AssistantOptions options_;
    core::Clock& clock_;
    Limits limits_;
    EditThrottle throttle_;
    TokenObserver token_observer_;
};

}  // namespace bot
