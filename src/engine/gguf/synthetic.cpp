// Synthetic models: llama.cpp tensor names and shapes, normal(0, std) weights from a counter-based
// generator so any row can be produced on its own, in any order.
#include "engine/gguf/synthetic.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <numbers>

#include "core/strings.h"

namespace engine::gguf {
namespace {

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t hash_name(std::string_view s) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h;
}

// Row generator: normal(mean, std) values via Box-Muller over a per-row counter stream.
RowFn normal_rows(uint64_t seed, std::string_view name, uint64_t ne0, float mean, float std_dev) {
    const uint64_t base = splitmix64(seed ^ hash_name(name));
    return [base, ne0, mean, std_dev](uint64_t row, float* out) {
        uint64_t state = splitmix64(base + row * 0x2545F4914F6CDD1DULL);
        for (uint64_t i = 0; i < ne0; i += 2) {
            state = splitmix64(state);
            double u1 = (static_cast<double>(state >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
            double u2 = static_cast<double>(splitmix64(state ^ 0xabcdef) >> 11) * 0x1.0p-53;
            double r = std::sqrt(-2.0 * std::log(u1));
            out[i] = mean + std_dev * static_cast<float>(r * std::cos(2 * std::numbers::pi * u2));
            if (i + 1 < ne0) out[i + 1] = mean + std_dev * static_cast<float>(r * std::sin(2 * std::numbers::pi * u2));
        }
    };
}

void set_made_up_vocab(GgufWriter& w, uint32_t n_vocab) {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;  // 1 normal, 2 unknown, 3 control, 6 byte
    tokens.reserve(n_vocab);
    for (uint32_t i = 0; i < n_vocab; ++i) {
        if (i < 3) {
            tokens.push_back(i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
            types.push_back(i == 0 ? 2 : 3);
        } else if (i < 3 + 256) {
            tokens.push_back(fmt::format("<0x{:02X}>", i - 3));
            types.push_back(6);
        } else {
            tokens.push_back(fmt::format("\xe2\x96\x81t{}", i));
            types.push_back(1);
        }
        scores.push_back(-static_cast<float>(i));
    }
    w.set("tokenizer.ggml.model", MetaValue::string("llama"));
    w.set("tokenizer.ggml.pre", MetaValue::string("default"));
    w.set("tokenizer.ggml.tokens", MetaValue::string_array(tokens));
    w.set("tokenizer.ggml.scores", MetaValue::f32_array(scores));
    w.set("tokenizer.ggml.token_type", MetaValue::i32_array(types));
    w.set("tokenizer.ggml.bos_token_id", MetaValue::u32(1));
    w.set("tokenizer.ggml.eos_token_id", MetaValue::u32(2));
    w.set("tokenizer.ggml.unknown_token_id", MetaValue::u32(0));
}

}  // namespace

TensorType fallback_type(TensorType wanted, uint64_t ne0) {
    const TensorTypeInfo* info = tensor_type_info(wanted);
    if (info != nullptr && ne0 % info->block_size == 0) return wanted;
    if (ne0 % 32 == 0) return TensorType::Q8_0;
    return TensorType::F16;
}

core::Status build_synthetic_model(const SyntheticModelSpec& s, GgufWriter& w) {
    if (s.n_head == 0 || s.n_head_kv == 0 || s.n_embd % s.n_head != 0 || s.n_head % s.n_head_kv != 0)
        return core::fail(core::ErrorCode::InvalidArgument,
                          fmt::format("synthetic model: n_embd {} / n_head {} / n_head_kv {} do not divide", s.n_embd,
                                      s.n_head, s.n_head_kv));
    if (s.alignment != kDefaultAlignment) w.set_alignment(s.alignment);
    const std::string& a = s.arch;
    const uint32_t head_dim = s.n_embd / s.n_head;
    uint32_t n_vocab = s.n_vocab;
    w.set("general.architecture", MetaValue::string(a));
    w.set("general.name", MetaValue::string(s.name));
    w.set(a + ".context_length", MetaValue::u32(s.n_ctx));
    w.set(a + ".embedding_length", MetaValue::u32(s.n_embd));
    w.set(a + ".block_count", MetaValue::u32(s.n_layer));
    w.set(a + ".feed_forward_length", MetaValue::u32(s.n_ff));
    w.set(a + ".attention.head_count", MetaValue::u32(s.n_head));
    w.set(a + ".attention.head_count_kv", MetaValue::u32(s.n_head_kv));
    w.set(a + ".attention.layer_norm_rms_epsilon", MetaValue::f32(s.norm_rms_eps));
    w.set(a + ".rope.freq_base", MetaValue::f32(s.rope_freq_base));
    w.set(a + ".rope.dimension_count", MetaValue::u32(head_dim));
    if (s.vocab != nullptr) {
        for (const auto& e : s.vocab->metadata())
            if (core::starts_with(e.key, "tokenizer.")) w.set(std::string(e.key), MetaValue::from(e.value));
        auto n = s.vocab->get_array_size("tokenizer.ggml.tokens");
        if (!n) return core::fail(std::move(n).error());
        n_vocab = static_cast<uint32_t>(*n);
    } else {
        set_made_up_vocab(w, n_vocab);
    }
    w.set("general.file_type", MetaValue::u32(s.type == TensorType::F32 ? 0 : 1));

    auto weight = [&](const std::string& name, uint64_t ne0, uint64_t ne1, TensorType t) {
        return w.add_tensor_rows(name, {ne0, ne1}, fallback_type(t, ne0), normal_rows(s.seed, name, ne0, 0.0f, s.weight_std));
    };
    auto vec = [&](const std::string& name, uint64_t ne0, float mean, float std_dev) {
        return w.add_tensor_rows(name, {ne0}, TensorType::F32, normal_rows(s.seed, name, ne0, mean, std_dev));
    };
    LG_TRY(weight("token_embd.weight", s.n_embd, n_vocab, s.embd_type));
    LG_TRY(vec("output_norm.weight", s.n_embd, 1.0f, 0.1f));
    if (!s.tied_embeddings) LG_TRY(weight("output.weight", s.n_embd, n_vocab, s.embd_type));
    const uint64_t n_q = uint64_t{head_dim} * s.n_head, n_kv = uint64_t{head_dim} * s.n_head_kv;
    for (uint32_t l = 0; l < s.n_layer; ++l) {
        const std::string p = fmt::format("blk.{}.", l);
        LG_TRY(vec(p + "attn_norm.weight", s.n_embd, 1.0f, 0.1f));
        LG_TRY(weight(p + "attn_q.weight", s.n_embd, n_q, s.type));
        LG_TRY(weight(p + "attn_k.weight", s.n_embd, n_kv, s.type));
        LG_TRY(weight(p + "attn_v.weight", s.n_embd, n_kv, s.type));
        if (a == "qwen2") {
            LG_TRY(vec(p + "attn_q.bias", n_q, 0.0f, s.weight_std));
            LG_TRY(vec(p + "attn_k.bias", n_kv, 0.0f, s.weight_std));
            LG_TRY(vec(p + "attn_v.bias", n_kv, 0.0f, s.weight_std));
        }
        LG_TRY(weight(p + "attn_output.weight", n_q, s.n_embd, s.type));
        LG_TRY(vec(p + "ffn_norm.weight", s.n_embd, 1.0f, 0.1f));
        LG_TRY(weight(p + "ffn_gate.weight", s.n_embd, s.n_ff, s.type));
        LG_TRY(weight(p + "ffn_up.weight", s.n_embd, s.n_ff, s.type));
        LG_TRY(weight(p + "ffn_down.weight", s.n_ff, s.n_embd, s.type));
    }
    return core::ok();
}

core::Status write_synthetic_model(const SyntheticModelSpec& spec, const std::string& path) {
    GgufWriter w(spec.version);
    LG_TRY(build_synthetic_model(spec, w));
    return w.write_file(path);
}

}  // namespace engine::gguf
