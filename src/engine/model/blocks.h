// Building blocks of a decoder-only transformer, in F32 over plain arrays: RMSNorm, rotary
// position embedding (normal and NeoX pairing, linear and YaRN scaling, per-dimension factors),
// grouped-query attention over one layer's KV cache with a causal mask, SwiGLU, softmax.
//   RopeTable t(rope, n_rot);  t.fill(pos);  rope_apply(q, n_head, head_dim, rope.style, t);
#pragma once

#include <cstdint>
#include <vector>

namespace engine::model {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * w[i]   (w may be nullptr: no scale)
void rms_norm(const float* x, const float* w, float* out, int n, float eps);

// x[i] = silu(gate[i]) * up[i], written over gate.
void swiglu(float* gate, const float* up, int n);

// In-place softmax of x[0..n).
void softmax(float* x, int n);

// How a head's dimensions are paired for rotation: Normal rotates (2i, 2i+1) (llama), NeoX
// rotates (i, i + n_rot/2) (qwen2, qwen3).
enum class RopeStyle { Normal, Neox };

struct RopeConfig {
    RopeStyle style = RopeStyle::Normal;
    int n_rot = 0;             // rotated dimensions per head (<= head_dim)
    float freq_base = 10000.0f;
    float freq_scale = 1.0f;   // 1 / linear or YaRN scaling factor
    bool yarn = false;
    float yarn_ext_factor = 1.0f;
    float yarn_attn_factor = 1.0f;
    float yarn_beta_fast = 32.0f;
    float yarn_beta_slow = 1.0f;
    int n_ctx_orig = 0;        // training context before YaRN scaling
    const float* freq_factors = nullptr;  // n_rot/2 divisors of each frequency (Llama 3.1+), or null
};

// cos/sin of every rotated pair for one position (n_rot/2 of each). Allocated once, filled per
// token in the hot path.
class RopeTable {
public:
    explicit RopeTable(const RopeConfig& cfg);
    void fill(int pos);
    const float* cos() const { return cos_.data(); }
    const float* sin() const { return sin_.data(); }

private:
    RopeConfig cfg_;
    float corr_low_ = 0;
    float corr_high_ = 0;
    std::vector<float> cos_;
    std::vector<float> sin_;
};

// Rotates the first n_rot dimensions of each of n_head heads stored back to back in x.
void rope_apply(float* x, int n_head, int head_dim, const RopeConfig& cfg, const RopeTable& t);

// One layer's keys and values for positions 0..n_ctx-1, each row n_head_kv * head_dim wide,
// stored as F16 (uint16_t) or F32.
struct KvView {
    const void* k = nullptr;
    const void* v = nullptr;
    bool f16 = true;
    int row = 0;  // elements per row (n_head_kv * head_dim)
    bool exact = false;  // F16 cache: use the scalar reference kernel (precise mode), not SIMD
};

// Attention of one query token at position `pos` over cache rows 0..pos (causal), heads
// head_begin..head_end-1:
// out[h] = sum_j softmax_j(q[h].k[j][kvh] * scale) v[j][kvh], kvh = h / (n_head / n_head_kv).
// An F16 cache is read as llama.cpp's flash attention does (F16 query and accumulator).
// `scratch` holds attend_scratch_floats(n_ctx, head_dim) floats.
int attend_scratch_floats(int n_ctx, int head_dim);
// Builds attend_one's conversion table (call once at load, so no query pays for it).
void attention_init();
void attend_one(const float* q, const KvView& kv, int pos, int n_head, int n_head_kv,
                int head_dim, float scale, int head_begin, int head_end, float* out,
                float* scratch);

}  // namespace engine::model
