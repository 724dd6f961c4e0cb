// LocalChatModel: loading, the prefix-cached prompt evaluation, the generation loop and classify.
#include "llm/local_chat_model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "engine/chat/reasoning.h"
#include "engine/sampling/sampler.h"
#include "engine/sampling/stop_controller.h"
#include "engine/tokenizer/stream_decoder.h"
#include "engine/tokenizer/vocab_gguf.h"
#include "llm/detail/local_prompt.h"

namespace llm {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::chrono::milliseconds ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a);
}

std::string model_display_name(const engine::gguf::GgufFile& file, const std::string& path) {
    if (auto n = file.get_string("general.name"); n && !n->empty()) return std::string(*n);
    if (!path.empty()) return std::filesystem::path(path).stem().string();
    return "model";
}

FinishReason finish_reason(engine::FinishReason r) {
    switch (r) {
        case engine::FinishReason::Stop:
            return FinishReason::Stop;
        case engine::FinishReason::Length:
            return FinishReason::Length;
        case engine::FinishReason::Deadline:
            return FinishReason::Deadline;
        case engine::FinishReason::Error:
            return FinishReason::Error;
    }
    return FinishReason::Error;
}

engine::SamplingParams sampling_params(const ChatParams& params, int max_tokens) {
    engine::SamplingParams sp;
    sp.temperature = static_cast<float>(std::max(0.0, params.temperature));
    sp.top_p = static_cast<float>(params.top_p);
    sp.max_tokens = max_tokens;
    if (params.seed) sp.seed = *params.seed;
    return sp;
}

}  // namespace

core::Result<std::unique_ptr<LocalChatModel>> LocalChatModel::load(const LocalOptions& options) {
    if (options.model_path.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "llm: model.path is empty (set it to a GGUF file for model.backend=local)");
    }
    auto file = engine::gguf::GgufFile::open(options.model_path);
    if (!file) {
        return core::fail(file.error().code, "llm: model.path " + options.model_path + ": " +
                                                 file.error().message);
    }
    return load(std::move(*file), options);
}

core::Result<std::unique_ptr<LocalChatModel>> LocalChatModel::load(engine::gguf::GgufFile file,
                                                                   const LocalOptions& options) {
    auto vocab = engine::vocab_from_gguf(file);
    if (!vocab) return core::fail(std::move(vocab).error());
    auto tok = engine::Tokenizer::create(std::move(*vocab));
    if (!tok) return core::fail(std::move(tok).error());
    std::string_view jinja;
    if (const auto* v = file.find("tokenizer.chat_template");
        v != nullptr && v->type == engine::gguf::ValueType::String) {
        jinja = v->str;
    }
    auto tmpl = engine::make_chat_template(options.chat_template, jinja);
    if (!tmpl) return core::fail(std::move(tmpl).error());
    std::string name = "local:" + model_display_name(file, options.model_path);
    engine::model::ModelOptions mo;
    mo.n_ctx = options.n_ctx;
    mo.n_threads = options.n_threads;
    mo.check_memory = options.check_memory;
    auto model = engine::model::Model::load(std::move(file), mo);
    if (!model) return core::fail(std::move(model).error());
    return std::unique_ptr<LocalChatModel>(new LocalChatModel(
        std::move(*model), std::move(*tok), std::move(*tmpl), options, std::move(name)));
}

LocalChatModel::LocalChatModel(std::unique_ptr<engine::model::Model> model,
                               engine::Tokenizer tokenizer, engine::ChatTemplate tmpl,
                               LocalOptions options, std::string name)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      template_(std::move(tmpl)),
      options_(std::move(options)),
      name_(std::move(name)),
      logits_(static_cast<size_t>(model_->n_vocab())) {}

core::Result<std::vector<int>> LocalChatModel::prompt_ids(const std::vector<ChatMessage>& messages,
                                                          bool add_generation_prompt) const {
    return detail::render_prompt_ids(template_, tokenizer_, messages, add_generation_prompt);
}

core::Result<std::vector<int>> LocalChatModel::label_tokens(
    const std::vector<std::string>& labels) const {
    return detail::first_label_tokens(tokenizer_, labels);
}

size_t LocalChatModel::cached_tokens() const {
    std::lock_guard<std::mutex> lock(mu_);
    return kv_ids_.size();
}

void LocalChatModel::clear_cache() {
    std::lock_guard<std::mutex> lock(mu_);
    kv_ids_.clear();
}

core::Status LocalChatModel::eval_prompt(std::span<const int> ids, std::vector<float>& logits) {
    std::lock_guard<std::mutex> lock(mu_);
    return eval_prompt_locked(ids, logits);
}

core::Status LocalChatModel::eval_prompt_locked(std::span<const int> ids,
                                                std::vector<float>& logits) {
    if (ids.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument, "llm: the prompt has no tokens");
    }
    if (static_cast<int64_t>(ids.size()) > model_->n_ctx()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "llm: the prompt has " + std::to_string(ids.size()) +
                              " tokens, more than the context of " +
                              std::to_string(model_->n_ctx()) +
                              " (shorten the prompt or raise the context size)");
    }
    logits.resize(static_cast<size_t>(model_->n_vocab()));
    size_t keep = options_.prefix_cache ? detail::common_prefix(kv_ids_, ids) : 0;
    // At least one token is evaluated: the logits of the last position are needed.
    keep = std::min(keep, ids.size() - 1);
    kv_ids_.resize(keep);
    auto st = model_->eval(ids.subspan(keep), static_cast<int>(keep), logits.data());
    if (!st) {
        kv_ids_.clear();
        return st;
    }
    kv_ids_.assign(ids.begin(), ids.end());
    return core::ok();
}

