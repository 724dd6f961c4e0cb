// read_hparams: `<arch>.*` keys to ModelHparams, defaults as llama.cpp has them.
#include "engine/gguf/hparams.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace engine::gguf {
namespace {

using core::ErrorCode;

core::Unexpected bad(const std::string& key, std::string why) {
    return core::fail(ErrorCode::Parse, fmt::format("gguf: {} {}", key, why));
}

// A u32 key that may also be stored per layer as an array (feed_forward_length, head_count
// in some files): the largest value is returned.
core::Result<uint32_t> u32_or_max(const GgufFile& f, const std::string& key, uint32_t fallback, bool required) {
    const Value* v = f.find(key);
    if (v == nullptr) {
        if (required)
            return core::fail(ErrorCode::NotFound, fmt::format("gguf: required key {} is missing", key));
        return fallback;
    }
    if (v->type == ValueType::Array && value_type_size(v->elem_type) != 0 && v->elem_type != ValueType::Float32 &&
        v->elem_type != ValueType::Float64) {
        if (v->count == 0) return bad(key, "is an empty array");
        int64_t best = 0;
        for (uint64_t i = 0; i < v->count; ++i) best = std::max(best, array_int_at(*v, i));
        if (best > static_cast<int64_t>(UINT32_MAX)) return bad(key, "has an item that does not fit 32 bits");
        return static_cast<uint32_t>(best);
    }
    return f.get_u32(key);
}

core::Result<float> f32_or(const GgufFile& f, const std::string& key, float fallback) {
    auto v = f.get_float_or(key, fallback);
    if (!v) return core::fail(std::move(v).error());
    return static_cast<float>(*v);
}

core::Result<RopeScaling> rope_scaling_of(const GgufFile& f, const std::string& key) {
    if (!f.has(key)) return RopeScaling::None;
    auto s = f.get_string(key);
    if (!s) return core::fail(std::move(s).error());
    if (*s == "none") return RopeScaling::None;
    if (*s == "linear") return RopeScaling::Linear;
    if (*s == "yarn") return RopeScaling::Yarn;
    if (*s == "longrope") return RopeScaling::LongRope;
    return bad(key, fmt::format("= '{}' is unknown (expected none, linear, yarn or longrope)", *s));
}

core::Result<uint32_t> vocab_size(const GgufFile& f, const std::string& arch) {
    if (f.has(arch + ".vocab_size")) return f.get_u32(arch + ".vocab_size");
    if (f.has("tokenizer.ggml.tokens")) {
        auto n = f.get_array_size("tokenizer.ggml.tokens");
        if (!n) return core::fail(std::move(n).error());
        if (*n > UINT32_MAX) return bad("tokenizer.ggml.tokens", "has more than 2^32 items");
        return static_cast<uint32_t>(*n);
    }
    if (const TensorInfo* t = f.find_tensor("token_embd.weight"); t != nullptr && t->n_dims >= 2)
        return static_cast<uint32_t>(std::min<uint64_t>(t->ne[1], UINT32_MAX));
    return 0u;
}

core::Status validate(const ModelHparams& h, const std::string& p) {
    if (h.n_layer == 0 || h.n_layer > 4096) return bad(p + ".block_count", fmt::format("= {} is out of range 1..4096", h.n_layer));
    if (h.n_embd == 0) return bad(p + ".embedding_length", "is 0");
    if (h.n_head == 0) return bad(p + ".attention.head_count", "is 0");
    if (h.n_head_kv == 0 || h.n_head % h.n_head_kv != 0)
        return bad(p + ".attention.head_count_kv",
                   fmt::format("= {} does not divide {}.attention.head_count = {}", h.n_head_kv, p, h.n_head));
    if (h.n_embd_head_k == 0) return bad(p + ".attention.key_length", "is 0 (or embedding_length < head_count)");
    if (h.n_embd_head_v == 0) return bad(p + ".attention.value_length", "is 0");
    if (h.n_rot > h.n_embd_head_k || h.n_rot % 2 != 0)
        return bad(p + ".rope.dimension_count",
                   fmt::format("= {} must be even and at most the head size {}", h.n_rot, h.n_embd_head_k));
    if (!(h.rope_freq_base > 0.0f) || !std::isfinite(h.rope_freq_base))
        return bad(p + ".rope.freq_base", fmt::format("= {} must be a positive number", h.rope_freq_base));
    if (!(h.norm_rms_eps > 0.0f) || !std::isfinite(h.norm_rms_eps))
        return bad(p + ".attention.layer_norm_rms_epsilon", fmt::format("= {} must be positive", h.norm_rms_eps));
    if (!(h.rope_scaling_factor >= 0.0f) || !std::isfinite(h.rope_scaling_factor))
        return bad(p + ".rope.scaling.factor", fmt::format("= {} must be >= 0", h.rope_scaling_factor));
    return core::ok();
}

}  // namespace

