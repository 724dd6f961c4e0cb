#include "llm/chat_model.h"

#include "llm/local_chat_model.h"
#include "llm/openai_chat_model.h"
#include "net/curl_http_client.h"

namespace llm {

const char* role_name(Role role) {
    switch (role) {
        case Role::System:
            return "system";
        case Role::User:
            return "user";
        case Role::Assistant:
            return "assistant";
    }
    return "user";
}

const char* finish_reason_name(FinishReason reason) {
    switch (reason) {
        case FinishReason::Stop:
            return "stop";
        case FinishReason::Length:
            return "length";
        case FinishReason::Deadline:
            return "deadline";
        case FinishReason::Error:
            return "error";
    }
    return "error";
}

const char* backend_name(Backend backend) {
    switch (backend) {
        case Backend::None:
            return "none";
        case Backend::Local:
            return "local";
        case Backend::OpenAi:
            return "openai";
    }
    return "none";
}

double Scores::probability(std::string_view label) const {
    for (const auto& l : labels) {
        if (l.label == label) return l.probability;
    }
    return 0;
}

std::string Scores::top() const {
    const LabelScore* best = nullptr;
    for (const auto& l : labels) {
        if (best == nullptr || l.probability > best->probability) best = &l;
    }
    return best != nullptr ? best->label : std::string();
}

core::Result<std::unique_ptr<ChatModel>> make_chat_model(const BackendConfig& config,
                                                         std::shared_ptr<net::HttpClient> http) {
    switch (config.backend) {
        case Backend::None:
            return core::fail(core::ErrorCode::InvalidArgument,
                              "llm: model.backend=none has no chat model (set model.backend to "
                              "openai or local)");
        case Backend::Local: {
            LocalOptions local;
            local.model_path = config.model_path;
            auto model = LocalChatModel::load(local);
            if (!model) return core::fail(std::move(model).error());
            return std::unique_ptr<ChatModel>(std::move(*model));
        }
        case Backend::OpenAi:
            break;
    }
    if (config.model_name.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "llm: model.name is empty (set it to the API's model, e.g. gpt-4o-mini)");
    }
    if (config.base_url.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "llm: openai.base_url is empty (e.g. https://api.openai.com/v1)");
    }
    if (!http) {
        net::CurlHttpClientOptions http_options;
        http_options.ca_bundle_path = config.ca_bundle_path;
        http = std::make_shared<net::CurlHttpClient>(http_options);
    }
    OpenAiOptions options;
    options.base_url = config.base_url;
    options.api_key = config.api_key;
    options.model = config.model_name;
    return std::unique_ptr<ChatModel>(
        std::make_unique<OpenAiChatModel>(std::move(options), std::move(http)));
}

double estimate_cost_usd(const Usage& usage, const BackendConfig& prices) {
    return (static_cast<double>(usage.prompt_tokens) * prices.price_input_per_mtok +
            static_cast<double>(usage.completion_tokens) * prices.price_output_per_mtok) /
           1e6;
}

}  // namespace llm