core::Status LocalChatModel::eval_next(int id, std::vector<float>& logits) {
    const int pos = static_cast<int>(kv_ids_.size());
    auto st = model_->eval(std::span<const int>(&id, 1), pos, logits.data());
    if (!st) {
        kv_ids_.clear();
        return st;
    }
    kv_ids_.push_back(id);
    return core::ok();
}

std::vector<int> LocalChatModel::eog_tokens() const {
    std::vector<int> out;
    for (engine::TokenId id : {tokenizer_.eos(), tokenizer_.eot()}) {
        if (id != engine::kNoToken) out.push_back(id);
    }
    for (const auto& s : template_.stop_strings()) {
        if (auto id = tokenizer_.find_token(s)) out.push_back(*id);
    }
    return out;
}

core::Result<Reply> LocalChatModel::chat(const std::vector<ChatMessage>& messages,
                                         const ChatParams& params, core::Deadline deadline,
                                         const OnDelta& on_delta) {
    const auto t0 = SteadyClock::now();
    auto ids = prompt_ids(messages);
    if (!ids) return core::fail(std::move(ids).error());
    std::lock_guard<std::mutex> lock(mu_);
    const int room = model_->n_ctx() - static_cast<int>(ids->size());
    if (room < 1) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "llm: the conversation has " + std::to_string(ids->size()) +
                              " tokens, no room left in the context of " +
                              std::to_string(model_->n_ctx()) + " (send fewer or shorter messages)");
    }
    const int max_tokens = params.max_tokens > 0 ? std::min(params.max_tokens, room) : room;
    const engine::SamplingParams sp = sampling_params(params, max_tokens);
    if (auto st = engine::validate(sp); !st) return core::fail(std::move(st).error());
    if (deadline.expired()) {
        return core::fail(core::ErrorCode::Timeout, "llm: the deadline passed before generation");
    }
    LG_TRY(eval_prompt_locked(*ids, logits_));

    engine::StopConfig sc;
    sc.stop_strings = template_.stop_strings();
    sc.stop_strings.insert(sc.stop_strings.end(), params.stop.begin(), params.stop.end());
    sc.eog_tokens = eog_tokens();
    sc.max_tokens = max_tokens;
    sc.deadline = deadline;
    engine::StopController stop(std::move(sc));
    engine::Sampler sampler(sp, model_->n_vocab());
    engine::StreamDecoder decoder(tokenizer_);
    engine::ThinkFilter think;
    std::vector<int> history = *ids;

    Reply reply;
    reply.usage.prompt_tokens = static_cast<int64_t>(ids->size());
    bool first = true;
    auto emit = [&](const std::string& text) {
        if (text.empty()) return;
        if (first) {
            reply.timings.ttft = ms_between(t0, SteadyClock::now());
            first = false;
        }
        reply.text += text;
        if (on_delta) on_delta(text);
    };
    const auto t_gen = SteadyClock::now();
    while (!stop.check_deadline()) {
        const int id = sampler.sample(logits_, history);
        emit(think.feed(stop.feed(id, decoder.push(id))));
        if (stop.done()) break;
        history.push_back(id);
        if (auto st = eval_next(id, logits_); !st) {
            reply.error = st.error().message;
            stop.stop(engine::FinishReason::Error);
            break;
        }
    }
    emit(think.feed(stop.flush()));
    emit(think.finish());
    const auto t_end = SteadyClock::now();
    reply.finish_reason = finish_reason(stop.finish_reason());
    reply.usage.completion_tokens = stop.n_tokens();
    reply.timings.total = ms_between(t0, t_end);
    if (first) reply.timings.ttft = reply.timings.total;
    const double gen_s = std::chrono::duration<double>(t_end - t_gen).count();
    if (gen_s > 0) reply.timings.tokens_per_s = static_cast<double>(stop.n_tokens()) / gen_s;
    if (reply.text.empty() && reply.finish_reason == FinishReason::Deadline) {
        return core::fail(core::ErrorCode::Timeout,
                          "llm: the deadline passed before the model wrote any text");
    }
    if (reply.text.empty() && reply.finish_reason == FinishReason::Error) {
        return core::fail(core::ErrorCode::Internal, "llm: generation failed: " + reply.error);
    }
    return reply;
}

core::Result<Scores> LocalChatModel::classify(const std::string& prompt,
                                              const std::vector<std::string>& labels,
                                              core::Deadline deadline) {
    auto label_ids = label_tokens(labels);
    if (!label_ids) return core::fail(std::move(label_ids).error());
    auto ids = prompt_ids({{Role::User, prompt}});
    if (!ids) return core::fail(std::move(ids).error());
    std::lock_guard<std::mutex> lock(mu_);
    if (deadline.expired()) {
        return core::fail(core::ErrorCode::Timeout, "llm: the deadline passed before classify");
    }
    LG_TRY(eval_prompt_locked(*ids, logits_));
    const std::vector<double> p = detail::softmax_at(logits_, *label_ids);
    Scores scores;
    for (size_t i = 0; i < labels.size(); ++i) scores.labels.push_back({labels[i], p[i]});
    return scores;
}

}  // namespace llm
