// bench_model: end-to-end speed of the forward pass on synthetic models with the real shapes of
// popular models (random weights, written once by gguf::write_synthetic_model into <build>/bench_models/).
// Prints one table: prompt t/s (64 and 512 tokens), decode t/s (32 tokens after the 512) and
// peak RSS per model. Weights are Q4_0 unless --type says otherwise (Q4_0, Q4_K, Q8_0, Q6_K).
//   build/rel/bench_model                       # qwen2.5-0.5b and llama3.2-1b, Q4_0
//   build/rel/bench_model all --type Q8_0 --threads 2
//   build/rel/bench_model mistral-7b qwen2.5-1.5b   # see docs/bench.md
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/gguf/synthetic.h"
#include "engine/model/model.h"

namespace {

struct Shape {
    const char* name;
    const char* arch;
    int n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab;
    bool tied;
};

const Shape kShapes[] = {
    {"mistral-7b", "llama", 4096, 32, 32, 8, 14336, 32000, false},
    {"llama3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, true},
    {"qwen2.5-1.5b", "qwen2", 1536, 28, 12, 2, 8960, 151936, true},
    {"qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, true},
};

std::string write_model(const Shape& s, engine::TensorType type, const std::string& dir) {
    const std::string path =
        dir + "/" + s.name + "-" + std::string(engine::tensor_type_name(type)) + ".gguf";
    if (std::filesystem::exists(path)) return path;
    engine::gguf::SyntheticModelSpec spec;
    spec.arch = s.arch;
    spec.name = s.name;
    spec.n_vocab = static_cast<uint32_t>(s.n_vocab);
    spec.n_embd = static_cast<uint32_t>(s.n_embd);
    spec.n_layer = static_cast<uint32_t>(s.n_layer);
    spec.n_head = static_cast<uint32_t>(s.n_head);
    spec.n_head_kv = static_cast<uint32_t>(s.n_head_kv);
    spec.n_ff = static_cast<uint32_t>(s.n_ff);
    spec.n_ctx = 4096;
    spec.type = type;
    // Real K-quant files keep the embedding in Q6_K; the others in their own type.
    spec.embd_type = type == engine::TensorType::Q4_K ? engine::TensorType::Q6_K : type;
    spec.tied_embeddings = s.tied;
    std::fprintf(stderr, "bench_model: writing %s...\n", path.c_str());
    // Written aside, then renamed: an interrupted run leaves no truncated model behind.
    if (auto st = engine::gguf::write_synthetic_model(spec, path + ".part"); !st) {
        std::fprintf(stderr, "bench_model: %s\n", st.error().message.c_str());
        std::exit(1);
    }
    std::filesystem::rename(path + ".part", path);
    return path;
}

// Elapsed seconds of a phase: wall-clock time, or with --cpu-time the process's CPU time
// divided by the thread count (what the phase would take on otherwise idle cores, since the
// pool's threads run or spin throughout; use it when other jobs load the machine).
struct Clock {
    bool cpu = false;
    int threads = 1;
    double now() const {
        if (!cpu) return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        const auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec * 1e-6; };
        return (sec(ru.ru_utime) + sec(ru.ru_stime)) / threads;
    }
};

void run(const Shape& s, engine::TensorType type, const std::string& dir, const Clock& clock) {
    const int threads = clock.threads;
    const std::string path = write_model(s, type, dir);
    engine::model::ModelOptions opts;
    opts.n_ctx = 1024;
    opts.n_threads = threads;
    auto m = engine::model::Model::load(path, opts);
    if (!m) {
        std::fprintf(stderr, "bench_model: %s\n", m.error().message.c_str());
        return;
    }
    std::vector<int> tokens(512);
    for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int>((i * 7919) % static_cast<size_t>((*m)->n_vocab()));
    std::vector<float> logits(static_cast<size_t>((*m)->n_vocab()));
    // Warm-up (not timed): one token touches every weight page of the mmap'd file once.
    if (!(*m)->eval(std::span<const int>(tokens).subspan(0, 1), 0, logits.data())) return;
    double pp[2] = {0, 0};
    const int sizes[2] = {64, 512};
    for (int k = 0; k < 2; ++k) {
        const double t = clock.now();
        if (!(*m)->eval(std::span<const int>(tokens).subspan(0, static_cast<size_t>(sizes[k])), 0, logits.data())) return;
        pp[k] = sizes[k] / (clock.now() - t);
    }
    const double t = clock.now();
    for (int i = 0; i < 32; ++i) {
        const int id = tokens[static_cast<size_t>(i)];
        if (!(*m)->eval(std::span<const int>(&id, 1), 512 + i, logits.data())) return;
    }
    const double tg = 32 / (clock.now() - t);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("| %-13s | %-5s | %7d | %8.0f | %10.1f | %11.1f | %10.2f | %7.0f |\n", s.name,
                std::string(engine::tensor_type_name(type)).c_str(), threads,
                static_cast<double>(std::filesystem::file_size(path)) / (1 << 20), pp[0], pp[1], tg,
                static_cast<double>(ru.ru_maxrss) / 1024.0);
    std::fflush(stdout);
}

int usage() {
    std::fprintf(stderr,
                 "usage: bench_model [all | mistral-7b llama3.2-1b qwen2.5-1.5b qwen2.5-0.5b ...]\n"
                 "                   [--type Q4_0|Q4_K|Q6_K|Q8_0] [--threads N] [--cpu-time]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    int threads = 0;
    bool cpu_time = false;
    engine::TensorType type = engine::TensorType::Q4_0;
    std::vector<std::string> names;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
        } else if (a == "--type" && i + 1 < argc) {
            const std::string t = argv[++i];
            const engine::TensorType known[] = {engine::TensorType::Q4_0, engine::TensorType::Q4_K,
                                                engine::TensorType::Q6_K, engine::TensorType::Q8_0};
            bool ok = false;
            for (const auto k : known) {
                if (t == engine::tensor_type_name(k)) {
                    type = k;
                    ok = true;
                }
            }
            if (!ok) return usage();
        } else if (a == "--cpu-time") {
            cpu_time = true;
        } else if (a == "all") {
            for (const Shape& s : kShapes) names.emplace_back(s.name);
        } else if (!a.empty() && a[0] == '-') {
            return usage();
        } else {
            names.push_back(a);
        }
    }
    if (names.empty()) names = {"llama3.2-1b", "qwen2.5-0.5b"};
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const std::string dir = std::string(LG_BINARY_DIR) + "/bench_models";
    std::filesystem::create_directories(dir);
    std::printf("| model         | type  | threads | file MiB | pp64 tok/s | pp512 tok/s | tg32 tok/s | RSS MiB |\n");
    std::printf("|---------------|-------|---------|----------|------------|-------------|------------|---------|\n");
    for (const std::string& n : names) {
        bool found = false;
        for (const Shape& s : kShapes) {
            if (n == s.name) {
                found = true;
                run(s, type, dir, Clock{cpu_time, threads});
            }
        }
        if (!found) std::fprintf(stderr, "bench_model: unknown model '%s'\n", n.c_str());
    }
    return 0;
}
