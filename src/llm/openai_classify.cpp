// OpenAiChatModel::classify: structured output first, plain text (with logprobs when the server
// has them) for servers that refuse response_format.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/strings.h"
#include "llm/detail/openai_http.h"
#include "llm/openai_chat_model.h"

namespace llm {
namespace {

using nlohmann::json;

std::string join_labels(const std::vector<std::string>& labels) {
    std::string out;
    for (const auto& l : labels) out += (out.empty() ? "" : ", ") + l;
    return out;
}

json two_messages(const std::string& system, const std::string& user) {
    json msgs = json::array();
    msgs.push_back({{"role", "system"}, {"content", system}});
    msgs.push_back({{"role", "user"}, {"content", user}});
    return msgs;
}

// choices[0].message.content of a chat completion, or nullopt.
std::optional<std::string> message_content(const json& j) {
    if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
        j["choices"].empty()) {
        return std::nullopt;
    }
    const json& c = j["choices"][0];
    if (!c.is_object() || !c.contains("message") || !c["message"].is_object()) return std::nullopt;
    const json& m = c["message"];
    if (!m.contains("content") || !m["content"].is_string()) return std::nullopt;
    return m["content"].get<std::string>();
}

// Normalizes raw non-negative weights into probabilities; fails when they are all zero.
core::Result<Scores> normalized(const std::vector<std::string>& labels,
                                const std::vector<double>& weights) {
    double sum = 0;
    for (double w : weights) sum += w;
    if (!(sum > 0) || !std::isfinite(sum)) {
        return core::fail(core::ErrorCode::Parse, "openai: the classifier gave every label 0");
    }
    Scores s;
    for (size_t i = 0; i < labels.size(); ++i) s.labels.push_back({labels[i], weights[i] / sum});
    return s;
}

// Probabilities from the first answer token's top_logprobs: each token that begins a label
// (ignoring case and spaces) adds its probability to the labels it begins.
std::optional<Scores> scores_from_logprobs(const json& j, const std::vector<std::string>& labels) {
    const json* top = nullptr;
    try {
        top = &j.at("choices").at(0).at("logprobs").at("content").at(0).at("top_logprobs");
    } catch (const json::exception&) {
        return std::nullopt;
    }
    if (!top->is_array()) return std::nullopt;
    std::vector<double> w(labels.size(), 0.0);
    for (const json& t : *top) {
        if (!t.is_object() || !t.contains("token") || !t["token"].is_string() ||
            !t.contains("logprob") || !t["logprob"].is_number()) {
            continue;
        }
        std::string tok = core::to_lower_ascii(core::trim(t["token"].get<std::string>()));
        if (tok.empty()) continue;
        std::vector<size_t> hits;
        for (size_t i = 0; i < labels.size(); ++i) {
            if (core::starts_with(core::to_lower_ascii(labels[i]), tok)) hits.push_back(i);
        }
        const double p = std::exp(t["logprob"].get<double>());
        for (size_t i : hits) w[i] += p / static_cast<double>(hits.size());
    }
    auto s = normalized(labels, w);
    if (!s) return std::nullopt;
    return *s;
}

}  // namespace

core::Result<Scores> scores_from_named_label(std::string_view answer,
                                             const std::vector<std::string>& labels) {
    const std::string text = core::to_lower_ascii(answer);
    size_t best = std::string::npos;
    size_t best_pos = std::string::npos;
    for (size_t i = 0; i < labels.size(); ++i) {
        const std::string l = core::to_lower_ascii(labels[i]);
        if (l.empty()) continue;
        size_t pos = text.find(l);
        // The earliest label named wins; at the same place the longer one ("unsafe" over "un").
        if (pos != std::string::npos &&
            (pos < best_pos || (pos == best_pos && l.size() > labels[best].size()))) {
            best = i;
            best_pos = pos;
        }
    }
    if (best == std::string::npos) {
        std::string a(answer.substr(0, core::utf8_safe_prefix(answer, 80)));
        return core::fail(core::ErrorCode::Parse, "openai: the answer \"" + a +
                                                      "\" names none of the labels (" +
                                                      join_labels(labels) + ")");
    }
    Scores s;
    for (size_t i = 0; i < labels.size(); ++i)
        s.labels.push_back({labels[i], i == best ? 1.0 : 0.0});
    return s;
}

