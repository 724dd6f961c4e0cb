#include "bot/prompt.h"

#include "core/strings.h"

namespace bot {

namespace {

void replace_all(std::string& s, std::string_view what, std::string_view with) {
    for (size_t pos = s.find(what); pos != std::string::npos;
         pos = s.find(what, pos + with.size())) {
        s.replace(pos, what.size(), with);
    }
}

std::string fill(std::string_view text, const PromptVars& v) {
    std::string s(text);
    for (std::string_view marker : {"<s>", "</s>", "[INST]", "[/INST]"}) replace_all(s, marker, "");
    replace_all(s, "{bot_name}", v.bot_name);
    replace_all(s, "{date}", v.date);
    replace_all(s, "{time}", v.time);
    replace_all(s, "{location}", v.location);
    replace_all(s, "{context}", v.context);
    return s;
}

// Drops "Question:" (any label ending in ':' on the last line) from the end of the system part.
std::string drop_question_label(std::string system) {
    std::string_view trimmed = core::trim(system);
    if (trimmed.empty() || trimmed.back() != ':') return std::string(trimmed);
    size_t line = trimmed.rfind('\n');
    std::string_view label = line == std::string_view::npos ? trimmed : trimmed.substr(line + 1);
    if (label.size() > 40) return std::string(trimmed);  // a sentence, not a label
    return std::string(core::trim(trimmed.substr(0, trimmed.size() - label.size())));
}

}  // namespace

RenderedPrompt render_prompt(std::string_view prompt_template, const PromptVars& vars) {
    RenderedPrompt out;
    size_t q = prompt_template.find("{question}");
    if (q == std::string_view::npos) {
        out.system = std::string(core::trim(fill(prompt_template, vars)));
        out.user = vars.question;
        return out;
    }
    out.system = drop_question_label(fill(prompt_template.substr(0, q), vars));
    std::string after(core::trim(fill(prompt_template.substr(q + 10), vars)));
    out.user = vars.question;
    if (!after.empty()) out.user += "\n\n" + after;
    return out;
}

int64_t estimate_tokens(std::string_view text) {
    return static_cast<int64_t>((text.size() + 3) / 4);
}

std::vector<llm::ChatMessage> build_messages(const RenderedPrompt& prompt,
                                             const std::vector<HistoryTurn>& history,
                                             int64_t history_token_budget) {
    size_t first = history.size();
    int64_t used = 0;
    while (first > 0) {
        int64_t cost = estimate_tokens(history[first - 1].text);
        if (used + cost > history_token_budget) break;
        used += cost;
        --first;
    }
    // Start on a user turn, so the model never sees an answer to a dropped question.
    while (first < history.size() && history[first].role != llm::Role::User) ++first;

    std::vector<llm::ChatMessage> msgs;
    if (!prompt.system.empty()) msgs.push_back({llm::Role::System, prompt.system});
    for (size_t i = first; i < history.size(); ++i) {
        msgs.push_back({history[i].role, history[i].text});
    }
    msgs.push_back({llm::Role::User, prompt.user});
    return msgs;
}

}  // namespace bot
