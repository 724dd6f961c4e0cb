// The engine's forward pass against the plain F32 pass (naive_forward.h) on tiny models written
// by GgufWriter: every weight type, all three architectures, batch vs step-by-step, greedy
// generation, and the load-time errors for broken files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/gguf/writer.h"
#include "engine/model/model.h"
#include "naive_forward.h"
#include "tiny_model.h"

using engine::TensorType;
using engine::model::KvType;
using engine::model::Model;
using engine::model::ModelOptions;
using engine::model::testing::NaiveModel;
using engine::model::testing::TinySpec;
using engine::model::testing::write_tiny_model;

namespace {

std::string temp_dir() {
    static const std::string dir = [] {
        // One folder per process: ctest runs test cases as separate processes, possibly from
        // several build trees at once, and rewriting a file another process maps is a SIGBUS.
        auto d = std::filesystem::path(::testing::TempDir()) / ("lg_model_tests_" + std::to_string(getpid()));
        std::filesystem::create_directories(d);
        return d.string();
    }();
    return dir;
}

// Removes this process's model files when the tests end.
class TempDirCleaner : public ::testing::Environment {
public:
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(temp_dir(), ec);
    }
};
[[maybe_unused]] ::testing::Environment* const kCleaner = ::testing::AddGlobalTestEnvironment(new TempDirCleaner);

const std::vector<int> kPrompt = {1, 17, 42, 299, 5, 123, 64};

int argmax(const float* x, int n) { return static_cast<int>(std::max_element(x, x + n) - x); }

std::unique_ptr<Model> load_tiny(const TinySpec& spec, const std::string& name, ModelOptions opts = {}) {
    auto path = write_tiny_model(spec, temp_dir(), name);
    EXPECT_TRUE(path) << path.error().message;
    if (!path) return nullptr;
    opts.n_threads = 2;
    auto m = Model::load(*path, opts);
    EXPECT_TRUE(m) << m.error().message;
    return m ? std::move(*m) : nullptr;
}

std::unique_ptr<NaiveModel> naive_of(const Model& m) { return std::make_unique<NaiveModel>(m.file(), 64); }

// Largest |a - b| over the row, relative to the largest |b|.
double rel_diff(const float* a, const std::vector<float>& b) {
    double d = 0, s = 1e-9;
    for (size_t i = 0; i < b.size(); ++i) {
        d = std::max(d, static_cast<double>(std::fabs(a[i] - b[i])));
        s = std::max(s, static_cast<double>(std::fabs(b[i])));
    }
    return d / s;
}

struct TypeCase {
    TensorType type;
    double tol;  // relative logit error allowed against the F32 pass
};

// Measured (relative): F32/F16/BF16 weights 7e-4..9e-4 (the F16 KV cache), quantized weights
// 1.5e-2..3.3e-2 (8-bit activations in the engine, F32 in the plain pass).
class TinyTypes : public ::testing::TestWithParam<TypeCase> {};

}  // namespace

TEST_P(TinyTypes, PromptLogitsMatchThePlainF32Pass) {
    const TypeCase tc = GetParam();
    if (!engine::gguf::writer_can_convert(tc.type)) GTEST_SKIP() << "writer cannot produce this type";
    for (const char* arch : {"llama", "qwen2", "qwen3"}) {
        TinySpec spec;
        spec.arch = arch;
        spec.type = tc.type;
        auto m = load_tiny(spec, std::string(arch) + "_" + std::string(engine::tensor_type_name(tc.type)));
        ASSERT_TRUE(m);
        auto naive = naive_of(*m);
        const int n_vocab = m->n_vocab();
        std::vector<float> logits(kPrompt.size() * static_cast<size_t>(n_vocab));
        ASSERT_TRUE(m->eval(kPrompt, 0, logits.data(), true));
        double worst = 0;
        int agree = 0;
        for (size_t p = 0; p < kPrompt.size(); ++p) {
            const std::vector<float> ref = naive->step(kPrompt[p], static_cast<int>(p));
            const float* row = logits.data() + p * static_cast<size_t>(n_vocab);
            worst = std::max(worst, rel_diff(row, ref));
            agree += argmax(row, n_vocab) == argmax(ref.data(), n_vocab);
        }
        std::printf("[tiny] %-6s %-5s max relative |dlogit| %.5f  top-1 %d/%zu\n", arch,
                    std::string(engine::tensor_type_name(tc.type)).c_str(), worst, agree, kPrompt.size());
        EXPECT_LE(worst, tc.tol) << arch;
        EXPECT_GE(agree, static_cast<int>(kPrompt.size()) - 1) << arch;
    }
}

