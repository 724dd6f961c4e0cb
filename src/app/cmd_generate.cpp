// The engine from the command line: raw logits for given token ids (cross-checks against
// llama.cpp) and plain text generation with timing (a quick try of a model on this machine).
#include "app/cmd_generate.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/commands.h"
#include "core/strings.h"
#include "engine/chat/chat_template.h"
#include "engine/model/model.h"
#include "engine/sampling/sampler.h"
#include "engine/tokenizer/stream_decoder.h"
#include "engine/tokenizer/vocab_gguf.h"

namespace app {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// "loading model [#########           ] 45%" redrawn in place while the weights are paged in.
std::function<void(uint64_t, uint64_t)> progress_bar(AppContext& ctx) {
    if (ctx.err != &std::cerr || isatty(STDERR_FILENO) == 0) return {};
    return [&ctx](uint64_t done, uint64_t total) {
        const int width = 30;
        const int filled = total ? static_cast<int>(width * done / total) : width;
        *ctx.err << fmt::format("\rloading model [{}{}] {:3d}%", std::string(static_cast<size_t>(filled), '#'),
                                std::string(static_cast<size_t>(width - filled), ' '),
                                total ? static_cast<int>(100 * done / total) : 100);
        if (done == total) *ctx.err << "\n";
        ctx.err->flush();
    };
}

std::unique_ptr<engine::model::Model> load_model(AppContext& ctx, const std::string& cmd, const std::string& path,
                                                 engine::model::ModelOptions opts) {
    opts.on_progress = progress_bar(ctx);
    auto m = engine::model::Model::load(path, opts);
    if (!m) {
        report_error(ctx, cmd + ": " + m.error().message, kExitFailure);
        return nullptr;
    }
    return std::move(*m);
}

struct LogitsFlags {
    std::string model;
    std::string tokens;
    int top = 10;
    int greedy = 0;
    int threads = 0;
    bool precise = false;  // F32 activations against dequantized weights (ModelOptions::precise)
    bool kv_f32 = false;
};

void run_logits(AppContext& ctx, const LogitsFlags& flags) {
    std::vector<int> ids;
    for (const std::string& part : core::split(flags.tokens, ',')) {
        const std::string s(core::trim(part));
        char* end = nullptr;
        const long v = std::strtol(s.c_str(), &end, 10);
        if (s.empty() || end == nullptr || *end != '\0' || v < 0 || v > INT32_MAX) {
            report_error(ctx, fmt::format("logits: --tokens: '{}' is not a token id (use 1,15043,3186)", s), kExitUsage);
            return;
        }
        ids.push_back(static_cast<int>(v));
    }
    engine::model::ModelOptions opts;
    opts.n_threads = flags.threads;
    opts.precise = flags.precise;
    if (flags.kv_f32) opts.kv_type = engine::model::KvType::F32;
    opts.n_ctx = std::max(512, static_cast<int>(ids.size()) + std::max(flags.greedy, 0));
    auto m = load_model(ctx, "logits", flags.model, opts);
    if (!m) return;
    const size_t nv = static_cast<size_t>(m->n_vocab());
    std::vector<float> logits(ids.size() * nv);
    if (auto st = m->eval(ids, 0, logits.data(), true); !st) {
        report_error(ctx, "logits: " + st.error().message, kExitFailure);
        return;
    }
    const size_t top = static_cast<size_t>(std::clamp(flags.top, 1, static_cast<int>(nv)));
    std::vector<int> order(nv);
    nlohmann::json positions = nlohmann::json::array();
    for (size_t p = 0; p < ids.size(); ++p) {
        const float* row = logits.data() + p * nv;
        for (size_t i = 0; i < nv; ++i) order[i] = static_cast<int>(i);
        std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(top), order.end(),
                          [row](int a, int b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
        nlohmann::json t = nlohmann::json::array();
        for (size_t i = 0; i < top; ++i) t.push_back({order[i], row[order[i]]});
        positions.push_back({{"top", t}});
    }
    nlohmann::json greedy = nlohmann::json::array();
    std::vector<float> step(logits.end() - static_cast<ptrdiff_t>(nv), logits.end());
    for (int i = 0; i < flags.greedy; ++i) {
        const int id = engine::argmax(step);
        greedy.push_back(id);
        if (i + 1 == flags.greedy) break;
        if (auto st = m->eval(std::span<const int>(&id, 1), static_cast<int>(ids.size()) + i, step.data()); !st) {
            report_error(ctx, "logits: " + st.error().message, kExitFailure);
            return;
        }
    }
    *ctx.out << nlohmann::json{{"positions", positions}, {"greedy", greedy}}.dump() << "\n";
    ctx.out->flush();
}

struct GenerateFlags {
    std::string model;
    std::string prompt;
    int n_predict = 100;
    float temp = 0.7f;
    float top_p = 0.95f;
    int64_t seed = -1;
    int threads = 0;
    int ctx_size = 2048;
    bool chat = false;
};

// The prompt's ids: plain text with BOS as the vocabulary asks, or the model's chat template.
core::Result<std::vector<int>> prompt_ids(const engine::Tokenizer& tok, const engine::model::Model& m,
                                          const GenerateFlags& flags) {
    if (!flags.chat) return tok.tokenize(flags.prompt, {.add_special = true, .parse_special = false});
    std::string_view jinja;
    if (const auto* v = m.file().find("tokenizer.chat_template"); v && v->type == engine::gguf::ValueType::String) {
        jinja = v->str;
    }
    auto tmpl = engine::make_chat_template("", jinja);
    if (!tmpl) return core::fail(std::move(tmpl).error());
    const engine::ChatMessage msg{engine::ChatRole::User, flags.prompt};
    auto rendered = tmpl->render(std::span<const engine::ChatMessage>(&msg, 1));
    if (!rendered) return core::fail(std::move(rendered).error());
    std::vector<int> ids;
    for (const auto& seg : rendered->segments) {
        tok.tokenize(seg.text, {.add_special = false, .parse_special = seg.is_template}, ids);
    }
    return ids;
}

void run_generate(AppContext& ctx, const GenerateFlags& flags) {
    const auto t_load = Clock::now();
    auto tok = engine::load_tokenizer(flags.model);
    if (!tok) {
        report_error(ctx, "generate: " + tok.error().message, kExitFailure);
        return;
    }
    engine::model::ModelOptions opts;
    opts.n_threads = flags.threads;
    opts.n_ctx = flags.ctx_size;
    auto m = load_model(ctx, "generate", flags.model, opts);
    if (!m) return;
    const double load_ms = ms_since(t_load);
    auto ids = prompt_ids(*tok, *m, flags);
    if (!ids) {
        report_error(ctx, "generate: " + ids.error().message, kExitFailure);
        return;
    }
    engine::SamplingParams sp;
    sp.temperature = flags.temp;
    sp.top_p = flags.top_p;
    if (flags.seed >= 0) sp.seed = static_cast<uint64_t>(flags.seed);
    if (auto st = engine::validate(sp); !st) {
        report_error(ctx, "generate: " + st.error().message, kExitUsage);
        return;
    }
    engine::Sampler sampler(sp, m->n_vocab());
    engine::StreamDecoder decoder(*tok);
    std::vector<float> logits(static_cast<size_t>(m->n_vocab()));
    std::vector<int> history = *ids;
    const auto t_prompt = Clock::now();
    if (auto st = m->eval(*ids, 0, logits.data()); !st) {
        report_error(ctx, "generate: " + st.error().message, kExitFailure);
        return;
    }
    const double prompt_ms = ms_since(t_prompt);
    const auto t_gen = Clock::now();
    int generated = 0;
    for (; generated < flags.n_predict; ++generated) {
        const int id = sampler.sample(logits, history);
        if (tok->is_eog(id)) break;
        *ctx.out << decoder.push(id);
        ctx.out->flush();
        history.push_back(id);
        if (generated + 1 == flags.n_predict) {
            ++generated;
            break;
        }
        if (auto st = m->eval(std::span<const int>(&id, 1), static_cast<int>(history.size()) - 1, logits.data()); !st) {
            *ctx.out << decoder.flush() << "\n";
            report_error(ctx, "generate: " + st.error().message, kExitFailure);
            return;
        }
    }
    *ctx.out << decoder.flush() << "\n";
    ctx.out->flush();
    const double gen_ms = ms_since(t_gen);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    *ctx.err << fmt::format(
        "prompt: {} tokens, {:.1f} t/s | generated: {} tokens, {:.1f} t/s | first token: {:.0f} ms | load: {:.0f} ms "
        "| peak RSS: {:.0f} MiB\n",
        ids->size(), 1000.0 * static_cast<double>(ids->size()) / std::max(prompt_ms, 1e-3), generated,
        1000.0 * generated / std::max(gen_ms, 1e-3), prompt_ms, load_ms, static_cast<double>(ru.ru_maxrss) / 1024.0);
}

}  // namespace

void add_logits_command(CLI::App& app, AppContext& ctx) {
    CLI::App* cmd = app.add_subcommand("logits", "Evaluate token ids with the engine and print the top logits as JSON");
    auto flags = std::make_shared<LogitsFlags>();
    cmd->add_option("-m,--model", flags->model, "GGUF model file")->required();
    cmd->add_option("--tokens", flags->tokens, "Comma-separated token ids, evaluated as one batch")->required();
    cmd->add_option("--top", flags->top, "Logits to print per position")->check(CLI::Range(1, 1000));
    cmd->add_option("--greedy", flags->greedy, "Greedy continuation length")->check(CLI::Range(0, 4096));
    cmd->add_option("-t,--threads", flags->threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
    cmd->add_flag("--precise", flags->precise,
                  "Exact math: dequantize weights and keep activations in F32 (compare with a .deq reference)");
    cmd->add_flag("--kv-f32", flags->kv_f32, "F32 KV cache (default F16, as llama.cpp)");
    cmd->callback([&ctx, flags] { run_logits(ctx, *flags); });
}

void add_generate_command(CLI::App& app, AppContext& ctx) {
    CLI::App* cmd = app.add_subcommand("generate", "Generate text with the engine and print speed statistics");
    auto flags = std::make_shared<GenerateFlags>();
    cmd->add_option("-m,--model", flags->model, "GGUF model file")->required();
    cmd->add_option("-p,--prompt", flags->prompt, "Prompt text")->required();
    cmd->add_option("-n,--n-predict", flags->n_predict, "Tokens to generate at most")->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--temp", flags->temp, "Temperature (0: greedy)")->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--top-p", flags->top_p, "Nucleus sampling mass")->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--seed", flags->seed, "Sampling seed (default: random)");
    cmd->add_option("-t,--threads", flags->threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
    cmd->add_option("-c,--ctx-size", flags->ctx_size, "Context length")->check(CLI::Range(16, 1 << 20));
    cmd->add_flag("--chat", flags->chat, "Wrap the prompt in the model's chat template as a user turn");
    cmd->callback([&ctx, flags] { run_generate(ctx, *flags); });
}

}  // namespace app
