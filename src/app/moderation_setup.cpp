#include "app/moderation_setup.h"

#include "app/assistant_setup.h"
#include "bot/moderation/assess.h"
#include "bot/moderation/builtin_lexicon.h"
#include "core/strings.h"
#include "llm/openai_moderation.h"
#include "net/curl_http_client.h"

namespace app {
namespace {

const char* model_backend_kind(core::ModelBackend b) {
    switch (b) {
        case core::ModelBackend::Local:
            return "local";
        case core::ModelBackend::OpenAi:
            return "openai";
        case core::ModelBackend::None:
            return "none";
    }
    return "none";
}

core::Result<std::unique_ptr<bot::moderation::Lexicon>> build_lexicon(const core::Config& cfg) {
    auto lex = std::make_unique<bot::moderation::Lexicon>();
    if (cfg.moderation.builtin_lexicon) {
        if (auto st = bot::moderation::load_builtin_lexicon(*lex); !st) {
            return core::fail(core::ErrorCode::Internal,
                              st.error().message +
                                  " (the built-in lists; set "
                                  "moderation.builtin_lexicon=false to skip them)");
        }
    }
    for (const std::string& raw : core::split(cfg.moderation.lexicon_files, ',')) {
        const std::string path(core::trim(raw));
        if (path.empty()) continue;
        if (auto st = lex->load_file(path); !st) {
            return core::fail(st.error().code,
                              st.error().message + " (fix the file or moderation.lexicon_files)");
        }
    }
    return lex;
}

core::Result<std::string> resolve_kind(const core::Config& cfg, const std::string& override_kind) {
    std::string kind = override_kind.empty() ? cfg.moderation.classifier : override_kind;
    if (kind == "auto") kind = model_backend_kind(cfg.model.backend);
    if (kind == "none" || kind == "local" || kind == "openai" || kind == "openai-moderation") {
        return kind;
    }
    return core::fail(core::ErrorCode::InvalidArgument,
                      "moderation.classifier \"" + kind +
                          "\" is not one of auto, none, local, openai, openai-moderation");
}

// A ChatModel built only for classification, when the assistant's model is another backend.
core::Result<std::unique_ptr<llm::ChatModel>> own_chat_model(const core::Config& cfg,
                                                             const std::string& kind) {
    llm::BackendConfig b = backend_config(cfg);
    b.backend = kind == "local" ? llm::Backend::Local : llm::Backend::OpenAi;
    if (kind == "local" && b.model_path.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "moderation.classifier local needs model.path (a GGUF file)");
    }
    if (kind == "openai" && b.model_name.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "moderation.classifier openai needs model.name (e.g. gpt-4o-mini)");
    }
    auto model = llm::make_chat_model(b);
    if (!model) {
        return core::fail(model.error().code,
                          "moderation.classifier " + kind + ": " + model.error().message);
    }
    return std::move(*model);
}

// OpenAI's moderation endpoint judges the text it gets: it receives the quoted message alone,
// not the instructions of the prompt the Assessor writes.
class MessageOnlyClassifier final : public llm::Classifier {
public:
    explicit MessageOnlyClassifier(std::unique_ptr<llm::Classifier> inner)
        : inner_(std::move(inner)) {}
    core::Result<llm::Scores> classify(const std::string& prompt,
                                       const std::vector<std::string>& labels,
                                       core::Deadline deadline) override {
        return inner_->classify(bot::moderation::quoted_message(prompt), labels, deadline);
    }

private:
    std::unique_ptr<llm::Classifier> inner_;
};

core::Result<std::unique_ptr<llm::Classifier>> moderation_endpoint(const core::Config& cfg) {
    if (cfg.openai.api_key.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "moderation.classifier openai-moderation needs openai.api_key (set "
                          "OPENAI_API_KEY)");
    }
    llm::OpenAiModerationOptions o;
    o.api_key = cfg.openai.api_key;
    o.base_url = cfg.openai.base_url;
    net::CurlHttpClientOptions http_options;
    http_options.ca_bundle_path = cfg.http.ca_bundle;
    return std::unique_ptr<llm::Classifier>(
        std::make_unique<MessageOnlyClassifier>(std::make_unique<llm::OpenAiModerationClassifier>(
            std::move(o), std::make_shared<net::CurlHttpClient>(http_options))));
}

}  // namespace

core::Result<ModerationParts> build_moderation(const core::Config& cfg,
                                               llm::ChatModel* shared_model,
                                               const std::string& classifier_override) {
    ModerationParts parts;
    auto lex = build_lexicon(cfg);
    if (!lex) return core::fail(std::move(lex).error());
    parts.lexicon = std::move(*lex);
    auto kind = resolve_kind(cfg, classifier_override);
    if (!kind) return core::fail(std::move(kind).error());
    parts.classifier_kind = *kind;
    if (*kind == "none") return parts;
    if (*kind == model_backend_kind(cfg.model.backend) && shared_model != nullptr) {
        parts.classifier = shared_model;  // the assistant's model, loaded once
        parts.classifier_name = shared_model->name();
        return parts;
    }
    if (*kind == "openai-moderation") {
        auto endpoint = moderation_endpoint(cfg);
        if (!endpoint) return core::fail(std::move(endpoint).error());
        parts.owned_classifier = std::move(*endpoint);
        parts.classifier_name = "openai-moderation:omni-moderation-latest";
    } else {
        auto model = own_chat_model(cfg, *kind);
        if (!model) return core::fail(std::move(model).error());
        parts.classifier_name = (*model)->name();
        parts.owned_classifier = std::move(*model);
    }
    parts.classifier = parts.owned_classifier.get();
    return parts;
}

}  // namespace app
