// LocalChatModel: a ChatModel over our own CPU engine. Loads a GGUF once, renders the model's chat
// template, streams tokens through StreamDecoder + StopController, and keeps the KV state of the
// longest common token prefix between requests (the system prompt, the moderator's instructions)
// so only each message's own tokens are evaluated. classify() is one forward pass, no generation.
//   llm::LocalOptions o;  o.model_path = "qwen2.5-0.5b-q8_0.gguf";  auto m = llm::LocalChatModel::load(o);
//   auto reply = (*m)->chat(msgs, params, deadline, on_delta);
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/chat/chat_template.h"
#include "engine/gguf/gguf.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"
#include "llm/chat_model.h"

namespace llm {

struct LocalOptions {
    std::string model_path;       // GGUF file
    std::string chat_template;    // family name ("chatml", "llama3", ...); empty: detect
    int n_ctx = 4096;             // clamped to the model's training context
    int n_threads = 0;            // 0: every hardware thread
    bool prefix_cache = true;     // false: every request evaluates its whole prompt
    bool check_memory = true;     // refuse to load when the model does not fit in memory
};

class LocalChatModel final : public ChatModel {
public:
    // Opens options.model_path and loads it.
    static core::Result<std::unique_ptr<LocalChatModel>> load(const LocalOptions& options);
    // The same over an already opened file (tests and benchmarks).
    static core::Result<std::unique_ptr<LocalChatModel>> load(engine::gguf::GgufFile file,
                                                              const LocalOptions& options);

    core::Result<Reply> chat(const std::vector<ChatMessage>& messages, const ChatParams& params,
                             core::Deadline deadline, const OnDelta& on_delta) override;
    // One forward pass over `prompt` (a user turn plus the generation prompt); each label is
    // scored by the logit of its first token at the last position, softmaxed over the labels.
    // A label's first token is the one the tokenizer gives for the label alone: with a leading
    // "▁" on SentencePiece vocabularies (as the answer after "[/INST]" starts), without a space
    // on byte-level BPE ones (the answer follows "\n"). Labels sharing a first token: an error.
    core::Result<Scores> classify(const std::string& prompt, const std::vector<std::string>& labels,
                                  core::Deadline deadline) override;
    std::string name() const override { return name_; }

    // The prompt token ids for a conversation (template scaffolding parsed for control tokens,
    // message content never). Thread-safe.
    core::Result<std::vector<int>> prompt_ids(const std::vector<ChatMessage>& messages,
                                              bool add_generation_prompt = true) const;
    // The first-token id of each label (see classify); fails on collisions. Thread-safe.
    core::Result<std::vector<int>> label_tokens(const std::vector<std::string>& labels) const;
    // Evaluates `ids` reusing the cached common prefix; writes the last position's logits
    // (n_vocab floats). For tests and benchmarks: the KV cache then holds `ids`.
    core::Status eval_prompt(std::span<const int> ids, std::vector<float>& logits);
    // Tokens whose KV state is cached (positions 0..n-1).
    size_t cached_tokens() const;
    // Forgets the cached prefix (the next request evaluates everything).
    void clear_cache();

    const engine::Tokenizer& tokenizer() const { return tokenizer_; }
    const engine::ChatTemplate& chat_template() const { return template_; }
    engine::model::Model& model() { return *model_; }

private:
    LocalChatModel(std::unique_ptr<engine::model::Model> model, engine::Tokenizer tokenizer,
                   engine::ChatTemplate tmpl, LocalOptions options, std::string name);
    core::Status eval_prompt_locked(std::span<const int> ids, std::vector<float>& logits);
    core::Status eval_next(int id, std::vector<float>& logits);
    std::vector<int> eog_tokens() const;

    std::unique_ptr<engine::model::Model> model_;
    engine::Tokenizer tokenizer_;
    engine::ChatTemplate template_;
    LocalOptions options_;
    std::string name_;
    mutable std::mutex mu_;     // one request at a time: the model and its KV cache are shared
    std::vector<int> kv_ids_;   // tokens whose keys and values fill KV positions 0..n-1
    std::vector<float> logits_;
};

}  // namespace llm
