#include "local_test_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/gguf/gguf.h"
#include "engine/gguf/synthetic.h"

namespace llm_test {
namespace {

namespace fs = std::filesystem;

// Owns the temporary folder; removes it when the process exits.
struct TempDir {
    fs::path dir;
    TempDir() {
        dir = fs::temp_directory_path() / ("lg_local_llm_" + std::to_string(::getpid()));
        fs::create_directories(dir);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

LocalTestModelFile write_model() {
    static TempDir tmp;
    LocalTestModelFile out;
    engine::gguf::SyntheticModelSpec spec;
    spec.arch = "qwen2";
    spec.name = "tiny-qwen2";
    spec.n_embd = 64;
    spec.n_layer = 2;
    spec.n_head = 4;
    spec.n_head_kv = 2;
    spec.n_ff = 128;
    spec.n_ctx = 4096;
    spec.seed = 7;
    spec.weight_std = 0.05f;
    std::optional<engine::gguf::GgufFile> vocab;
    if (fs::exists(qwen2_vocab_path())) {
        auto f = engine::gguf::GgufFile::open(qwen2_vocab_path());
        if (f) vocab.emplace(std::move(*f));
    }
    spec.vocab = vocab ? &*vocab : nullptr;
    out.real_vocab = vocab.has_value();
    const std::string path = (tmp.dir / "tiny-qwen2.gguf").string();
    if (auto st = engine::gguf::write_synthetic_model(spec, path); !st) {
        out.error = st.error().message;
        return out;
    }
    out.path = path;
    return out;
}

}  // namespace

std::string qwen2_vocab_path() {
    return std::string(LG_SHARED_DIR) + "/reference/vocab/ggml-vocab-qwen2.gguf";
}

const LocalTestModelFile& local_test_model_file() {
    static const LocalTestModelFile file = write_model();
    return file;
}

std::unique_ptr<llm::LocalChatModel> load_local_test_model(llm::LocalOptions options) {
    const auto& file = local_test_model_file();
    if (file.path.empty()) {
        ADD_FAILURE() << "writing the tiny model failed: " << file.error;
        return nullptr;
    }
    options.model_path = file.path;
    options.n_threads = options.n_threads > 0 ? options.n_threads : 1;
    auto m = llm::LocalChatModel::load(options);
    if (!m) {
        ADD_FAILURE() << "loading the tiny model failed: " << m.error().message;
        return nullptr;
    }
    return std::move(*m);
}

}  // namespace llm_test
