// Facts about a GGUF model for `lambdagram model info`: architecture, parameter count, tensor
// types, context length, chat template family and the RAM estimate for weights + F16 KV cache.
//   auto f = GgufFile::open(path);  ModelInfo info = engine::gguf::describe(*f, 2048);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf.h"
#include "engine/gguf/hparams.h"
#include "engine/tensor_type.h"

namespace engine::gguf {

inline constexpr uint32_t kDefaultInfoContext = 4096;  // cap for the default --ctx

struct TensorTypeCount {
    TensorType type = TensorType::F32;
    uint32_t n_tensors = 0;
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;
};

struct ModelInfo {
    std::string arch;  // general.architecture ("" when absent)
    std::string name;  // general.name
    uint32_t version = 0;
    uint64_t file_size = 0;
    uint64_t n_tensors = 0;
    uint64_t n_params = 0;       // sum of tensor element counts
    uint64_t weights_bytes = 0;  // sum of tensor byte sizes
    std::vector<TensorTypeCount> types;         // by bytes, largest first
    std::vector<std::string> unsupported_types;  // types present that the engine cannot compute
    std::optional<ModelHparams> hparams;         // absent when the metadata is incomplete
    std::string hparams_error;                   // why hparams is absent
    std::string tokenizer_model;                 // tokenizer.ggml.model ("llama", "gpt2", ...)
    uint32_t n_vocab = 0;
    uint32_t n_ctx_train = 0;
    uint32_t n_ctx = 0;          // context the estimate is for
    uint64_t kv_bytes = 0;       // F16 K and V for n_ctx tokens
    uint64_t ram_bytes = 0;      // weights_bytes + kv_bytes
    bool has_chat_template = false;
    std::string chat_template_family;  // chatml, llama2, mistral, llama3, gemma, phi3, zephyr, unknown
};

// `n_ctx`: context for the KV estimate; nullopt means the model's context capped at 4096.
ModelInfo describe(const GgufFile& file, std::optional<uint32_t> n_ctx = std::nullopt);

// Best guess of a chat template's family from its Jinja text ("unknown" when none matches).
std::string_view chat_template_family(std::string_view tmpl);

// KV cache bytes at F16: 2 (K and V) * n_layer * n_ctx * n_head_kv * head_dim * 2 bytes.
uint64_t kv_cache_bytes(const ModelHparams& hp, uint32_t n_ctx);

}  // namespace engine::gguf
