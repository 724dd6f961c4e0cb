// ModelHparams from metadata (defaults, validation errors naming the key), synthetic models and
// describe() (parameter count, type histogram, chat template family, KV estimate).
#include <gtest/gtest.h>

#include <functional>

#include "engine/gguf/hparams.h"
#include "engine/gguf/info.h"
#include "engine/gguf/synthetic.h"
#include "engine/gguf/writer.h"

namespace engine::gguf {
namespace {

GgufWriter minimal_llama() {
    GgufWriter w;
    w.set("general.architecture", MetaValue::string("llama"));
    w.set("llama.context_length", MetaValue::u32(4096));
    w.set("llama.embedding_length", MetaValue::u32(512));
    w.set("llama.block_count", MetaValue::u32(3));
    w.set("llama.feed_forward_length", MetaValue::u32(1024));
    w.set("llama.attention.head_count", MetaValue::u32(8));
    w.set("tokenizer.ggml.tokens", MetaValue::string_array({"a", "b", "c"}));
    return w;
}

core::Result<ModelHparams> hparams_of(const GgufWriter& w, std::vector<std::byte>& keep) {
    keep = *w.write_memory();
    auto f = GgufFile::open_memory(keep);
    if (!f) return core::fail(std::move(f).error());
    return read_hparams(*f);
}

TEST(GgufHparams, DefaultsAreLlamaCpps) {
    std::vector<std::byte> keep;
    auto h = hparams_of(minimal_llama(), keep);
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(h->arch, "llama");
    EXPECT_EQ(h->n_ctx_train, 4096u);
    EXPECT_EQ(h->n_layer, 3u);
    EXPECT_EQ(h->n_head_kv, 8u);  // defaults to head_count
    EXPECT_EQ(h->n_embd_head_k, 64u);
    EXPECT_EQ(h->n_embd_head_v, 64u);
    EXPECT_EQ(h->n_rot, 64u);
    EXPECT_EQ(h->rope_freq_base, 10000.0f);
    EXPECT_EQ(h->norm_rms_eps, 1e-5f);
    EXPECT_EQ(h->rope_scaling, RopeScaling::None);
    EXPECT_EQ(h->rope_freq_scale, 1.0f);
    EXPECT_EQ(h->rope_scaling_orig_ctx, 4096u);
    EXPECT_EQ(h->n_vocab, 3u);  // from tokenizer.ggml.tokens
    EXPECT_EQ(h->n_gqa(), 1u);
}

TEST(GgufHparams, ExplicitValuesWin) {
    auto w = minimal_llama();
    w.set("llama.attention.head_count_kv", MetaValue::u32(2));
    w.set("llama.attention.key_length", MetaValue::u32(128));
    w.set("llama.attention.value_length", MetaValue::u32(96));
    w.set("llama.rope.dimension_count", MetaValue::u32(32));
    w.set("llama.rope.freq_base", MetaValue::f32(500000.0f));
    w.set("llama.rope.scaling.type", MetaValue::string("yarn"));
    w.set("llama.rope.scaling.factor", MetaValue::f32(4.0f));
    w.set("llama.rope.scaling.original_context_length", MetaValue::u32(1024));
    w.set("llama.attention.layer_norm_rms_epsilon", MetaValue::f32(1e-6f));
    w.set("llama.vocab_size", MetaValue::u32(7));
    std::vector<std::byte> keep;
    auto h = hparams_of(w, keep);
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(h->n_head_kv, 2u);
    EXPECT_EQ(h->n_gqa(), 4u);
    EXPECT_EQ(h->n_embd_head_k, 128u);
    EXPECT_EQ(h->n_embd_head_v, 96u);
    EXPECT_EQ(h->n_embd_k_gqa(), 256u);
    EXPECT_EQ(h->n_rot, 32u);
    EXPECT_EQ(h->rope_freq_base, 500000.0f);
    EXPECT_EQ(h->rope_scaling, RopeScaling::Yarn);
    EXPECT_EQ(h->rope_freq_scale, 0.25f);
    EXPECT_EQ(h->rope_scaling_orig_ctx, 1024u);
    EXPECT_EQ(h->norm_rms_eps, 1e-6f);
    EXPECT_EQ(h->n_vocab, 7u);
}

TEST(GgufHparams, PerLayerFeedForwardTakesTheLargest) {
    auto w = minimal_llama();
    w.set("llama.feed_forward_length", MetaValue::i32_array({512, 2048, 1024}));
    std::vector<std::byte> keep;
    auto h = hparams_of(w, keep);
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(h->n_ff, 2048u);
}

struct BadHparams {
    const char* name;
    std::function<void(GgufWriter&)> edit;
    const char* expected;
};

TEST(GgufHparams, ValidationErrorsNameTheKey) {
    const std::vector<BadHparams> cases = {
        {"no_arch", [](GgufWriter& w) { w.set("general.architecture", MetaValue::string("")); }, "general.architecture is empty"},
        {"missing_blocks", [](GgufWriter& w) { w.set("llama.block_count", MetaValue::string("3")); },
         "metadata key 'llama.block_count' has type STRING"},
        {"zero_blocks", [](GgufWriter& w) { w.set("llama.block_count", MetaValue::u32(0)); }, "llama.block_count = 0 is out of range"},
        {"kv_not_divisor", [](GgufWriter& w) { w.set("llama.attention.head_count_kv", MetaValue::u32(3)); },
         "llama.attention.head_count_kv = 3 does not divide llama.attention.head_count = 8"},
        {"zero_heads", [](GgufWriter& w) { w.set("llama.attention.head_count", MetaValue::u32(0)); }, "llama.attention.head_count is 0"},
        {"odd_rope", [](GgufWriter& w) { w.set("llama.rope.dimension_count", MetaValue::u32(33)); },
         "llama.rope.dimension_count = 33 must be even"},
        {"rope_too_big", [](GgufWriter& w) { w.set("llama.rope.dimension_count", MetaValue::u32(128)); },
         "at most the head size 64"},
        {"bad_base", [](GgufWriter& w) { w.set("llama.rope.freq_base", MetaValue::f32(-1.0f)); }, "llama.rope.freq_base = -1"},
        {"bad_eps", [](GgufWriter& w) { w.set("llama.attention.layer_norm_rms_epsilon", MetaValue::f32(0.0f)); },
         "llama.attention.layer_norm_rms_epsilon = 0 must be positive"},
        {"bad_scaling", [](GgufWriter& w) { w.set("llama.rope.scaling.type", MetaValue::string("magic")); },
         "llama.rope.scaling.type = 'magic' is unknown"},
        {"u32_overflow", [](GgufWriter& w) { w.set("llama.context_length", MetaValue::u64(1ull << 40)); },
         "'llama.context_length' = 1099511627776 does not fit 32 bits"},
        {"negative", [](GgufWriter& w) { w.set("llama.embedding_length", MetaValue::i32(-4)); },
         "'llama.embedding_length' is negative"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto w = minimal_llama();
        c.edit(w);
        std::vector<std::byte> keep;
        auto h = hparams_of(w, keep);
        ASSERT_FALSE(h);
        EXPECT_NE(h.error().message.find(c.expected), std::string::npos) << h.error().message;
    }
}

TEST(GgufHparams, MissingRequiredKeyIsNotFound) {
    GgufWriter w;
    w.set("general.architecture", MetaValue::string("qwen2"));
    w.set("qwen2.context_length", MetaValue::u32(4096));
    std::vector<std::byte> keep;
    auto h = hparams_of(w, keep);
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error().code, core::ErrorCode::NotFound);
    EXPECT_NE(h.error().message.find("required key qwen2.embedding_length is missing"), std::string::npos);
}

TEST(GgufSynthetic, Qwen2ModelHasBiasesAndReadsBack) {
    SyntheticModelSpec s;
    s.arch = "qwen2";
    s.n_vocab = 300;
    s.n_embd = 64;
    s.n_ff = 96;
    s.type = TensorType::Q8_0;
    s.tied_embeddings = false;
    GgufWriter w;
    ASSERT_TRUE(build_synthetic_model(s, w));
    auto bytes = *w.write_memory();
    auto f = GgufFile::open_memory(bytes);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->tensors().size(), 3u + 2 * 12);
    EXPECT_EQ(f->find_tensor("blk.1.attn_k.bias")->ne[0], 32u);
    EXPECT_EQ(f->find_tensor("blk.0.attn_q.weight")->type, TensorType::Q8_0);
    EXPECT_EQ(f->find_tensor("blk.0.ffn_norm.weight")->type, TensorType::F32);
    EXPECT_EQ(f->find_tensor("output.weight")->ne[1], 300u);
    auto h = read_hparams(*f);
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(h->n_vocab, 300u);
    EXPECT_EQ(h->n_head_kv, 2u);
    EXPECT_EQ(h->n_rot, 16u);
    // Same seed, same bytes; another seed, other weights.
    GgufWriter again;
    ASSERT_TRUE(build_synthetic_model(s, again));
    EXPECT_EQ(*again.write_memory(), bytes);
    s.seed = 7;
    GgufWriter other;
    ASSERT_TRUE(build_synthetic_model(s, other));
    EXPECT_NE(*other.write_memory(), bytes);
}

TEST(GgufSynthetic, KQuantsFallBackWhenRowsAreShort) {
    EXPECT_EQ(fallback_type(TensorType::Q4_K, 256), TensorType::Q4_K);
    EXPECT_EQ(fallback_type(TensorType::Q4_K, 64), TensorType::Q8_0);
    EXPECT_EQ(fallback_type(TensorType::Q6_K, 48), TensorType::F16);
    EXPECT_EQ(fallback_type(TensorType::F32, 3), TensorType::F32);
}

TEST(GgufInfo, ChatTemplateFamilies) {
    EXPECT_EQ(chat_template_family("{% for m in messages %}<|im_start|>{{ m.role }}"), "chatml");
    EXPECT_EQ(chat_template_family("<|start_header_id|>user<|end_header_id|>"), "llama3");
    EXPECT_EQ(chat_template_family("[INST] <<SYS>>\n{{ s }}\n<</SYS>>"), "llama2");
    EXPECT_EQ(chat_template_family("{{ bos_token }}[INST] {{ m }} [/INST]"), "mistral");
    EXPECT_EQ(chat_template_family("<start_of_turn>user\n"), "gemma");
    EXPECT_EQ(chat_template_family("<|user|>\n{{ m }}<|end|>\n<|assistant|>"), "phi3");
    EXPECT_EQ(chat_template_family("<|user|>\n{{ m }}</s>\n<|assistant|>"), "zephyr");
    EXPECT_EQ(chat_template_family("{{ m }}"), "unknown");
}

TEST(GgufInfo, DescribeCountsParamsTypesAndKv) {
    SyntheticModelSpec s;  // llama, 64 wide, 2 layers, 4/2 heads, ff 192, vocab 512
    s.type = TensorType::Q8_0;
    s.embd_type = TensorType::Q8_0;
    GgufWriter w;
    ASSERT_TRUE(build_synthetic_model(s, w));
    w.set("tokenizer.chat_template", MetaValue::string("<|im_start|>"));
    auto bytes = *w.write_memory();
    auto f = GgufFile::open_memory(bytes);
    ASSERT_TRUE(f);
    ModelInfo info = describe(*f);
    EXPECT_EQ(info.arch, "llama");
    const uint64_t per_layer = 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 64 + 3 * 64 * 192;
    EXPECT_EQ(info.n_params, 512u * 64 + 64 + 2 * per_layer);
    ASSERT_EQ(info.types.size(), 2u);
    EXPECT_EQ(info.types[0].type, TensorType::Q8_0);  // largest first
    EXPECT_EQ(info.types[0].n_tensors, 1u + 2 * 7);
    EXPECT_EQ(info.types[1].type, TensorType::F32);
    EXPECT_EQ(info.types[1].n_tensors, 1u + 2 * 2);
    EXPECT_TRUE(info.unsupported_types.empty());
    EXPECT_EQ(info.n_ctx_train, 2048u);
    EXPECT_EQ(info.n_ctx, 2048u);
    EXPECT_EQ(info.kv_bytes, 2ull * 2 * 2048 * 2 * 16 * 2);
    EXPECT_EQ(info.ram_bytes, info.weights_bytes + info.kv_bytes);
    EXPECT_TRUE(info.has_chat_template);
    EXPECT_EQ(info.chat_template_family, "chatml");
    EXPECT_EQ(describe(*f, 100).kv_bytes, 2ull * 2 * 100 * 2 * 16 * 2);
}

TEST(GgufInfo, DefaultContextIsCappedAt4096AndIqTypesAreFlagged) {
    auto w = minimal_llama();
    w.set("llama.context_length", MetaValue::u32(131072));
    ASSERT_TRUE(w.add_tensor_raw("x", {256}, TensorType::IQ2_XXS, std::vector<std::byte>(66)));
    auto bytes = *w.write_memory();
    auto f = GgufFile::open_memory(bytes);
    ASSERT_TRUE(f);
    ModelInfo info = describe(*f);
    EXPECT_EQ(info.n_ctx_train, 131072u);
    EXPECT_EQ(info.n_ctx, 4096u);
    ASSERT_EQ(info.unsupported_types.size(), 1u);
    EXPECT_EQ(info.unsupported_types[0], "IQ2_XXS");
    EXPECT_FALSE(info.has_chat_template);
}

}  // namespace
}  // namespace engine::gguf
