#include "bot/assistant.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

#include "bot/prompt.h"
#include "bot/think_filter.h"
#include "core/config.h"
#include "core/log.h"
#include "core/strings.h"

namespace bot {

namespace {

std::string rtrim(std::string s) {
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
        s.pop_back();
    }
    return s;
}

llm::Role to_llm(store::Role r) {
    switch (r) {
        case store::Role::System:
            return llm::Role::System;
        case store::Role::Assistant:
            return llm::Role::Assistant;
        case store::Role::User:
            break;
    }
    return llm::Role::User;
}

// The final text for a finished (or failed) generation.
std::string final_text(const core::Result<llm::Reply>& reply, const std::string& streamed) {
    if (!reply) {
        if (reply.error().code == core::ErrorCode::Timeout) {
            return streamed.empty() ? std::string(kTimeoutText) : rtrim(streamed) + "…";
        }
        return streamed.empty() ? std::string(kModelErrorText) : rtrim(streamed) + "…";
    }
    std::string text = rtrim(std::string(core::trim(strip_think(reply->text))));
    bool cut = reply->finish_reason == llm::FinishReason::Deadline ||
               reply->finish_reason == llm::FinishReason::Error;
    if (text.empty()) return cut ? std::string(kTimeoutText) : std::string(kEmptyAnswerText);
    return cut ? text + "…" : text;
}

}  // namespace

Assistant::Assistant(llm::ChatModel& model, store::Store* store, ContextCache* context,
                     AssistantOptions options, core::Clock& clock)
    : model_(model),
      store_(store),
      context_(context),
      options_(std::move(options)),
      clock_(clock),
      limits_(store, options_.limits, clock) {
    if (options_.prompt_template.empty()) options_.prompt_template = core::kDefaultPromptTemplate;
}

std::vector<llm::ChatMessage> Assistant::messages(int64_t chat_id, const std::string& question,
                                                  const std::string& reply_context,
                                                  core::Deadline deadline) {
    std::time_t now = std::chrono::system_clock::to_time_t(clock_.wall_now());
    std::tm utc = fmt::gmtime(now);
    PromptVars vars;
    vars.bot_name = options_.name;
    vars.location = options_.location;
    vars.date = fmt::format("{:%Y-%m-%d}", utc);
    vars.time = fmt::format("{:%H:%M} UTC", utc);
    vars.context = context_ ? context_->get(deadline) : std::string();
    if (!reply_context.empty()) {
        if (!vars.context.empty()) vars.context += "\n\n";
        vars.context += "The question replies to this message:\n" + reply_context;
    }
    vars.question = question;

    std::vector<HistoryTurn> history;
    if (options_.history_turns > 0 && store_ != nullptr) {
        auto turns = store_->recent_turns(chat_id, options_.history_turns * 2);
        if (!turns) {
            core::log::warn("bot: history of chat {} unreadable: {}", chat_id,
                            turns.error().message);
        } else {
            for (const auto& t : *turns) history.push_back({to_llm(t.role), t.text});
        }
    }
    return build_messages(render_prompt(options_.prompt_template, vars), history,
                          options_.history_token_budget);
}

void Assistant::remember(int64_t chat_id, const std::string& question, const std::string& answer) {
    if (options_.history_turns == 0 || store_ == nullptr) return;
    store::Turn q{store::Role::User, question, estimate_tokens(question), clock_.wall_now()};
    store::Turn a{store::Role::Assistant, answer, estimate_tokens(answer), clock_.wall_now()};
    for (const auto& t : {q, a}) {
        if (auto st = store_->append_turn(chat_id, t); !st) {
            core::log::warn("bot: history of chat {} not saved: {}", chat_id, st.error().message);
            return;
        }
    }
}

std::string Assistant::reset(int64_t chat_id) {
    if (options_.history_turns == 0 || store_ == nullptr) return kHistoryOffText;
    if (auto st = store_->clear_history(chat_id); !st) {
        core::log::warn("bot: history of chat {} not cleared: {}", chat_id, st.error().message);
        return "Sorry, I could not forget our conversation just now. Please try again.";
    }
    return kHistoryClearedText;
}

core::Status Assistant::answer(telegram::BotApi& api, const telegram::Message& message,
                               const std::string& question, const std::string& reply_context,
                               core::Deadline deadline) {
    const int64_t chat = message.chat.id;
    const int64_t user = message.from ? message.from->id : 0;
    StreamingReply out(api, message, throttle_, options_.stream, clock_);
    if (auto refusal = limits_.admit(user, chat)) {
        if (refusal->empty()) return core::ok();
        return out.finish(*refusal, deadline);
    }
    out.typing(deadline);
    std::vector<llm::ChatMessage> msgs = messages(chat, question, reply_context, deadline);

    // The model stops early enough to leave time for the last edit.
    bool room = deadline.remaining(clock_) > 2 * options_.reply_margin;
    core::Deadline model_deadline = room ? deadline.minus(options_.reply_margin) : deadline;
    ThinkFilter filter;
    std::string streamed;
    auto on_delta = [&](std::string_view delta) {
        streamed += filter.feed(delta);
        out.typing(deadline);
        out.update(streamed, deadline);
    };
    core::SteadyTime start = clock_.now();
    auto reply = model_.chat(msgs, options_.params, model_deadline, on_delta);
    if (!reply) {
        core::log::warn("bot: {} failed for chat {}: {}", model_.name(), chat,
                        reply.error().message);
    } else {
        core::log::info("bot: {} answered chat {} in {} ms ({}, {} tokens)", model_.name(), chat,
                        std::chrono::duration_cast<core::Millis>(clock_.now() - start).count(),
                        llm::finish_reason_name(reply->finish_reason),
                        reply->usage.completion_tokens);
    }
    std::string text = final_text(reply, streamed);
    core::Status sent = out.finish(text, deadline);
    if (reply) {
        remember(chat, question, text);
        int64_t used = reply->usage.prompt_tokens + reply->usage.completion_tokens;
        if (used == 0) {
            for (const auto& m : msgs) used += estimate_tokens(m.content);
            used += estimate_tokens(reply->text);
        }
        limits_.spend(chat, used);
        if (token_observer_) token_observer_(used);
    }
    return sent;
}

}  // namespace bot
