// OpenAiChatModel: a ChatModel over any OpenAI-compatible Chat Completions API (OpenAI, llama.cpp's
// server, Ollama, vLLM, OpenRouter, Groq): streaming over SSE, classify() through structured
// output (with a plain-text fallback for servers without it), retries, clear error texts.
//   llm::OpenAiChatModel m({.base_url = url, .api_key = key, .model = "gpt-4o-mini"}, http);
//   auto reply = m.chat({{llm::Role::User, "Hi"}}, {}, deadline, on_delta);
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "llm/chat_model.h"
#include "net/http_client.h"
#include "net/retry.h"

namespace llm {

struct OpenAiOptions {
    std::string base_url = "https://api.openai.com/v1";
    std::string api_key;  // empty: no Authorization header (local servers)
    std::string model;
    bool stream = true;  // stream when chat() gets an on_delta; false: one request, one delta
    // Send max_completion_tokens instead of max_tokens (OpenAI's reasoning models). Switched on
    // by itself when a server answers 400 naming max_completion_tokens.
    bool use_max_completion_tokens = false;
    net::RetryPolicy retry;
    core::Clock* clock = nullptr;  // for backoff and timings; null: the system clock
};

class OpenAiChatModel final : public ChatModel {
public:
    OpenAiChatModel(OpenAiOptions options, std::shared_ptr<net::HttpClient> http);

    core::Result<Reply> chat(const std::vector<ChatMessage>& messages, const ChatParams& params,
                             core::Deadline deadline, const OnDelta& on_delta) override;
    core::Result<Scores> classify(const std::string& prompt, const std::vector<std::string>& labels,
                                  core::Deadline deadline) override;
    std::string name() const override { return "openai:" + options_.model; }

    // True once the server refused response_format: classify() then asks for plain text.
    bool structured_output_refused() const { return plain_classify_.load(); }

private:
    core::Result<Reply> chat_streamed(const std::string& body, core::Deadline deadline,
                                      const OnDelta& on_delta);
    core::Result<Reply> chat_whole(const std::string& body, core::Deadline deadline,
                                   const OnDelta& on_delta);
    std::string chat_body(const std::vector<ChatMessage>& messages, const ChatParams& params,
                          bool stream) const;
    core::Result<Scores> classify_structured(const std::string& prompt,
                                             const std::vector<std::string>& labels,
                                             core::Deadline deadline);
    core::Result<Scores> classify_plain(const std::string& prompt,
                                        const std::vector<std::string>& labels,
                                        core::Deadline deadline);
    core::Clock& clock() const;

    OpenAiOptions options_;
    std::shared_ptr<net::HttpClient> http_;
    std::atomic<bool> max_completion_tokens_;
    std::atomic<bool> plain_classify_{false};
    std::atomic<bool> no_logprobs_{false};
};

// Scores from a model's answer naming one label: the first label named gets probability 1.
// Fails when the answer names none.
core::Result<Scores> scores_from_named_label(std::string_view answer,
                                             const std::vector<std::string>& labels);

}  // namespace llm
