#include "llm/openai_moderation.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/redact.h"
#include "core/strings.h"
#include "llm/detail/openai_http.h"

namespace llm {

using nlohmann::json;

std::string moderation_category(std::string_view c) {
    const std::string_view head = c.substr(0, c.find('/'));
    if (head == "harassment") return "harassment";
    if (head == "hate") return "hate";
    if (head == "sexual") return "sexual";
    if (head == "violence") return "violence";
    if (head == "self-harm") return "self_harm";
    if (c == "illicit/violent") return "violence";
    return {};
}

OpenAiModerationClassifier::OpenAiModerationClassifier(OpenAiModerationOptions options,
                                                       std::shared_ptr<net::HttpClient> http)
    : options_(std::move(options)), http_(std::move(http)) {
    LG_CHECK(http_ != nullptr, "OpenAiModerationClassifier needs an HttpClient");
    core::register_secret(options_.api_key);
    while (!options_.base_url.empty() && options_.base_url.back() == '/')
        options_.base_url.pop_back();
}

core::Result<Scores> OpenAiModerationClassifier::classify(const std::string& prompt,
                                                          const std::vector<std::string>& labels,
                                                          core::Deadline deadline) {
    if (labels.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument, "openai: classify needs labels");
    }
    json body = {{"model", options_.model}, {"input", prompt}};
    detail::Endpoint ep{http_.get(),    options_.base_url, options_.api_key,
                        options_.model, options_.retry,    options_.clock};
    auto r = detail::post_json(ep, "/moderations",
                               body.dump(-1, ' ', false, json::error_handler_t::replace), deadline,
                               nullptr, nullptr);
    if (!r) return core::fail(std::move(r).error());
    json j = json::parse(r->body, nullptr, false);
    const json* scores = nullptr;
    if (!j.is_discarded() && j.is_object() && j.contains("results") && j["results"].is_array() &&
        !j["results"].empty() && j["results"][0].is_object() &&
        j["results"][0].contains("category_scores") &&
        j["results"][0]["category_scores"].is_object()) {
        scores = &j["results"][0]["category_scores"];
    }
    if (scores == nullptr) {
        return core::fail(core::ErrorCode::Parse,
                          "openai: the moderation response has no results[0].category_scores");
    }
    std::map<std::string, double> cats;
    for (const char* c : {"harassment", "hate", "sexual", "violence", "self_harm"}) cats[c] = 0;
    for (const auto& [name, v] : scores->items()) {
        std::string ours = moderation_category(name);
        if (ours.empty() || !v.is_number()) continue;
        double x = v.get<double>();
        if (std::isfinite(x)) cats[ours] = std::max(cats[ours], std::clamp(x, 0.0, 1.0));
    }
    double top = 0;
    for (const auto& [name, v] : cats) top = std::max(top, v);
    std::vector<double> w;
    for (size_t i = 0; i < labels.size(); ++i) {
        auto it = cats.find(labels[i]);
        w.push_back(it != cats.end() ? it->second : i == 0 ? 1.0 - top : top);
    }
    double sum = 0;
    for (double x : w) sum += x;
    Scores s;
    for (size_t i = 0; i < labels.size(); ++i) {
        double p = sum > 0 ? w[i] / sum : (i == 0 ? 1.0 : 0.0);
        s.labels.push_back({labels[i], p});
    }
    s.categories = std::move(cats);
    return s;
}

}  // namespace llm
