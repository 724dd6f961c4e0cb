// The reference GGUF files written by llama.cpp (../shared/reference, see its README) open and
// hold exactly the tensors, types, shapes and hyper-parameters the README and their tables say.
// Skips loudly when the folder is missing; under CI=true a missing folder fails.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "engine/gguf/gguf.h"
#include "engine/gguf/hparams.h"
#include "engine/gguf/info.h"
#include "engine/gguf/synthetic.h"

namespace engine::gguf {
namespace {

namespace fs = std::filesystem;

const fs::path kRef = fs::path(LG_SHARED_DIR) / "reference";

bool reference_missing() {
    if (fs::is_directory(kRef / "models") && fs::is_directory(kRef / "vocab")) return false;
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
        ADD_FAILURE() << "reference data missing at " << kRef << " (required when CI=true)";
    } else {
        std::printf("SKIPPED: reference data missing at %s\n", kRef.string().c_str());
    }
    return true;
}

#define SKIP_WITHOUT_REFERENCE()                       \
    do {                                               \
        if (reference_missing()) GTEST_SKIP() << kRef; \
    } while (0)

GgufFile open_ref(const std::string& rel) {
    auto f = GgufFile::open((kRef / rel).string());
    EXPECT_TRUE(f) << rel << ": " << (f ? "" : f.error().message);
    return std::move(*f);
}

void expect_tensor(const GgufFile& f, const std::string& name, TensorType type, std::vector<uint64_t> ne) {
    const TensorInfo* t = f.find_tensor(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->type, type) << name << " is " << tensor_type_name(t->type);
    ASSERT_EQ(t->n_dims, ne.size()) << name;
    for (size_t i = 0; i < ne.size(); ++i) EXPECT_EQ(t->ne[i], ne[i]) << name << " ne[" << i << "]";
}

std::map<TensorType, int> histogram(const GgufFile& f) {
    std::map<TensorType, int> h;
    for (const auto& t : f.tensors()) h[t.type] += 1;
    return h;
}

TEST(GgufReference, EveryFileOpensWithConsistentTensors) {
    SKIP_WITHOUT_REFERENCE();
    int n = 0;
    for (const char* dir : {"models", "vocab"}) {
        for (const auto& e : fs::directory_iterator(kRef / dir)) {
            if (e.path().extension() != ".gguf") continue;
            SCOPED_TRACE(e.path().string());
            auto f = GgufFile::open(e.path().string());
            ASSERT_TRUE(f) << f.error().message;
            EXPECT_EQ(f->version(), 3u);
            EXPECT_EQ(f->alignment(), 32u);
            for (const auto& t : f->tensors()) {
                EXPECT_LE(f->data_offset() + t.offset + t.n_bytes, f->file_size()) << t.name;
                EXPECT_EQ(t.data, f->bytes().data() + f->data_offset() + t.offset);
            }
            auto hp = read_hparams(*f);
            if (std::string(dir) == "models") {
                EXPECT_TRUE(hp) << hp.error().message;
            }
            ++n;
        }
    }
    EXPECT_EQ(n, 11);
}

TEST(GgufReference, TinySpm64F32) {
    SKIP_WITHOUT_REFERENCE();
    auto f = open_ref("models/tiny-spm64-f32.gguf");
    EXPECT_EQ(f.architecture(), "llama");
    EXPECT_EQ(f.tensors().size(), 2u + 2 * 9);
    expect_tensor(f, "token_embd.weight", TensorType::F32, {64, 32000});
    expect_tensor(f, "output_norm.weight", TensorType::F32, {64});
    expect_tensor(f, "blk.1.attn_q.weight", TensorType::F32, {64, 64});
    expect_tensor(f, "blk.1.attn_k.weight", TensorType::F32, {64, 32});
    expect_tensor(f, "blk.0.ffn_gate.weight", TensorType::F32, {64, 192});
    expect_tensor(f, "blk.1.ffn_down.weight", TensorType::F32, {192, 64});
    EXPECT_EQ(f.find_tensor("output.weight"), nullptr);  // tied embeddings
    EXPECT_EQ(f.find_tensor("blk.2.attn_q.weight"), nullptr);
    EXPECT_EQ(histogram(f), (std::map<TensorType, int>{{TensorType::F32, 20}}));
    // F32 data read through the view is finite (random normal weights).
    const TensorInfo* t = f.find_tensor("blk.0.attn_q.weight");
    for (uint64_t i = 0; i < t->n_elements; ++i) {
        float x;
        std::memcpy(&x, t->data + 4 * i, 4);
        ASSERT_TRUE(std::isfinite(x)) << i;
        ASSERT_LT(std::fabs(x), 100.0f) << i;
    }
    auto hp = read_hparams(f);
    ASSERT_TRUE(hp) << hp.error().message;
    EXPECT_EQ(hp->n_embd, 64u);
    EXPECT_EQ(hp->n_layer, 2u);
    EXPECT_EQ(hp->n_head, 4u);
    EXPECT_EQ(hp->n_head_kv, 2u);
    EXPECT_EQ(hp->n_ff, 192u);
    EXPECT_EQ(hp->n_vocab, 32000u);
    EXPECT_EQ(hp->n_ctx_train, 2048u);
    EXPECT_EQ(hp->n_rot, 16u);
    EXPECT_EQ(hp->n_embd_head_k, 16u);
    EXPECT_FLOAT_EQ(hp->rope_freq_base, 10000.0f);
    EXPECT_FLOAT_EQ(hp->norm_rms_eps, 1e-5f);
    ModelInfo info = describe(f);
    const uint64_t per_layer = 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 64 + 3 * 64 * 192;
    EXPECT_EQ(info.n_params, 64u * 32000 + 64 + 2 * per_layer);
    EXPECT_EQ(info.weights_bytes, info.n_params * 4);
    EXPECT_EQ(info.n_ctx, 2048u);
    EXPECT_EQ(info.kv_bytes, 2ull * 2 * 2048 * 2 * 16 * 2);
    EXPECT_EQ(info.tokenizer_model, "llama");
    EXPECT_FALSE(info.has_chat_template);
}

TEST(GgufReference, TinySpmQuantizations) {
    SKIP_WITHOUT_REFERENCE();
    struct Case {
        const char* file;
        std::map<TensorType, int> types;
        TensorType attn_q;
        TensorType ffn_down_3;
    };
    const Case cases[] = {
        {"tiny-spm-q8_0", {{TensorType::F32, 9}, {TensorType::Q8_0, 29}}, TensorType::Q8_0, TensorType::Q8_0},
        {"tiny-spm-q4_0", {{TensorType::F32, 9}, {TensorType::Q4_0, 28}, {TensorType::Q6_K, 1}}, TensorType::Q4_0,
         TensorType::Q4_0},
        {"tiny-spm-q4_k_m", {{TensorType::F32, 9}, {TensorType::Q4_K, 24}, {TensorType::Q6_K, 5}}, TensorType::Q4_K,
         TensorType::Q6_K},
        {"tiny-spm-q6_k", {{TensorType::F32, 9}, {TensorType::Q6_K, 29}}, TensorType::Q6_K, TensorType::Q6_K},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        auto f = open_ref(std::string("models/") + c.file + ".gguf");
        EXPECT_EQ(f.tensors().size(), 2u + 4 * 9);
        EXPECT_EQ(histogram(f), c.types);
        expect_tensor(f, "blk.0.attn_q.weight", c.attn_q, {256, 256});
        expect_tensor(f, "blk.3.ffn_down.weight", c.ffn_down_3, {768, 256});
        expect_tensor(f, "blk.3.attn_norm.weight", TensorType::F32, {256});
        const TensorType embd = std::string(c.file) == "tiny-spm-q8_0" ? TensorType::Q8_0 : TensorType::Q6_K;
        expect_tensor(f, "token_embd.weight", embd, {256, 32000});
        auto hp = read_hparams(f);
        ASSERT_TRUE(hp) << hp.error().message;
        EXPECT_EQ(hp->n_embd, 256u);
        EXPECT_EQ(hp->n_layer, 4u);
        EXPECT_EQ(hp->n_head, 8u);
        EXPECT_EQ(hp->n_head_kv, 2u);
        EXPECT_EQ(hp->n_ff, 768u);
        EXPECT_EQ(hp->n_vocab, 32000u);
        EXPECT_EQ(hp->n_rot, 32u);
        EXPECT_TRUE(describe(f).unsupported_types.empty());
    }
}

TEST(GgufReference, TinyQwen2Q80) {
    SKIP_WITHOUT_REFERENCE();
    auto f = open_ref("models/tiny-qwen2-q8_0.gguf");
    EXPECT_EQ(f.architecture(), "qwen2");
    EXPECT_EQ(f.tensors().size(), 2u + 2 * 12);
    expect_tensor(f, "token_embd.weight", TensorType::Q8_0, {128, 151936});
    expect_tensor(f, "blk.1.attn_q.bias", TensorType::F32, {128});
    expect_tensor(f, "blk.1.attn_k.bias", TensorType::F32, {64});
    expect_tensor(f, "blk.1.attn_v.weight", TensorType::Q8_0, {128, 64});
    expect_tensor(f, "blk.0.ffn_down.weight", TensorType::Q8_0, {384, 128});
    auto hp = read_hparams(f);
    ASSERT_TRUE(hp) << hp.error().message;
    EXPECT_EQ(hp->n_embd, 128u);
    EXPECT_EQ(hp->n_layer, 2u);
    EXPECT_EQ(hp->n_head, 4u);
    EXPECT_EQ(hp->n_head_kv, 2u);
    EXPECT_EQ(hp->n_ff, 384u);
    EXPECT_EQ(hp->n_vocab, 151936u);
    EXPECT_FLOAT_EQ(hp->rope_freq_base, 1e6f);
    EXPECT_EQ(*f.get_string("tokenizer.ggml.pre"), "qwen2");
}

TEST(GgufReference, VocabFiles) {
    SKIP_WITHOUT_REFERENCE();
    struct Case {
        const char* file;
        const char* arch;
        const char* model;
        uint64_t n_tokens;
        const char* chat_family;  // nullptr: no template
    };
    const Case cases[] = {
        {"ggml-vocab-gpt-2", "gpt2", "gpt2", 50257, nullptr},
        {"ggml-vocab-llama-bpe", "llama", "gpt2", 128256, nullptr},
        {"ggml-vocab-llama-spm", "llama", "llama", 32000, nullptr},
        {"ggml-vocab-phi-3", "phi3", "llama", 32064, "phi3"},
        {"ggml-vocab-qwen2", "qwen2", "gpt2", 151936, "chatml"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        auto f = open_ref(std::string("vocab/") + c.file + ".gguf");
        EXPECT_TRUE(f.tensors().empty());
        EXPECT_EQ(f.architecture(), c.arch);
        EXPECT_EQ(*f.get_string("tokenizer.ggml.model"), c.model);
        auto tokens = f.get_string_array("tokenizer.ggml.tokens");
        ASSERT_TRUE(tokens) << tokens.error().message;
        EXPECT_EQ(tokens->size(), c.n_tokens);
        auto types = f.get_i32_array("tokenizer.ggml.token_type");
        ASSERT_TRUE(types);
        EXPECT_EQ(types->size(), c.n_tokens);
        if (std::string(c.model) == "llama") {
            auto scores = f.get_f32_array("tokenizer.ggml.scores");
            ASSERT_TRUE(scores);
            EXPECT_EQ(scores->size(), c.n_tokens);
            EXPECT_EQ((*tokens)[1], "<s>");
        } else {
            EXPECT_GT(*f.get_array_size("tokenizer.ggml.merges"), 10000u);
        }
        ModelInfo info = describe(f);
        EXPECT_EQ(info.n_params, 0u);
        EXPECT_EQ(info.has_chat_template, c.chat_family != nullptr);
        if (c.chat_family != nullptr) {
            EXPECT_EQ(info.chat_template_family, c.chat_family);
        }
    }
}

TEST(GgufReference, SyntheticModelWithACopiedVocabulary) {
    SKIP_WITHOUT_REFERENCE();
    auto vocab = open_ref("vocab/ggml-vocab-llama-spm.gguf");
    SyntheticModelSpec s;
    s.vocab = &vocab;
    s.n_layer = 1;
    s.type = TensorType::Q8_0;
    GgufWriter w;
    ASSERT_TRUE(build_synthetic_model(s, w));
    auto f = GgufFile::open_owned(*w.write_memory());
    ASSERT_TRUE(f) << f.error().message;
    auto tokens = f->get_string_array("tokenizer.ggml.tokens");
    auto ref_tokens = vocab.get_string_array("tokenizer.ggml.tokens");
    ASSERT_TRUE(tokens);
    ASSERT_TRUE(ref_tokens);
    ASSERT_EQ(tokens->size(), 32000u);
    for (size_t i = 0; i < tokens->size(); ++i) ASSERT_EQ((*tokens)[i], (*ref_tokens)[i]) << i;
    EXPECT_EQ(*f->get_f32_array("tokenizer.ggml.scores"), *vocab.get_f32_array("tokenizer.ggml.scores"));
    EXPECT_EQ(*f->get_bool("tokenizer.ggml.add_bos_token"), true);
    expect_tensor(*f, "token_embd.weight", TensorType::F32, {64, 32000});
    auto hp = read_hparams(*f);
    ASSERT_TRUE(hp) << hp.error().message;
    EXPECT_EQ(hp->n_vocab, 32000u);
}

}  // namespace
}  // namespace engine::gguf
