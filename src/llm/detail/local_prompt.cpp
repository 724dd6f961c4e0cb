#include "llm/detail/local_prompt.h"

#include <algorithm>
#include <cmath>

namespace llm::detail {
namespace {

engine::ChatRole engine_role(Role role) {
    switch (role) {
        case Role::System:
            return engine::ChatRole::System;
        case Role::User:
            return engine::ChatRole::User;
        case Role::Assistant:
            return engine::ChatRole::Assistant;
    }
    return engine::ChatRole::User;
}

}  // namespace

core::Result<std::vector<int>> render_prompt_ids(const engine::ChatTemplate& tmpl,
                                                 const engine::Tokenizer& tok,
                                                 const std::vector<ChatMessage>& messages,
                                                 bool add_generation_prompt) {
    std::vector<engine::ChatMessage> msgs;
    msgs.reserve(messages.size());
    for (const auto& m : messages) msgs.push_back({engine_role(m.role), m.content});
    auto rendered = tmpl.render(msgs, add_generation_prompt);
    if (!rendered) return core::fail(std::move(rendered).error());
    std::vector<int> ids;
    for (const auto& seg : rendered->segments) {
        tok.tokenize(seg.text, {.add_special = false, .parse_special = seg.is_template}, ids);
    }
    if (ids.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "llm: the conversation renders to no tokens (send some text)");
    }
    return ids;
}

core::Result<std::vector<int>> first_label_tokens(const engine::Tokenizer& tok,
                                                  const std::vector<std::string>& labels) {
    if (labels.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "llm: classify needs at least one label (e.g. safe,unsafe)");
    }
    std::vector<int> ids;
    for (size_t i = 0; i < labels.size(); ++i) {
        const auto toks = tok.tokenize(labels[i], {.add_special = false, .parse_special = false});
        if (toks.empty()) {
            return core::fail(core::ErrorCode::InvalidArgument,
                              "llm: classify label " + std::to_string(i) +
                                  " is empty (give every label some text)");
        }
        for (size_t j = 0; j < ids.size(); ++j) {
            if (ids[j] == toks.front()) {
                return core::fail(core::ErrorCode::InvalidArgument,
                                  "llm: classify labels '" + labels[j] + "' and '" + labels[i] +
                                      "' start with the same token '" +
                                      tok.token_text(toks.front()) +
                                      "', so one forward pass cannot tell them apart (reword "
                                      "one so their first words differ)");
            }
        }
        ids.push_back(toks.front());
    }
    return ids;
}

std::vector<double> softmax_at(std::span<const float> logits, std::span<const int> ids) {
    std::vector<double> p(ids.size());
    double max = -INFINITY;
    for (int id : ids) max = std::max(max, static_cast<double>(logits[static_cast<size_t>(id)]));
    double sum = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
        p[i] = std::exp(static_cast<double>(logits[static_cast<size_t>(ids[i])]) - max);
        sum += p[i];
    }
    for (double& v : p) v /= sum;
    return p;
}

size_t common_prefix(std::span<const int> a, std::span<const int> b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

}  // namespace llm::detail