// Precise mode (weights dequantized, F32 activations) with an F32 KV cache is the plain pass up
// to summation order, for every weight type: measured below 8e-7 relative (8-bit activations
// would be ~1e-2).
TEST_P(TinyTypes, PreciseModeMatchesThePlainF32PassToRounding) {
    const TypeCase tc = GetParam();
    if (!engine::gguf::writer_can_convert(tc.type)) GTEST_SKIP() << "writer cannot produce this type";
    for (const char* arch : {"llama", "qwen2", "qwen3"}) {
        TinySpec spec;
        spec.arch = arch;
        spec.type = tc.type;
        ModelOptions opts;
        opts.precise = true;
        opts.kv_type = KvType::F32;
        auto m = load_tiny(spec, std::string(arch) + "_precise_" + std::string(engine::tensor_type_name(tc.type)), opts);
        ASSERT_TRUE(m);
        EXPECT_FALSE(m->activations_quantized());
        auto naive = naive_of(*m);
        const int n_vocab = m->n_vocab();
        std::vector<float> logits(kPrompt.size() * static_cast<size_t>(n_vocab));
        ASSERT_TRUE(m->eval(kPrompt, 0, logits.data(), true));
        double worst = 0;
        for (size_t p = 0; p < kPrompt.size(); ++p) {
            const std::vector<float> ref = naive->step(kPrompt[p], static_cast<int>(p));
            worst = std::max(worst, rel_diff(logits.data() + p * static_cast<size_t>(n_vocab), ref));
        }
        std::printf("[tiny] precise %-6s %-5s max relative |dlogit| %.2e\n", arch,
                    std::string(engine::tensor_type_name(tc.type)).c_str(), worst);
        EXPECT_LE(worst, 1e-5) << arch;
    }
}

INSTANTIATE_TEST_SUITE_P(
    EveryWeightType, TinyTypes,
    ::testing::Values(TypeCase{TensorType::F32, 2e-3}, TypeCase{TensorType::F16, 2e-3}, TypeCase{TensorType::BF16, 3e-3},
                      TypeCase{TensorType::Q8_0, 5e-2}, TypeCase{TensorType::Q5_0, 5e-2},
                      TypeCase{TensorType::Q5_1, 5e-2}, TypeCase{TensorType::Q4_0, 5e-2},
                      TypeCase{TensorType::Q4_1, 5e-2}, TypeCase{TensorType::Q6_K, 5e-2},
                      TypeCase{TensorType::Q5_K, 5e-2}, TypeCase{TensorType::Q4_K, 5e-2}),
    [](const ::testing::TestParamInfo<TypeCase>& i) { return std::string(engine::tensor_type_name(i.param.type)); });

class TinyArchs : public ::testing::TestWithParam<const char*> {};

TEST_P(TinyArchs, GreedyGenerationMatchesThePlainPass) {
    TinySpec spec;
    spec.arch = GetParam();
    spec.tied = spec.arch != "qwen2";  // one family with a separate output matrix
    ModelOptions opts;
    opts.kv_type = KvType::F32;
    auto m = load_tiny(spec, spec.arch + "_greedy", opts);
    ASSERT_TRUE(m);
    auto naive = naive_of(*m);
    const int n_vocab = m->n_vocab();
    std::vector<float> logits(static_cast<size_t>(n_vocab));
    ASSERT_TRUE(m->eval(kPrompt, 0, logits.data()));
    std::vector<float> ref;
    for (size_t p = 0; p < kPrompt.size(); ++p) ref = naive->step(kPrompt[p], static_cast<int>(p));
    int pos = static_cast<int>(kPrompt.size());
    std::vector<int> ours, theirs;
    for (int i = 0; i < 12; ++i) {
        const int a = argmax(logits.data(), n_vocab);
        const int b = argmax(ref.data(), n_vocab);
        ours.push_back(a);
        theirs.push_back(b);
        EXPECT_LT(rel_diff(logits.data(), ref), 1e-4) << "step " << i;
        ASSERT_TRUE(m->eval(std::span<const int>(&a, 1), pos, logits.data()));
        ref = naive->step(b, pos);
        ++pos;
    }
    EXPECT_EQ(ours, theirs);
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, TinyArchs, ::testing::Values("llama", "qwen2", "qwen3"));

TEST(TinyModel, BatchChunksAndStepsAgree) {
    TinySpec spec;
    spec.arch = "qwen2";
    spec.type = TensorType::Q8_0;
    auto whole = load_tiny(spec, "chunks");
    ModelOptions small;
    small.n_batch = 3;  // the 7-token prompt runs as 3 + 3 + 1
    auto chunked = load_tiny(spec, "chunks", small);
    ASSERT_TRUE(whole && chunked);
    const size_t nv = static_cast<size_t>(whole->n_vocab());
    std::vector<float> a(kPrompt.size() * nv), b(kPrompt.size() * nv), c(nv);
    ASSERT_TRUE(whole->eval(kPrompt, 0, a.data(), true));
    ASSERT_TRUE(chunked->eval(kPrompt, 0, b.data(), true));
    EXPECT_EQ(a, b);  // matmul rows are independent of the batch they are in
    std::fill(c.begin(), c.end(), 0.0f);
    ASSERT_TRUE(chunked->eval(kPrompt, 0, c.data()));  // last row only: earlier chunks skip the output
    for (size_t i = 0; i < nv; ++i) ASSERT_NEAR(c[i], a[(kPrompt.size() - 1) * nv + i], 1e-5);
    // Step by step reaches the same last row; a reused prefix (pos > 0) too.
    for (size_t p = 0; p < kPrompt.size(); ++p) ASSERT_TRUE(whole->eval(std::span<const int>(&kPrompt[p], 1), static_cast<int>(p), c.data()));
    for (size_t i = 0; i < nv; ++i) ASSERT_NEAR(c[i], a[(kPrompt.size() - 1) * nv + i], 1e-5);
    ASSERT_TRUE(whole->eval(std::span<const int>(kPrompt).subspan(4), 4, c.data()));
    for (size_t i = 0; i < nv; ++i) ASSERT_NEAR(c[i], a[(kPrompt.size() - 1) * nv + i], 1e-5);
}

