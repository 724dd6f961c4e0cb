// Synthetic random-weight llama/qwen2-shaped GGUF models for tests and benchmarks, with a
// vocabulary copied from another GGUF file or made up. Weights are generated per row at write
// time (deterministic in the seed), so 7B-shaped files stream to disk in constant memory.
//   SyntheticModelSpec spec;  spec.n_embd = 64;  spec.type = TensorType::Q8_0;
//   auto st = engine::gguf::write_synthetic_model(spec, "/tmp/tiny.gguf");
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "engine/gguf/gguf.h"
#include "engine/gguf/writer.h"
#include "engine/tensor_type.h"

namespace engine::gguf {

struct SyntheticModelSpec {
    std::string arch = "llama";  // "llama" or "qwen2" (qwen2 adds q/k/v biases)
    std::string name = "synthetic";
    uint32_t n_vocab = 512;      // ignored when `vocab` is set (its token count is used)
    uint32_t n_embd = 64;
    uint32_t n_layer = 2;
    uint32_t n_head = 4;
    uint32_t n_head_kv = 2;
    uint32_t n_ff = 192;
    uint32_t n_ctx = 2048;
    float rope_freq_base = 10000.0f;
    float norm_rms_eps = 1e-5f;
    TensorType type = TensorType::F32;  // 2-D weights; norms and biases are always F32
    TensorType embd_type = TensorType::F32;  // token_embd.weight (and output.weight)
    bool tied_embeddings = true;  // no output.weight (the output projection is token_embd)
    uint64_t seed = 42;
    float weight_std = 0.02f;
    const GgufFile* vocab = nullptr;  // copies its tokenizer.* keys when set
    uint32_t version = 3;
    uint32_t alignment = kDefaultAlignment;
};

// Fills `w` with the metadata and tensors of the model (nothing is written yet).
core::Status build_synthetic_model(const SyntheticModelSpec& spec, GgufWriter& w);
core::Status write_synthetic_model(const SyntheticModelSpec& spec, const std::string& path);

// The type a weight of row length `ne0` gets when `wanted` needs a larger block: K-quants fall
// back to Q8_0 (ne0 % 32 == 0), anything else to F16.
TensorType fallback_type(TensorType wanted, uint64_t ne0);

}  // namespace engine::gguf
