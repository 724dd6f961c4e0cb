// gguf-make: writes a random-weight llama/qwen2-shaped GGUF model, optionally with the
// vocabulary of another GGUF file, for tests and benchmarks (weights are streamed to disk).
//   gguf-make -o /tmp/tiny.gguf --arch llama --n-embd 64 --n-layer 2 --type Q8_0
//             --vocab ../shared/reference/vocab/ggml-vocab-llama-spm.gguf   (one line)
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <optional>

#include "engine/gguf/gguf.h"
#include "engine/gguf/synthetic.h"

namespace {

std::optional<engine::TensorType> parse_type(const std::string& name) {
    auto t = engine::tensor_type_from_name(name);
    if (!t || !engine::gguf::writer_can_convert(*t)) return std::nullopt;
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"gguf-make: write a random-weight llama/qwen2-shaped GGUF model"};
    engine::gguf::SyntheticModelSpec spec;
    std::string out, vocab_path, type_name = "F32", embd_type_name;
    bool untied = false;
    app.add_option("-o,--output", out, "file to write")->required();
    app.add_option("--arch", spec.arch, "llama or qwen2")->check(CLI::IsMember({"llama", "qwen2"}));
    app.add_option("--name", spec.name, "general.name");
    app.add_option("--vocab", vocab_path, "copy tokenizer.* from this GGUF file");
    app.add_option("--n-vocab", spec.n_vocab, "made-up vocabulary size when --vocab is not given");
    app.add_option("--n-embd", spec.n_embd);
    app.add_option("--n-layer", spec.n_layer);
    app.add_option("--n-head", spec.n_head);
    app.add_option("--n-head-kv", spec.n_head_kv);
    app.add_option("--n-ff", spec.n_ff);
    app.add_option("--n-ctx", spec.n_ctx);
    app.add_option("--rope-base", spec.rope_freq_base);
    app.add_option("--type", type_name, "weight type: F32 F16 Q8_0 Q4_0 Q4_K Q6_K ...");
    app.add_option("--embd-type", embd_type_name, "token_embd/output type (default: --type)");
    app.add_option("--seed", spec.seed);
    app.add_flag("--untied", untied, "write a separate output.weight");
    CLI11_PARSE(app, argc, argv);

    auto type = parse_type(type_name);
    auto embd_type = parse_type(embd_type_name.empty() ? type_name : embd_type_name);
    if (!type || !embd_type) {
        std::fprintf(stderr, "gguf-make: unknown or unsupported type %s\n", type_name.c_str());
        return 2;
    }
    spec.type = *type;
    spec.embd_type = *embd_type;
    spec.tied_embeddings = !untied;
    std::optional<engine::gguf::GgufFile> vocab;
    if (!vocab_path.empty()) {
        auto v = engine::gguf::GgufFile::open(vocab_path);
        if (!v) {
            std::fprintf(stderr, "%s\n", v.error().message.c_str());
            return 1;
        }
        vocab.emplace(std::move(*v));
        spec.vocab = &*vocab;
    }
    auto st = engine::gguf::write_synthetic_model(spec, out);
    if (!st) {
        std::fprintf(stderr, "%s\n", st.error().message.c_str());
        return 1;
    }
    auto check = engine::gguf::GgufFile::open(out);
    if (!check) {
        std::fprintf(stderr, "gguf-make: wrote an unreadable file: %s\n", check.error().message.c_str());
        return 1;
    }
    std::printf("%s: %zu tensors, %llu bytes\n", out.c_str(), check->tensors().size(),
                static_cast<unsigned long long>(check->file_size()));
    return 0;
}
