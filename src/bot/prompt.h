// Turns the configured prompt template (a Mistral [INST] text by default) into the chat messages
// every backend takes: a system message (the instructions), the chat's history, the question.
//   auto msgs = bot::build_messages(cfg.bot.prompt_template, vars, history, budget);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llm/chat_model.h"

namespace bot {

// The values of the template's placeholders.
struct PromptVars {
    std::string bot_name;
    std::string date;  // "2026-11-25"
    std::string time;  // "14:05"
    std::string location;
    std::string context;  // the context file, plus the replied-to message in groups
    std::string question;
};

// The template split into its two messages. The rule (docs/assistant.md):
//  * every placeholder except {question} is filled in;
//  * the markers <s> </s> [INST] [/INST] are removed wherever they are;
//  * system = the text before {question}, trimmed, without a label on its last line that ends
//    right before the question with ':' (the default's "Question:");
//  * user = the question, then the text after {question} (trimmed) when there is any.
struct RenderedPrompt {
    std::string system;
    std::string user;
};
RenderedPrompt render_prompt(std::string_view prompt_template, const PromptVars& vars);

// A token estimate for budgets when no tokenizer is at hand: one token per 4 bytes, rounded up.
int64_t estimate_tokens(std::string_view text);

// One earlier message of the chat.
struct HistoryTurn {
    llm::Role role = llm::Role::User;
    std::string text;
};

// system, then the newest history turns that fit in `history_token_budget` (estimated; oldest
// dropped first, and a leading assistant turn with them), then the user message.
std::vector<llm::ChatMessage> build_messages(const RenderedPrompt& prompt,
                                             const std::vector<HistoryTurn>& history,
                                             int64_t history_token_budget);

}  // namespace bot