std::string_view rope_scaling_name(RopeScaling s) {
    switch (s) {
        case RopeScaling::None: return "none";
        case RopeScaling::Linear: return "linear";
        case RopeScaling::Yarn: return "yarn";
        case RopeScaling::LongRope: return "longrope";
    }
    return "none";
}

#define LG_HP_TRY(dst, expr)                                         \
    do {                                                             \
        auto lg_hp_r_ = (expr);                                      \
        if (!lg_hp_r_) return core::fail(std::move(lg_hp_r_).error()); \
        dst = *lg_hp_r_;                                             \
    } while (0)

core::Result<ModelHparams> read_hparams(const GgufFile& f) {
    ModelHparams h;
    auto arch = f.get_string("general.architecture");
    if (!arch) return core::fail(std::move(arch).error());
    if (arch->empty()) return bad("general.architecture", "is empty");
    h.arch = std::string(*arch);
    const std::string& p = h.arch;
    LG_HP_TRY(h.n_ctx_train, u32_or_max(f, p + ".context_length", 0, true));
    LG_HP_TRY(h.n_embd, u32_or_max(f, p + ".embedding_length", 0, true));
    LG_HP_TRY(h.n_layer, u32_or_max(f, p + ".block_count", 0, true));
    LG_HP_TRY(h.n_ff, u32_or_max(f, p + ".feed_forward_length", 0, false));
    LG_HP_TRY(h.n_head, u32_or_max(f, p + ".attention.head_count", 0, true));
    LG_HP_TRY(h.n_head_kv, u32_or_max(f, p + ".attention.head_count_kv", h.n_head, false));
    const uint32_t head_dim = h.n_head == 0 ? 0 : h.n_embd / h.n_head;
    LG_HP_TRY(h.n_embd_head_k, u32_or_max(f, p + ".attention.key_length", head_dim, false));
    LG_HP_TRY(h.n_embd_head_v, u32_or_max(f, p + ".attention.value_length", head_dim, false));
    LG_HP_TRY(h.n_rot, u32_or_max(f, p + ".rope.dimension_count", h.n_embd_head_k, false));
    LG_HP_TRY(h.n_expert, u32_or_max(f, p + ".expert_count", 0, false));
    LG_HP_TRY(h.rope_freq_base, f32_or(f, p + ".rope.freq_base", 10000.0f));
    LG_HP_TRY(h.rope_scaling, rope_scaling_of(f, p + ".rope.scaling.type"));
    LG_HP_TRY(h.rope_scaling_factor, f32_or(f, p + ".rope.scaling.factor", 0.0f));
    LG_HP_TRY(h.rope_scaling_orig_ctx, u32_or_max(f, p + ".rope.scaling.original_context_length", h.n_ctx_train, false));
    LG_HP_TRY(h.norm_rms_eps, f32_or(f, p + ".attention.layer_norm_rms_epsilon", 1e-5f));
    LG_HP_TRY(h.norm_eps, f32_or(f, p + ".attention.layer_norm_epsilon", 1e-5f));
    LG_HP_TRY(h.n_vocab, vocab_size(f, p));
    LG_TRY(validate(h, p));
    if (h.rope_scaling_factor > 0.0f) {
        h.rope_freq_scale = 1.0f / h.rope_scaling_factor;
        if (h.rope_scaling == RopeScaling::None) h.rope_scaling = RopeScaling::Linear;  // as llama.cpp
    }
    return h;
}

#undef LG_HP_TRY

}  // namespace engine::gguf
