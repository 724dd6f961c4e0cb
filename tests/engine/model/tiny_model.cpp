#include "tiny_model.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace engine::model::testing {

namespace {

// Deterministic values roughly uniform in [-scale, scale] (splitmix64).
std::vector<float> random_values(size_t n, float scale, uint64_t seed) {
    std::vector<float> v(n);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (auto& x : v) {
        s += 0x9E3779B97F4A7C15ull;
        uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        x = scale * (static_cast<float>(z >> 40) / static_cast<float>(1u << 24) * 2.0f - 1.0f);
    }
    return v;
}

}  // namespace

core::Result<std::string> write_tiny_model(const TinySpec& spec, const std::string& dir, const std::string& name) {
    using gguf::MetaValue;
    gguf::GgufWriter w;
    const std::string a = spec.arch;
    w.set("general.architecture", MetaValue::string(a));
    w.set(a + ".context_length", MetaValue::u32(static_cast<uint32_t>(spec.n_ctx)));
    w.set(a + ".embedding_length", MetaValue::u32(static_cast<uint32_t>(spec.n_embd)));
    w.set(a + ".block_count", MetaValue::u32(static_cast<uint32_t>(spec.n_layer)));
    w.set(a + ".feed_forward_length", MetaValue::u32(static_cast<uint32_t>(spec.n_ff)));
    w.set(a + ".attention.head_count", MetaValue::u32(static_cast<uint32_t>(spec.n_head)));
    w.set(a + ".attention.head_count_kv", MetaValue::u32(static_cast<uint32_t>(spec.n_head_kv)));
    w.set(a + ".attention.layer_norm_rms_epsilon", MetaValue::f32(1e-5f));
    w.set(a + ".rope.freq_base", MetaValue::f32(a == "llama" ? 10000.0f : 1000000.0f));
    const uint64_t e = static_cast<uint64_t>(spec.n_embd);
    const uint64_t hd = e / static_cast<uint64_t>(spec.n_head);
    const uint64_t q = hd * static_cast<uint64_t>(spec.n_head);
    const uint64_t kv = hd * static_cast<uint64_t>(spec.n_head_kv);
    const uint64_t ff = static_cast<uint64_t>(spec.n_ff);
    uint64_t seed = spec.seed * 1000;
    core::Status st = core::ok();
    auto matrix = [&](const std::string& n, uint64_t cols, uint64_t rows) {
        if (!st || n == spec.omit) return;
        st = w.add_tensor_f32(n, {cols, rows}, spec.type,
                              random_values(cols * rows, 1.7f / std::sqrt(static_cast<float>(cols)), ++seed));
    };
    auto vec = [&](const std::string& n, uint64_t len, float base, float spread) {
        if (!st || n == spec.omit) return;
        std::vector<float> v = random_values(len, spread, ++seed);
        for (auto& x : v) x += base;
        st = w.add_tensor_f32(n, {len}, TensorType::F32, std::move(v));
    };
    matrix("token_embd.weight", e, static_cast<uint64_t>(spec.n_vocab));
    vec("output_norm.weight", e, 1.0f, 0.2f);
    if (!spec.tied) matrix("output.weight", e, static_cast<uint64_t>(spec.n_vocab));
    for (int il = 0; il < spec.n_layer; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        vec(p + "attn_norm.weight", e, 1.0f, 0.2f);
        matrix(p + "attn_q.weight", e, q);
        matrix(p + "attn_k.weight", e, kv);
        matrix(p + "attn_v.weight", e, kv);
        if (a == "qwen2") {
            vec(p + "attn_q.bias", q, 0.0f, 0.5f);
            vec(p + "attn_k.bias", kv, 0.0f, 0.5f);
            vec(p + "attn_v.bias", kv, 0.0f, 0.5f);
        }
        if (a == "qwen3") {
            vec(p + "attn_q_norm.weight", hd, 1.0f, 0.2f);
            vec(p + "attn_k_norm.weight", hd, 1.0f, 0.2f);
        }
        matrix(p + "attn_output.weight", q, e);
        vec(p + "ffn_norm.weight", e, 1.0f, 0.2f);
        matrix(p + "ffn_gate.weight", e, ff);
        matrix(p + "ffn_up.weight", e, ff);
        matrix(p + "ffn_down.weight", ff, e);
    }
    LG_TRY(st);
    if (spec.tweak) spec.tweak(w);
    const std::string path = dir + "/" + name + ".gguf";
    LG_TRY(w.write_file(path));
    return path;
}

}  // namespace engine::model::testing
