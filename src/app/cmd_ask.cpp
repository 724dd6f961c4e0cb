// One question or one classification from the command line, through the same llm::ChatModel
// the bot uses (local engine or OpenAI-compatible API), configured by model.* and openai.*.
#include "app/cmd_ask.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/commands.h"
#include "bot/prompt.h"
#include "core/strings.h"
#include "llm/chat_model.h"

namespace app {

namespace {

struct ModelFlags {
    std::string backend;  // empty: model.backend
    std::string model;    // empty: model.path (local) or model.name (openai)
    double price_in = -1;   // USD per million prompt tokens; < 0: not given
    double price_out = -1;  // USD per million completion tokens
};

void add_model_flags(CLI::App* cmd, ModelFlags& f) {
    cmd->add_option("--backend", f.backend, "local or openai (default: model.backend)")
        ->check(CLI::IsMember({"local", "openai"}));
    cmd->add_option("--model", f.model,
                    "GGUF file (local) or the API's model name (openai); default: model.path / "
                    "model.name");
}

// The backend configuration from the config file plus the flags; nullopt (reported) if invalid.
std::optional<llm::BackendConfig> backend_config(AppContext& ctx, const std::string& cmd,
                                                 const core::Config& cfg, const ModelFlags& f) {
    llm::BackendConfig b;
    b.backend = cfg.model.backend == core::ModelBackend::Local    ? llm::Backend::Local
                : cfg.model.backend == core::ModelBackend::OpenAi ? llm::Backend::OpenAi
                                                                  : llm::Backend::None;
    if (f.backend == "local") b.backend = llm::Backend::Local;
    if (f.backend == "openai") b.backend = llm::Backend::OpenAi;
    b.model_path = cfg.model.path;
    b.model_name = cfg.model.name;
    if (!f.model.empty()) (b.backend == llm::Backend::Local ? b.model_path : b.model_name) = f.model;
    b.base_url = cfg.openai.base_url;
    b.api_key = cfg.openai.api_key;
    b.price_input_per_mtok = cfg.openai.price_input_per_mtok;
    b.price_output_per_mtok = cfg.openai.price_output_per_mtok;
    if (f.price_in >= 0) b.price_input_per_mtok = f.price_in;
    if (f.price_out >= 0) b.price_output_per_mtok = f.price_out;
    if (b.backend == llm::Backend::None) {
        report_error(ctx,
                     cmd + ": no model configured: pass --backend local --model FILE.gguf, or set "
                           "model.backend (local with model.path, openai with model.name)",
                     kExitUsage);
        return std::nullopt;
    }
    return b;
}

std::unique_ptr<llm::ChatModel> build_model(AppContext& ctx, const std::string& cmd,
                                            const llm::BackendConfig& b) {
    auto m = llm::make_chat_model(b);
    if (!m) {
        report_error(ctx, cmd + ": " + m.error().message, kExitFailure);
        return nullptr;
    }
    return std::move(*m);
}

std::string local_time(const char* format) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[64];
    return std::strftime(buf, sizeof buf, format, &tm) > 0 ? std::string(buf) : std::string();
}

struct AskFlags {
    ModelFlags model;
    std::string question;
};

void run_ask(AppContext& ctx, const AskFlags& flags) {
    auto loaded = ctx.load_config_or_report();
    if (!loaded) return;
    const core::Config& cfg = loaded->config;
    auto b = backend_config(ctx, "ask", cfg, flags.model);
    if (!b) return;
    auto model = build_model(ctx, "ask", *b);
    if (!model) return;
    bot::PromptVars vars;
    vars.bot_name = cfg.bot.name;
    vars.date = local_time("%Y-%m-%d");
    vars.time = local_time("%H:%M");
    vars.location = cfg.bot.location;
    vars.question = flags.question;
    const auto messages = bot::build_messages(bot::render_prompt(cfg.bot.prompt_template, vars), {}, 0);
    llm::ChatParams params;
    params.temperature = cfg.model.temperature;
    params.top_p = cfg.model.top_p;
    params.max_tokens = cfg.model.max_tokens;
    const auto deadline = core::Deadline::after(std::chrono::seconds(cfg.bot.handler_timeout_s));
    auto reply = model->chat(messages, params, deadline, [&ctx](std::string_view d) {
        *ctx.out << d;
        ctx.out->flush();
    });
    if (!reply) {
        report_error(ctx, "ask: " + reply.error().message, kExitFailure);
        return;
    }
    *ctx.out << "\n";
    ctx.out->flush();
    std::string stats = fmt::format(
        "[{}: {} prompt + {} completion tokens, {:.2f} s, {:.1f} tokens/s, finish {}", model->name(),
        reply->usage.prompt_tokens, reply->usage.completion_tokens,
        static_cast<double>(reply->timings.total.count()) / 1000.0, reply->timings.tokens_per_s,
        llm::finish_reason_name(reply->finish_reason));
    if (b->backend == llm::Backend::OpenAi &&
        (b->price_input_per_mtok > 0 || b->price_output_per_mtok > 0)) {
        stats += fmt::format(", est. ${:.6f}", llm::estimate_cost_usd(reply->usage, *b));
    }
    *ctx.err << stats << "]\n";
    if (reply->finish_reason == llm::FinishReason::Error) {
        report_error(ctx, "ask: the answer broke off: " + reply->error, kExitFailure);
    }
}

struct ClassifyFlags {
    ModelFlags model;
    std::string labels = "safe,unsafe";
    std::string text;
};

void run_classify(AppContext& ctx, const ClassifyFlags& flags) {
    std::vector<std::string> labels;
    for (const auto& l : core::split(flags.labels, ',')) {
        if (!core::trim(l).empty()) labels.emplace_back(core::trim(l));
    }
    if (labels.size() < 2) {
        report_error(ctx, "classify: --labels needs at least two labels (e.g. safe,unsafe)", kExitUsage);
        return;
    }
    auto loaded = ctx.load_config_or_report();
    if (!loaded) return;
    auto b = backend_config(ctx, "classify", loaded->config, flags.model);
    if (!b) return;
    auto model = build_model(ctx, "classify", *b);
    if (!model) return;
    const auto deadline =
        core::Deadline::after(std::chrono::seconds(loaded->config.bot.handler_timeout_s));
    auto scores = model->classify(flags.text, labels, deadline);
    if (!scores) {
        report_error(ctx, "classify: " + scores.error().message, kExitFailure);
        return;
    }
    nlohmann::json out = nlohmann::json::object();
    nlohmann::json probs = nlohmann::json::object();
    for (const auto& l : scores->labels) probs[l.label] = l.probability;
    out["labels"] = probs;
    out["top"] = scores->top();
    if (scores->categories) out["categories"] = *scores->categories;
    *ctx.out << out.dump() << "\n";
    ctx.out->flush();
}

}  // namespace