core::Result<Scores> OpenAiChatModel::classify(const std::string& prompt,
                                               const std::vector<std::string>& labels,
                                               core::Deadline deadline) {
    if (labels.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument, "openai: classify needs labels");
    }
    if (!plain_classify_) {
        auto r = classify_structured(prompt, labels, deadline);
        if (r || r.error().http_status != 400 ||
            !(detail::mentions(r.error().message, "response_format") ||
              detail::mentions(r.error().message, "json_schema"))) {
            return r;
        }
        core::log::info("openai: the server refuses response_format; classifying in plain text");
        plain_classify_ = true;
    }
    return classify_plain(prompt, labels, deadline);
}

core::Result<Scores> OpenAiChatModel::classify_structured(const std::string& prompt,
                                                          const std::vector<std::string>& labels,
                                                          core::Deadline deadline) {
    json props = json::object();
    for (const auto& l : labels) props[l] = {{"type", "number"}};
    json schema = {{"type", "object"},
                   {"properties", props},
                   {"required", labels},
                   {"additionalProperties", false}};
    json body = {
        {"model", options_.model},
        {"messages", two_messages("Classify the user's message. For each label give the "
                                  "probability (0 to 1) that it applies; the probabilities sum "
                                  "to 1. Labels: " +
                                      join_labels(labels) + ".",
                                  prompt)},
        {"temperature", 0},
        {"response_format",
         {{"type", "json_schema"},
          {"json_schema", {{"name", "label_scores"}, {"strict", true}, {"schema", schema}}}}}};
    body[max_completion_tokens_ ? "max_completion_tokens" : "max_tokens"] =
        static_cast<int>(32 + 16 * labels.size());
    detail::Endpoint ep{http_.get(),    options_.base_url, options_.api_key,
                        options_.model, options_.retry,    &clock()};
    auto r = detail::post_json(ep, "/chat/completions",
                               body.dump(-1, ' ', false, json::error_handler_t::replace), deadline,
                               nullptr, nullptr);
    if (!r) return core::fail(std::move(r).error());
    auto content = message_content(json::parse(r->body, nullptr, false));
    if (!content) {
        return core::fail(core::ErrorCode::Parse, "openai: the classify response has no message");
    }
    json scores = json::parse(*content, nullptr, false);
    if (scores.is_discarded() || !scores.is_object()) {
        return scores_from_named_label(*content, labels);  // a server that ignored the schema
    }
    std::vector<double> w;
    for (const auto& l : labels) {
        double v = scores.contains(l) && scores[l].is_number() ? scores[l].get<double>() : 0.0;
        w.push_back(std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0);
    }
    return normalized(labels, w);
}

core::Result<Scores> OpenAiChatModel::classify_plain(const std::string& prompt,
                                                     const std::vector<std::string>& labels,
                                                     core::Deadline deadline) {
    for (int adapt = 0;; ++adapt) {
        json body = {
            {"model", options_.model},
            {"messages", two_messages("Classify the user's message. Answer with exactly one "
                                      "of these labels and nothing else: " +
                                          join_labels(labels) + ".",
                                      prompt)},
            {"temperature", 0}};
        body[max_completion_tokens_ ? "max_completion_tokens" : "max_tokens"] = 16;
        if (!no_logprobs_) {
            body["logprobs"] = true;
            body["top_logprobs"] = 10;
        }
        detail::Endpoint ep{http_.get(),    options_.base_url, options_.api_key,
                            options_.model, options_.retry,    &clock()};
        auto r = detail::post_json(ep, "/chat/completions",
                                   body.dump(-1, ' ', false, json::error_handler_t::replace),
                                   deadline, nullptr, nullptr);
        if (!r) {
            if (adapt == 0 && !no_logprobs_ && r.error().http_status == 400 &&
                detail::mentions(r.error().message, "logprobs")) {
                no_logprobs_ = true;
                continue;
            }
            return core::fail(std::move(r).error());
        }
        json j = json::parse(r->body, nullptr, false);
        if (auto s = scores_from_logprobs(j, labels)) return *s;
        auto content = message_content(j);
        if (!content) {
            return core::fail(core::ErrorCode::Parse,
                              "openai: the classify response has no message");
        }
        return scores_from_named_label(*content, labels);
    }
}

}  // namespace llm
