// ChatModel: the one interface the bot uses for language models, whatever runs them (the local
// engine, or an OpenAI-compatible API). chat() writes a reply, streaming deltas as they come;
// classify() scores a text against labels. make_chat_model() builds one from a BackendConfig.
//   auto model = llm::make_chat_model(cfg);  // core::Result<std::unique_ptr<llm::ChatModel>>
//   auto reply = (*model)->chat(msgs, params, deadline, [](std::string_view d) { show(d); });
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace net {
class HttpClient;
}

namespace llm {

enum class Role { System, User, Assistant };
const char* role_name(Role role);  // "system", "user", "assistant"

struct ChatMessage {
    Role role = Role::User;
    std::string content;
};

struct ChatParams {
    double temperature = 0.7;
    double top_p = 0.95;
    int max_tokens = 100;
    std::vector<std::string> stop;
    std::optional<uint64_t> seed;
};

enum class FinishReason {
    Stop,      // the model ended its answer, or a stop string was met
    Length,    // max_tokens reached
    Deadline,  // the deadline came first: text holds what was produced until then
    Error,     // the stream broke after some text was produced: see Reply::error
};
const char* finish_reason_name(FinishReason reason);  // "stop", "length", "deadline", "error"

struct Usage {
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
};

struct Timings {
    std::chrono::milliseconds ttft{0};   // from the call to the first text delta
    std::chrono::milliseconds total{0};  // the whole call, retries included
    double tokens_per_s = 0;             // completion tokens over the generation time
};

struct Reply {
    std::string text;
    FinishReason finish_reason = FinishReason::Stop;
    Usage usage;
    Timings timings;
    std::string error;  // why the stream broke, for FinishReason::Error
};

struct LabelScore {
    std::string label;
    double probability = 0;
};

struct Scores {
    std::vector<LabelScore> labels;  // in the order asked; probabilities sum to 1
    // Moderation categories (harassment, hate, sexual, violence, self_harm, spam) scored in
    // [0, 1] each, when the classifier knows them (OpenAI's moderation endpoint does).
    std::optional<std::map<std::string, double>> categories;

    // The probability of `label`, 0 when absent.
    double probability(std::string_view label) const;
    // The most probable label; empty when there are none.
    std::string top() const;
};

// Anything that scores a text against labels: every ChatModel, and OpenAI's moderation endpoint.
class Classifier {
public:
    virtual ~Classifier() = default;
    // A probability per label (summing to 1), for `prompt` (the whole instruction and text).
    virtual core::Result<Scores> classify(const std::string& prompt,
                                          const std::vector<std::string>& labels,
                                          core::Deadline deadline) = 0;
};

class ChatModel : public Classifier {
public:
    using OnDelta = std::function<void(std::string_view delta)>;

    // Writes the assistant's next message. `on_delta`, when set, receives the text as it is
    // produced; the deltas concatenate to Reply::text. When the deadline comes during generation
    // the call returns what it has with FinishReason::Deadline; before any text, a Timeout error.
    virtual core::Result<Reply> chat(const std::vector<ChatMessage>& messages,
                                     const ChatParams& params, core::Deadline deadline,
                                     const OnDelta& on_delta) = 0;
    // A short name for logs and metrics: "openai:gpt-4o-mini", "local:qwen2.5-0.5b".
    virtual std::string name() const = 0;
};

enum class Backend { None, Local, OpenAi };
const char* backend_name(Backend backend);  // "none", "local", "openai"

// What the factory needs: plain values, validated by the app.
struct BackendConfig {
    Backend backend = Backend::None;
    std::string model_path;  // GGUF file (local)
    std::string model_name;  // model sent to the API (openai)
    std::string base_url = "https://api.openai.com/v1";
    std::string api_key;               // empty: no Authorization header (local servers)
    std::string ca_bundle_path;        // CA file for the default HTTP client; empty: the system's
    double price_input_per_mtok = 0;   // USD per million prompt tokens
    double price_output_per_mtok = 0;  // USD per million completion tokens
};

// Builds the configured backend. `http` is the client for remote backends; null makes a
// CurlHttpClient. Fails for Backend::None (there is no model to build); Backend::Local loads
// model_path into a LocalChatModel (local_chat_model.h).
core::Result<std::unique_ptr<ChatModel>> make_chat_model(
    const BackendConfig& config, std::shared_ptr<net::HttpClient> http = nullptr);

// Estimated cost in USD of `usage` at the configured prices.
double estimate_cost_usd(const Usage& usage, const BackendConfig& prices);

}  // namespace llm