TEST(TinyModel, RefusesBadInputAtEvalWithAnError) {
    TinySpec spec;
    spec.n_ctx = 16;
    auto m = load_tiny(spec, "guard");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->n_ctx(), 16);  // clamped to the training context
    std::vector<float> logits(static_cast<size_t>(m->n_vocab()));
    auto r = m->eval(kPrompt, 12, logits.data());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("context of 16 tokens"), std::string::npos) << r.error().message;
    const int bad = 300;
    r = m->eval(std::span<const int>(&bad, 1), 0, logits.data());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("token id 300"), std::string::npos) << r.error().message;
    EXPECT_FALSE(m->eval(std::span<const int>(), 0, logits.data()));
    EXPECT_TRUE(m->eval(std::span<const int>(kPrompt).subspan(0, 4), 12, logits.data()));  // 12..15 fits
}

TEST(TinyModel, LoadErrorsNameTheTensor) {
    TinySpec missing;
    missing.omit = "blk.1.ffn_up.weight";
    auto path = write_tiny_model(missing, temp_dir(), "missing");
    ASSERT_TRUE(path);
    auto m = Model::load(*path);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("blk.1.ffn_up.weight"), std::string::npos) << m.error().message;

    TinySpec shape;
    shape.tweak = [](engine::gguf::GgufWriter& w) { w.set("llama.feed_forward_length", engine::gguf::MetaValue::u32(256)); };
    path = write_tiny_model(shape, temp_dir(), "shape");
    ASSERT_TRUE(path);
    m = Model::load(*path);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("blk.0.ffn_gate.weight has shape [256, 512], expected [256, 256]"),
              std::string::npos)
        << m.error().message;

    TinySpec iq;
    iq.omit = "blk.0.attn_q.weight";
    iq.tweak = [](engine::gguf::GgufWriter& w) {
        const uint64_t bytes = *engine::row_size(TensorType::IQ2_XXS, 256) * 256;
        ASSERT_TRUE(w.add_tensor_raw("blk.0.attn_q.weight", {256, 256}, TensorType::IQ2_XXS,
                                     std::vector<std::byte>(bytes)));
    };
    path = write_tiny_model(iq, temp_dir(), "iq");
    ASSERT_TRUE(path);
    m = Model::load(*path);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("blk.0.attn_q.weight is IQ2_XXS, which the engine cannot compute yet"),
              std::string::npos)
        << m.error().message;

    TinySpec arch;
    arch.tweak = [](engine::gguf::GgufWriter& w) { w.set("general.architecture", engine::gguf::MetaValue::string("mamba")); };
    path = write_tiny_model(arch, temp_dir(), "arch");
    ASSERT_TRUE(path);
    m = Model::load(*path);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("'mamba' is not supported"), std::string::npos) << m.error().message;
}

TEST(TinyModel, EstimatesMemoryAndReportsProgress) {
    TinySpec spec;
    auto path = write_tiny_model(spec, temp_dir(), "progress");
    ASSERT_TRUE(path);
    ModelOptions opts;
    uint64_t last = 0, total = 0;
    opts.on_progress = [&](uint64_t done, uint64_t all) {
        EXPECT_GE(done, last);
        last = done;
        total = all;
    };
    auto m = Model::load(*path, opts);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(last, total);
    EXPECT_EQ(total, std::filesystem::file_size(*path));
    const auto& mem = (*m)->memory();
    EXPECT_GT(mem.weights, 0u);
    EXPECT_EQ(mem.kv_cache, 2ull * 2 * 128 * 128 * 2);  // K and V, 2 layers, 128 positions, 2 heads x 64, F16
    EXPECT_GT(engine::model::available_memory(), 0u);
}

TEST(TinyModel, RefusesAModelThatDoesNotFitInMemory) {
    TinySpec spec;
    spec.n_ctx = 1 << 28;  // a 256 GiB F16 KV cache
    auto path = write_tiny_model(spec, temp_dir(), "huge_ctx");
    ASSERT_TRUE(path);
    ModelOptions opts;
    opts.n_ctx = 1 << 28;
    auto m = Model::load(*path, opts);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, core::ErrorCode::ResourceExhausted);
    EXPECT_NE(m.error().message.find("KV cache 256.00 GiB"), std::string::npos) << m.error().message;
}
