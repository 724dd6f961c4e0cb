// Architecture hyper-parameters read from GGUF metadata (`<arch>.block_count`, ...), with
// llama.cpp's defaults for optional keys and validation errors that name the key.
//   auto hp = engine::gguf::read_hparams(file);  // hp->n_layer, hp->n_head_kv, hp->rope_freq_base
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "engine/gguf/gguf.h"

namespace engine::gguf {

enum class RopeScaling { None, Linear, Yarn, LongRope };

struct ModelHparams {
    std::string arch;            // general.architecture: "llama", "qwen2", ...
    uint32_t n_vocab = 0;        // <arch>.vocab_size, else tokenizer.ggml.tokens, else token_embd ne[1]
    uint32_t n_ctx_train = 0;    // <arch>.context_length
    uint32_t n_embd = 0;         // <arch>.embedding_length
    uint32_t n_layer = 0;        // <arch>.block_count
    uint32_t n_ff = 0;           // <arch>.feed_forward_length (largest if per layer)
    uint32_t n_head = 0;         // <arch>.attention.head_count
    uint32_t n_head_kv = 0;      // <arch>.attention.head_count_kv (default n_head)
    uint32_t n_embd_head_k = 0;  // <arch>.attention.key_length (default n_embd / n_head)
    uint32_t n_embd_head_v = 0;  // <arch>.attention.value_length (default n_embd / n_head)
    uint32_t n_rot = 0;          // <arch>.rope.dimension_count (default n_embd_head_k)
    uint32_t n_expert = 0;       // <arch>.expert_count (0: dense)
    float rope_freq_base = 10000.0f;                // <arch>.rope.freq_base
    RopeScaling rope_scaling = RopeScaling::None;   // <arch>.rope.scaling.type
    float rope_scaling_factor = 0.0f;               // <arch>.rope.scaling.factor (0: none)
    float rope_freq_scale = 1.0f;                   // 1 / factor when a factor is set
    uint32_t rope_scaling_orig_ctx = 0;             // <arch>.rope.scaling.original_context_length
    float norm_rms_eps = 1e-5f;                     // <arch>.attention.layer_norm_rms_epsilon
    float norm_eps = 1e-5f;                         // <arch>.attention.layer_norm_epsilon

    uint32_t n_embd_k_gqa() const { return n_embd_head_k * n_head_kv; }
    uint32_t n_embd_v_gqa() const { return n_embd_head_v * n_head_kv; }
    uint32_t n_gqa() const { return n_head_kv == 0 ? 0 : n_head / n_head_kv; }
};

// Reads and validates the hyper-parameters of general.architecture. Errors: NotFound for a
// missing required key, Parse for a wrong type or an inconsistent value (naming the key).
core::Result<ModelHparams> read_hparams(const GgufFile& file);

std::string_view rope_scaling_name(RopeScaling s);

}  // namespace engine::gguf
