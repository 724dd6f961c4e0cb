// OpenAiModerationClassifier: OpenAI's moderation endpoint (POST {base_url}/moderations, model
// omni-moderation-latest) as a Classifier, its categories mapped onto ours (harassment, hate,
// sexual, violence, self_harm; nothing maps to spam).
//   llm::OpenAiModerationClassifier mod({.api_key = key}, http);
//   auto s = mod.classify(text, {"safe", "unsafe"}, deadline);  // s->categories->at("hate")
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "llm/chat_model.h"
#include "net/http_client.h"
#include "net/retry.h"

namespace llm {

struct OpenAiModerationOptions {
    std::string base_url = "https://api.openai.com/v1";
    std::string api_key;
    std::string model = "omni-moderation-latest";
    net::RetryPolicy retry;
    core::Clock* clock = nullptr;  // null: the system clock
};

// Labels are scored from the categories: a label named like one of our categories gets its
// score; the FIRST label is the benign one (1 - the highest score); any other label ("unsafe",
// "flagged") gets the highest score. The results are normalized to sum to 1.
class OpenAiModerationClassifier final : public Classifier {
public:
    OpenAiModerationClassifier(OpenAiModerationOptions options,
                               std::shared_ptr<net::HttpClient> http);
    core::Result<Scores> classify(const std::string& prompt, const std::vector<std::string>& labels,
                                  core::Deadline deadline) override;

private:
    OpenAiModerationOptions options_;
    std::shared_ptr<net::HttpClient> http_;
};

// Our category for an OpenAI moderation category ("self-harm/intent" -> "self_harm"), or empty
// for those we do not use ("illicit").
std::string moderation_category(std::string_view openai_category);

}  // namespace llm
