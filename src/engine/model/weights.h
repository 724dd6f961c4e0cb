// The model's weights as views into the mapped GGUF file (never copied, never dequantized as a
// whole), and the loader that finds each tensor, checks its type and shape and says which one
// is wrong.
//   WeightLoader ld(file);  LayerWeights l;  LG_TRY(ld.require("blk.0.attn_q.weight", {n_embd, n_embd}, &l.wq));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/gguf/gguf.h"
#include "engine/tensor_type.h"

namespace engine::model {

// A 2-D weight of `rows` rows of `cols` elements (ggml: ne[0] = cols, ne[1] = rows), or a 1-D
// vector (rows == 1). data == nullptr means absent (an optional tensor the file lacks).
struct Weight {
    std::string_view name;
    TensorType type = TensorType::F32;
    int64_t rows = 0;
    int64_t cols = 0;
    size_t row_bytes = 0;
    const std::byte* data = nullptr;

    bool present() const { return data != nullptr; }
    const float* f32() const { return reinterpret_cast<const float*>(data); }  // F32 only
    const std::byte* row(int64_t r) const { return data + static_cast<size_t>(r) * row_bytes; }
};

struct LayerWeights {
    Weight attn_norm;                // [n_embd] F32
    Weight wq, wk, wv;               // [n_head*head_dim | n_head_kv*head_dim rows, n_embd cols]
    Weight bq, bk, bv;               // qwen2: biases of q, k, v (F32)
    Weight q_norm, k_norm;           // qwen3: [head_dim] RMSNorm weights applied per head
    Weight wo;                       // [n_embd rows, n_head*head_dim cols]
    Weight ffn_norm;                 // [n_embd] F32
    Weight ffn_gate, ffn_up;         // [n_ff rows, n_embd cols]
    Weight ffn_down;                 // [n_embd rows, n_ff cols]
};

struct ModelWeights {
    Weight token_embd;   // [n_vocab rows, n_embd cols]; a row is dequantized on lookup
    Weight output_norm;  // [n_embd] F32
    Weight output;       // [n_vocab rows, n_embd cols]; token_embd when tied
    Weight rope_freqs;   // optional [head_dim/2] F32 frequency divisors (Llama 3.1+)
    std::vector<LayerWeights> layers;
};

// True when the engine has kernels for the type (matmul and row dequantization).
bool weight_type_supported(TensorType t);

class WeightLoader {
public:
    explicit WeightLoader(const gguf::GgufFile& file) : file_(file) {}

    // Finds `name` with ggml shape {cols} or {cols, rows}. Errors name the tensor: missing,
    // a type the engine cannot compute, or the expected and actual shapes.
    core::Status require(std::string_view name, std::vector<int64_t> shape, Weight* out);
    // As require, but a missing tensor leaves *out absent.
    core::Status optional(std::string_view name, std::vector<int64_t> shape, Weight* out);
    // As require, and the tensor must be F32 (norms, biases).
    core::Status require_f32(std::string_view name, std::vector<int64_t> shape, Weight* out);
    core::Status optional_f32(std::string_view name, std::vector<int64_t> shape, Weight* out);

private:
    core::Status bind(const gguf::TensorInfo& t, const std::vector<int64_t>& shape, bool f32, Weight* out);
    const gguf::GgufFile& file_;
};

// "blk.3.attn_q.weight"
std::string layer_tensor(int il, std::string_view suffix);

}  // namespace engine::model
