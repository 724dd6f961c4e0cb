// A loaded GGUF language model ready to evaluate: hyper-parameters, weights viewed in place in
// the mmap'd file, the KV cache and every scratch buffer, all allocated once by Model::load.
// eval() runs a batch of tokens at positions pos..pos+n-1 (prompt or one decode step).
//   auto m = engine::model::Model::load("qwen2.5-0.5b-q8_0.gguf", {.n_ctx = 2048});
//   std::vector<float> logits(m->n_vocab());  LG_TRY((*m)->eval(ids, 0, logits.data()));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/gguf/gguf.h"
#include "engine/model/blocks.h"
#include "engine/model/weights.h"

namespace engine::model {

enum class KvType { F16, F32 };

struct ModelOptions {
    int n_ctx = 2048;        // context length (clamped to the model's training context)
    int n_batch = 512;       // tokens per forward pass; longer prompts run in chunks
    int n_threads = 0;       // 0: every hardware thread
    KvType kv_type = KvType::F16;
    // Exact math: quantized weights are dequantized block by block and multiplied with F32
    // activations (no 8-bit activations). Slower; for verification against a reference computed
    // over dequantized weights. The KV cache type stays kv_type.
    bool precise = false;
    bool check_memory = true;  // refuse to load when the estimate exceeds MemAvailable
    // Called while the weights are paged in (bytes done, bytes total); may be empty.
    std::function<void(uint64_t, uint64_t)> on_progress;
};

struct Hparams {
    std::string arch;
    int n_vocab = 0;
    int n_embd = 0;
    int n_layer = 0;
    int n_head = 0;
    int n_head_kv = 0;
    int head_dim = 0;
    int n_ff = 0;
    int n_ctx_train = 0;
    float rms_eps = 1e-5f;
    RopeConfig rope;
};

// Bytes a model needs in memory: weights (mapped), KV cache and scratch.
struct MemoryEstimate {
    uint64_t weights = 0;
    uint64_t kv_cache = 0;
    uint64_t scratch = 0;
    uint64_t total() const { return weights + kv_cache + scratch; }
};

class Forward;

class Model {
public:
    // Opens, validates (every tensor's presence, type and shape) and prepares a model.
    static core::Result<std::unique_ptr<Model>> load(const std::string& path, const ModelOptions& opts = {});
    // The same over an already opened file (tests write models in memory).
    static core::Result<std::unique_ptr<Model>> load(gguf::GgufFile file, const ModelOptions& opts = {});
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    // Evaluates tokens at positions pos..pos+n-1, overwriting the KV cache from pos on (so a
    // cached prefix 0..pos-1 is reused). Writes the logits of the last token to logits_out
    // (n_vocab floats), or of every token when all_logits (n_tokens x n_vocab).
    // Errors (checked before any work): empty batch, pos past the cache, pos + n > n_ctx,
    // a token id outside the vocabulary.
    core::Status eval(std::span<const int> tokens, int pos, float* logits_out, bool all_logits = false);

    const Hparams& hparams() const { return hp_; }
    int n_vocab() const { return hp_.n_vocab; }
    int n_ctx() const { return n_ctx_; }
    const gguf::GgufFile& file() const { return file_; }
    const MemoryEstimate& memory() const { return mem_; }
    // True when quantized matmuls round activations to 8 bits first, as llama.cpp does
    // (decides which reference tolerance applies); false when they stay F32 (precise mode).
    bool activations_quantized() const;

private:
    Model(gguf::GgufFile file, const ModelOptions& opts);
    core::Status init();

    gguf::GgufFile file_;
    ModelOptions opts_;
    Hparams hp_;
    int n_ctx_ = 0;
    MemoryEstimate mem_;
    ModelWeights w_;
    std::unique_ptr<Forward> fwd_;
};

// Reads the hyper-parameters of a supported architecture from the metadata.
core::Result<Hparams> read_model_hparams(const gguf::GgufFile& f);
// What a model would need with these options.
MemoryEstimate estimate_memory(const gguf::GgufFile& f, const Hparams& hp, const ModelOptions& opts);
// MemAvailable from /proc/meminfo in bytes, or 0 when unknown.
uint64_t available_memory();

}  // namespace engine::model
