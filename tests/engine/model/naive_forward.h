// A plain F32 forward pass for tests, readable in one sitting like llama2.c's run.c: every
// weight dequantized to F32 up front, one token at a time, F32 KV cache, naive loops. The
// engine's optimized path is checked against it.
//   NaiveModel m(file);  std::vector<float> logits = m.step(token, pos);
#pragma once

#include <vector>

#include "engine/gguf/gguf.h"
#include "engine/model/model.h"

namespace engine::model::testing {

class NaiveModel {
public:
    explicit NaiveModel(const gguf::GgufFile& f, int n_ctx = 64);
    // Logits (n_vocab) after feeding `token` at position `pos` (positions 0..pos-1 fed before).
    std::vector<float> step(int token, int pos);

private:
    struct Layer {
        std::vector<float> attn_norm, wq, wk, wv, wo, bq, bk, bv, q_norm, k_norm;  // wq: [q_dim][n_embd]
        std::vector<float> ffn_norm, gate, up, down;
    };
    Hparams hp_;
    int n_ctx_;
    std::vector<float> embd_, out_norm_, out_;
    std::vector<Layer> layers_;
    std::vector<float> k_cache_, v_cache_;  // [layer][pos][kv_dim]
};

}  // namespace engine::model::testing
