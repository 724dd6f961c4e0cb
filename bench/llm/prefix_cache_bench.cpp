// bench_prefix_cache: what the prefix cache saves a moderator. A ~300-token instruction prefix
// plus a ~30-token message is classified safe/unsafe with LocalChatModel, with the prefix cache
// on (only the message's tokens are evaluated) and off (the whole prompt every time). The model
// has Mistral-7B's shapes (n_embd 4096, 32 heads, 8 KV heads, n_ff 14336, vocab 32000) but only
// --layers of its 32 layers, written once into <build>/bench_models/; the per-verdict time is
// also scaled to 32 layers (an over-estimate: the embedding and output head do not scale).
//   build/rel/bench_prefix_cache --layers 4 --threads 2 --runs 3
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/gguf/gguf.h"
#include "engine/gguf/synthetic.h"
#include "llm/local_chat_model.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Flags {
    int layers = 4;
    int threads = 2;
    int runs = 3;
    std::string type = "Q4_0";
};

[[noreturn]] void die(const std::string& msg) {
    std::fprintf(stderr, "bench_prefix_cache: %s\n", msg.c_str());
    std::exit(1);
}

Flags parse_flags(int argc, char** argv) {
    Flags f;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) die("usage: bench_prefix_cache [--layers N] [--threads N] [--runs N] [--type Q4_0|Q8_0]");
        const std::string v = argv[++i];
        if (a == "--layers") f.layers = std::atoi(v.c_str());
        else if (a == "--threads") f.threads = std::atoi(v.c_str());
        else if (a == "--runs") f.runs = std::atoi(v.c_str());
        else if (a == "--type") f.type = v;
        else die("unknown flag " + a);
    }
    if (f.layers < 1 || f.layers > 32 || f.threads < 1 || f.runs < 1) die("flags out of range");
    return f;
}

// The model file (written on first use). The vocabulary is Llama's SentencePiece one (32000
// tokens, as Mistral's) from the shared reference folder, or a made-up one without it.
std::string model_path(const Flags& f, engine::TensorType type) {
    const std::string dir = std::string(LG_BINARY_DIR) + "/bench_models";
    const std::string path = dir + "/mistral-7b-" + std::to_string(f.layers) + "l-" + f.type + ".gguf";
    if (std::filesystem::exists(path)) return path;
    std::filesystem::create_directories(dir);
    engine::gguf::SyntheticModelSpec spec;
    spec.arch = "llama";
    spec.name = "mistral-7b-shaped";
    spec.n_vocab = 32000;
    spec.n_embd = 4096;
    spec.n_layer = static_cast<uint32_t>(f.layers);
    spec.n_head = 32;
    spec.n_head_kv = 8;
    spec.n_ff = 14336;
    spec.n_ctx = 4096;
    spec.type = type;
    spec.embd_type = type;
    spec.tied_embeddings = false;
    std::optional<engine::gguf::GgufFile> vocab;
    const std::string vocab_path = std::string(LG_SHARED_DIR) + "/reference/vocab/ggml-vocab-llama-spm.gguf";
    if (auto v = engine::gguf::GgufFile::open(vocab_path)) vocab.emplace(std::move(*v));
    else std::fprintf(stderr, "bench_prefix_cache: %s missing, using a made-up vocabulary\n", vocab_path.c_str());
    spec.vocab = vocab ? &*vocab : nullptr;
    std::fprintf(stderr, "bench_prefix_cache: writing %s...\n", path.c_str());
    if (auto st = engine::gguf::write_synthetic_model(spec, path + ".part"); !st) die(st.error().message);
    std::filesystem::rename(path + ".part", path);
    return path;
}

// A moderator's instructions, about 300 tokens.
std::string instructions() {
    std::string s =
        "You are the moderator of a friendly Telegram group about gardening, cooking and local "
        "events in Istanbul. Read the message below and decide whether it breaks the rules. ";
    const char* rules[] = {
        "No spam: advertising, links to shops, crypto schemes or repeated messages are unsafe.",
        "No insults, harassment or threats against members or anyone else.",
        "No hate speech about religion, ethnicity, gender, sexuality or disability.",
        "No sexual content, and nothing about minors that is not completely innocent.",
        "No instructions for violence, weapons, drugs or self-harm.",
        "No doxxing: phone numbers, addresses or private photos of other people are unsafe.",
        "Off-topic but friendly chat is safe; so are questions, jokes and disagreements.",
        "Messages in any language follow the same rules; judge the meaning, not the words.",
        "When a message is borderline, prefer safe unless harm is likely.",
    };
    for (int round = 0; round < 2; ++round) {
        for (const char* r : rules) s += std::string(r) + " ";
    }
    return s + "Answer with exactly one word: safe or unsafe.";
}

double ms_per_verdict(llm::LocalChatModel& m, const std::string& prefix, int runs) {
    const std::vector<std::string> labels = {"safe", "unsafe"};
    double total = 0;
    for (int i = 0; i < runs; ++i) {
        const std::string msg = "\n\nMessage " + std::to_string(i) +
                                ": hello neighbours, does anyone know a good place to buy tomato "
                                "seedlings near Kadikoy this weekend?";
        const auto t0 = SteadyClock::now();
        auto s = m.classify(prefix + msg, labels, core::Deadline::never());
        total += std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
        if (!s) die(s.error().message);
    }
    return total / runs;
}

}  // namespace

int main(int argc, char** argv) {
    const Flags f = parse_flags(argc, argv);
    const auto type = engine::tensor_type_from_name(f.type);
    if (!type) die("unknown --type " + f.type);
    const std::string path = model_path(f, *type);
    llm::LocalOptions o;
    o.model_path = path;
    o.chat_template = "mistral";
    o.n_ctx = 1024;
    o.n_threads = f.threads;
    auto m = llm::LocalChatModel::load(o);
    if (!m) die(m.error().message);
    const std::string prefix = instructions();
    auto ids = (*m)->prompt_ids({{llm::Role::User, prefix + "\n\nMessage 0: hello neighbours, does "
                                  "anyone know a good place to buy tomato seedlings near Kadikoy "
                                  "this weekend?"}});
    if (!ids) die(ids.error().message);
    // Warm the cache with the instructions alone.
    if (auto w = (*m)->classify(prefix, {"safe", "unsafe"}, core::Deadline::never()); !w) die(w.error().message);
    const double cached = ms_per_verdict(**m, prefix, f.runs);
    o.prefix_cache = false;
    auto cold = llm::LocalChatModel::load(o);
    if (!cold) die(cold.error().message);
    const double full = ms_per_verdict(**cold, prefix, f.runs);
    const double scale = 32.0 / f.layers;
    std::printf("model: mistral-7b shapes, %d of 32 layers, %s, %d threads; prompt %zu tokens\n",
                f.layers, f.type.c_str(), f.threads, ids->size());
    std::printf("| prefix cache | ms/verdict (%d layers) | ms/verdict (x32 layers, est.) |\n", f.layers);
    std::printf("| on           | %21.1f | %29.1f |\n", cached, cached * scale);
    std::printf("| off          | %21.1f | %29.1f |\n", full, full * scale);
    std::printf("speed-up: %.1fx\n", full / cached);
    return 0;
}