void add_ask_command(CLI::App& app, AppContext& ctx) {
    auto flags = std::make_shared<AskFlags>();
    CLI::App* cmd = app.add_subcommand(
        "ask", "Ask the configured model one question through bot.prompt_template; the answer "
               "streams to stdout, a stats line to stderr");
    add_model_flags(cmd, flags->model);
    cmd->add_option("--price-in", flags->model.price_in,
                    "USD per million prompt tokens, for the cost estimate (default: openai.price_input_per_mtok)");
    cmd->add_option("--price-out", flags->model.price_out,
                    "USD per million completion tokens (default: openai.price_output_per_mtok)");
    cmd->add_option("question", flags->question, "The question")->required();
    cmd->callback([&ctx, flags] { run_ask(ctx, *flags); });
}

void add_classify_command(CLI::App& app, AppContext& ctx) {
    auto flags = std::make_shared<ClassifyFlags>();
    CLI::App* cmd = app.add_subcommand(
        "classify", "Score a text against labels with the configured model; prints JSON "
                    "{\"labels\":{label:probability},\"top\":label}");
    add_model_flags(cmd, flags->model);
    cmd->add_option("--labels", flags->labels, "Comma-separated labels (default: safe,unsafe)");
    cmd->add_option("text", flags->text, "The whole prompt: instructions and the text")->required();
    cmd->callback([&ctx, flags] { run_classify(ctx, *flags); });
}

}  // namespace app
