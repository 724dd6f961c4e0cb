// Tiny random models for tests, written by GgufWriter: llama, qwen2 (q/k/v biases) or qwen3
// (per-head q/k norms), every matrix in one chosen weight type, norms and biases in F32.
//   TinySpec spec{.arch = "qwen3", .type = TensorType::Q4_K};  auto path = write_tiny_model(spec, dir);
#pragma once

#include <functional>
#include <string>

#include "core/result.h"
#include "engine/gguf/writer.h"
#include "engine/tensor_type.h"

namespace engine::model::testing {

struct TinySpec {
    std::string arch = "llama";
    TensorType type = TensorType::F32;  // type of every matrix
    int n_embd = 256;                   // multiples of 256 so K-quants fit
    int n_layer = 2;
    int n_head = 4;
    int n_head_kv = 2;
    int n_ff = 512;
    int n_vocab = 300;
    int n_ctx = 128;
    bool tied = true;  // no output.weight
    uint32_t seed = 1;
    // Edits the writer before the file is written (tests of broken files).
    std::function<void(gguf::GgufWriter&)> tweak;
    // Skips the tensor of this name (tests of missing tensors).
    std::string omit;
};

// Writes the model to dir/<name>.gguf and returns the path.
core::Result<std::string> write_tiny_model(const TinySpec& spec, const std::string& dir, const std::string& name);

}  // namespace engine::model::testing
