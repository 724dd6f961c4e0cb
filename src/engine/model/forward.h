// One forward pass over a batch of tokens: the activation buffers (sized once for n_batch
// tokens), the KV cache, and the batch-wide operations architecture files compose. Nothing
// here allocates or fails after construction.
//   f.norm(l.attn_norm, f.xb());  f.linear(l.wq, f.xb(), f.q());  f.rope_qk();  f.attention(il);
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "engine/model/arch.h"
#include "engine/model/blocks.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/model/weights.h"

namespace engine::model {

class Linear;

class Forward {
public:
    Forward(const Hparams& hp, const ModelWeights& w, const ArchOps& arch, int n_ctx, int n_batch,
            bool kv_f16, int n_threads, bool precise);
    ~Forward();

    // Runs tokens (at most n_batch, already validated) at positions pos..; writes the logits of
    // the last token, or of all tokens, to logits (nullptr: only fill the KV cache).
    void run(std::span<const int> tokens, int pos, float* logits, bool all_logits);

    // --- operations over the current batch (n_tokens() rows each) ---
    // out = RMSNorm(x) * w, row by row (n_embd wide).
    void norm(const Weight& w, float* out);
    // out[t] = W · in[t] for every token: in rows are w.cols wide, out rows w.rows wide.
    void linear(const Weight& w, const float* in, float* out);
    // q/k/v = Wq/Wk/Wv · in for every token, with one shared pass (Linear::matmul3).
    void qkv(const LayerWeights& l, const float* in);
    // y[t] += b (rows b.cols wide).
    void add_bias(const Weight& b, float* y);
    // RMSNorm of every head_dim-wide head of q (or k) with weight w (qwen3).
    void head_norm(const Weight& w, float* y, bool is_k);
    // Rotates q and k of every token by its position.
    void rope_qk();
    // Stores k and v at the batch's positions in layer il's cache, then att = attention(q).
    void attention(int il);
    // x += y (n_embd wide).
    void add_to_residual(const float* y);
    // x += Wdown · (silu(Wgate · n(x)) * (Wup · n(x))), n = RMSNorm with l.ffn_norm.
    void ffn_swiglu(const LayerWeights& l);

    int n_tokens() const { return n_; }
    float* xb() { return xb_.data(); }
    float* q() { return q_.data(); }
    float* k() { return k_.data(); }
    float* v() { return v_.data(); }
    float* att() { return att_.data(); }

    // Whether quantized matmuls round the activations to 8 bits (false in precise mode).
    bool activations_quantized() const;

    static uint64_t scratch_bytes(const Hparams& hp, int n_ctx, int n_batch, int n_threads);

private:
    const Hparams& hp_;
    const ModelWeights& w_;
    const ArchOps& arch_;
    int n_batch_;
    int n_threads_;
    int n_ = 0;
    int pos_ = 0;
    KvCache kv_;
    RopeConfig rope_;
    RopeTable rope_table_;
    std::unique_ptr<Linear> linear_;
    std::vector<float> x_, xb_, q_, k_, v_, att_, gate_, up_;
    size_t scratch_per_thread_ = 0;
    std::vector<float> scores_;  // n_threads x scratch_per_thread_ (attention scores)
};

}  // namespace engine::model
