// bench_model: end-to-end speed of the forward pass on synthetic models with the real shapes of
// popular models (random weights, written once by gguf::write_synthetic_model into
// <build>/bench_models/). Prints one table row per (model, type, test): tokens/s by wall clock
// and by CPU time, the seconds behind them, and the peak RSS of the model's run (each model
// runs in a child process, so RSS is its own).
//   build/rel/bench_model                                    # qwen2.5-0.5b and llama3.2-1b, Q4_0
//   build/rel/bench_model all --type Q4_0,Q8_0 --threads 2   # the full table (docs/bench.md)
//   build/rel/bench_model mistral-7b --tests pp64,tg32 --reps 1
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/gguf/synthetic.h"
#include "engine/kernels/cpu.h"
#include "engine/model/model.h"

namespace {

struct Shape {
    const char* name;
    const char* arch;
    int n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab;
    bool tied;
    bool big;  // runs --big-reps repetitions (default 1): minutes per test on 2 cores
};

const Shape kShapes[] = {
    {"mistral-7b", "llama", 4096, 32, 32, 8, 14336, 32000, false, true},
    {"llama3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, true, false},
    {"qwen2.5-1.5b", "qwen2", 1536, 28, 12, 2, 8960, 151936, true, false},
    {"qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, true, false},
};

// A test: `n` tokens as one prompt batch at position 0 (pp), or `n` single-token decode steps
// at positions 512.. (tg: attention reads a 512-long cache).
struct Test {
    std::string name;
    bool prompt;
    int n;
};

struct Options {
    std::vector<std::string> models;
    std::vector<engine::TensorType> types;
    std::vector<Test> tests;
    int threads = 0;
    int reps = 3;
    int big_reps = 1;
    std::string kernels;  // empty: best level
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

double wall_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Process CPU seconds (user + system, all threads).
double cpu_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec * 1e-6; };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

struct Sample {
    double wall = 0, cpu = 0;
};

template <class T>
T median(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Runs one test `reps` times; returns the median wall and CPU seconds, or false on error.
bool measure(engine::model::Model& m, const Test& test, const std::vector<int>& tokens, int reps,
             std::vector<float>& logits, Sample* out) {
    std::vector<double> wall, cpu;
    for (int r = 0; r < reps; ++r) {
        const double w0 = wall_now(), c0 = cpu_now();
        if (test.prompt) {
            const auto batch = std::span<const int>(tokens).subspan(0, static_cast<size_t>(test.n));
            if (!m.eval(batch, 0, logits.data())) return false;
        } else {
            for (int i = 0; i < test.n; ++i) {
                const int id = tokens[static_cast<size_t>(i)];
                if (!m.eval(std::span<const int>(&id, 1), 512 + i, logits.data())) return false;
            }
        }
        wall.push_back(wall_now() - w0);
        cpu.push_back(cpu_now() - c0);
    }
    *out = Sample{median(wall), median(cpu)};
    return true;
}

// One model and type, in the calling (child) process: prints a row per test.
int run_model(const Shape& s, engine::TensorType type, const std::string& path, const Options& o) {
    engine::model::ModelOptions mo;
    mo.n_ctx = 1024;
    mo.n_threads = o.threads;
    auto m = engine::model::Model::load(path, mo);
    if (!m) {
        std::fprintf(stderr, "bench_model: %s\n", m.error().message.c_str());
        return 1;
    }
    std::vector<int> tokens(512);
    for (size_t i = 0; i < tokens.size(); ++i)
        tokens[i] = static_cast<int>((i * 7919) % static_cast<size_t>((*m)->n_vocab()));
    std::vector<float> logits(static_cast<size_t>((*m)->n_vocab()));
    // Warm-up (not timed): one token touches every weight page of the mmap'd file once.
    if (!(*m)->eval(std::span<const int>(tokens).subspan(0, 1), 0, logits.data())) return 1;
    const int reps = s.big ? o.big_reps : o.reps;
    const double mib = static_cast<double>(std::filesystem::file_size(path)) / (1 << 20);
    for (const Test& t : o.tests) {
        Sample sm;
        if (!measure(**m, t, tokens, reps, logits, &sm)) return 1;
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        // CPU t/s: tokens per (CPU seconds / threads), what idle cores would give when the
        // pool's threads run or spin throughout (docs/bench.md).
        std::printf("| %-12s | %-4s | %2d | %6.0f | %-5s | %4d | %9.2f | %9.2f | %7.2f | %7.2f | %6.0f |\n",
                    s.name, std::string(engine::tensor_type_name(type)).c_str(), o.threads, mib,
                    t.name.c_str(), reps, t.n / sm.wall, t.n * o.threads / sm.cpu, sm.wall, sm.cpu,
                    static_cast<double>(ru.ru_maxrss) / 1024.0);
        std::fflush(stdout);
    }
    return 0;
}

std::string loadavg() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

int usage() {
    std::fprintf(stderr,
                 "usage: bench_model [all | mistral-7b llama3.2-1b qwen2.5-1.5b qwen2.5-0.5b ...]\n"
                 "                   [--type Q4_0[,Q4_K,Q6_K,Q8_0]] [--tests pp64,pp512,tg32]\n"
                 "                   [--threads N] [--reps N] [--big-reps N] [--kernels ref|avx2|avx512]\n");
    return 2;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

bool parse_types(const std::string& arg, std::vector<engine::TensorType>* types) {
    const engine::TensorType known[] = {engine::TensorType::Q4_0, engine::TensorType::Q4_K,
                                        engine::TensorType::Q6_K, engine::TensorType::Q8_0};
    for (const std::string& t : split(arg)) {
        const auto* k = std::find_if(std::begin(known), std::end(known),
                                     [&](engine::TensorType x) { return t == engine::tensor_type_name(x); });
        if (k == std::end(known)) return false;
        types->push_back(*k);
    }
    return !types->empty();
}

bool parse_tests(const std::string& arg, std::vector<Test>* tests) {
    for (const std::string& t : split(arg)) {
        const bool pp = t.rfind("pp", 0) == 0, tg = t.rfind("tg", 0) == 0;
        const int n = std::atoi(t.c_str() + 2);
        if ((!pp && !tg) || n <= 0 || n > 512) return false;
        tests->push_back(Test{t, pp, n});
    }
    return !tests->empty();
}

bool parse(int argc, char** argv, Options* o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--threads" && has_value) {
            o->threads = std::atoi(argv[++i]);
        } else if (a == "--reps" && has_value) {
            o->reps = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--big-reps" && has_value) {
            o->big_reps = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--type" && has_value) {
            if (!parse_types(argv[++i], &o->types)) return false;
        } else if (a == "--tests" && has_value) {
            if (!parse_tests(argv[++i], &o->tests)) return false;
        } else if (a == "--kernels" && has_value) {
            o->kernels = argv[++i];
        } else if (a == "--cpu-time") {
            // Accepted for old command lines: both wall and CPU figures are always printed.
        } else if (a == "all") {
            for (const Shape& s : kShapes) o->models.emplace_back(s.name);
        } else if (!a.empty() && a[0] == '-') {
            return false;
        } else {
            o->models.push_back(a);
        }
    }
    if (o->models.empty()) o->models = {"llama3.2-1b", "qwen2.5-0.5b"};
    if (o->types.empty()) o->types = {engine::TensorType::Q4_0};
    if (o->tests.empty()) parse_tests("pp64,pp512,tg32", &o->tests);
    if (o->threads <= 0) o->threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, &o)) return usage();
    if (!o.kernels.empty()) {
        const auto level = engine::kernels::level_from_name(o.kernels);
        if (!level || !engine::kernels::force_level(*level)) {
            std::fprintf(stderr, "bench_model: kernel level '%s' not available\n", o.kernels.c_str());
            return 2;
        }
    }
    std::vector<const Shape*> shapes;
    for (const std::string& n : o.models) {
        const auto* s = std::find_if(std::begin(kShapes), std::end(kShapes),
                                     [&](const Shape& x) { return n == x.name; });
        if (s == std::end(kShapes)) {
            std::fprintf(stderr, "bench_model: unknown model '%s'\n", n.c_str());
            return usage();
        }
        shapes.push_back(s);
    }
    const std::string dir = std::string(LG_BINARY_DIR) + "/bench_models";
    std::filesystem::create_directories(dir);
    std::printf("kernels %s, load average at start %s\n",
                std::string(engine::kernels::level_name(engine::kernels::active_level())).c_str(),
                loadavg().c_str());
    std::printf("| model        | type | th | MiB    | test  | reps | t/s wall  | t/s CPU   | wall s  | CPU s   | RSS MiB|\n");
    std::printf("|--------------|------|----|--------|-------|------|-----------|-----------|---------|---------|--------|\n");
    std::fflush(stdout);
    int failures = 0;
    for (const Shape* s : shapes) {
        for (const engine::TensorType type : o.types) {
            const std::string path = write_model(*s, type, dir);
            // A child per model: its peak RSS is this model's alone.
            const pid_t pid = fork();
            if (pid == 0) std::_Exit(run_model(*s, type, path, o));
            int status = 0;
            if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                ++failures;
        }
    }
    std::printf("load average at end %s\n", loadavg().c_str());
    return failures == 0 ? 0 : 1;
}
