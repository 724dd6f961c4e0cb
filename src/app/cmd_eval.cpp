// `lambdagram eval`: every example of a labelled dataset through the moderation Assessor, then
// precision/recall/F1 per category and language, latency, classifier calls and cost.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cmd_moderate.h"
#include "app/commands.h"
#include "bot/moderation/assess.h"
#include "bot/moderation/evaluation.h"

namespace app {
namespace {

using bot::moderation::ClassifierUse;

constexpr const char* kDefaultDataset = "data/eval/moderation.jsonl";
// A label answer is a few tokens (a structured {"label": ...} reply included): an estimate, as
// the classifier does not report its usage.
constexpr double kOutputTokensPerCall = 8;
// Prompt tokens from bytes when the classifier does not report them (~4 bytes a token).
constexpr double kBytesPerToken = 4;

struct EvalFlags {
    ClassifierFlags classifier;
    std::string dataset = kDefaultDataset;
    bool json = false;
    size_t limit = 0;  // 0: every example
};

struct EvalRun {
    std::vector<std::string> predictions;
    std::vector<double> latency_ms;
    std::map<ClassifierUse, size_t> uses;
    double prompt_tokens = 0;  // reported, or estimated from the prompt's bytes
    bool tokens_estimated = false;
    std::string first_error;
};

bool show_progress(const AppContext& ctx) {
    return ctx.err == &std::cerr && isatty(STDERR_FILENO) != 0;
}

EvalRun run_examples(AppContext& ctx, const std::vector<bot::moderation::EvalExample>& examples,
                     const bot::moderation::Assessor& assessor, const core::Config& cfg) {
    EvalRun run;
    const bool progress = show_progress(ctx);
    for (size_t i = 0; i < examples.size(); ++i) {
        bot::moderation::AssessOptions o;
        o.lang = examples[i].lang;
        o.threshold = cfg.moderation.threshold;
        o.skip_trivial = cfg.moderation.skip_trivial;
        const auto deadline =
            core::Deadline::after(std::chrono::seconds(cfg.bot.handler_timeout_s));
        const auto a = assessor.assess(examples[i].text, o, deadline);
        run.predictions.push_back(a.flagged && a.category
                                      ? bot::moderation::category_name(*a.category)
                                      : std::string("clean"));
        run.latency_ms.push_back(static_cast<double>(a.latency_us.count()) / 1000.0);
        ++run.uses[a.classifier];
        if (a.classifier == ClassifierUse::Used) {
            if (a.classifier_tokens > 0) {
                run.prompt_tokens += static_cast<double>(a.classifier_tokens);
            } else {
                run.prompt_tokens +=
                    static_cast<double>(a.classifier_prompt_bytes) / kBytesPerToken;
                run.tokens_estimated = true;
            }
        }
        if (a.classifier == ClassifierUse::Failed && run.first_error.empty()) {
            run.first_error = a.classifier_error;
        }
        if (progress)
            *ctx.err << fmt::format("\reval: {}/{}", i + 1, examples.size()) << std::flush;
    }
    if (progress) *ctx.err << "\r" << std::string(30, ' ') << "\r" << std::flush;
    return run;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0 : s / static_cast<double>(v.size());
}

double p95(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(v.size()))) - 1;
    return v[std::min(idx, v.size() - 1)];
}

size_t count(const EvalRun& run, ClassifierUse use) {
    auto it = run.uses.find(use);
    return it == run.uses.end() ? 0 : it->second;
}

// Cost per 1,000 messages: the API's price for openai; $0 for the rest (the moderation endpoint
// is free, local and lexicon-only runs pay for compute, reported beside it).
nlohmann::json cost_json(const EvalRun& run, const std::string& kind, const core::Config& cfg) {
    const double n = static_cast<double>(std::max<size_t>(run.predictions.size(), 1));
    const double calls =
        static_cast<double>(count(run, ClassifierUse::Used) + count(run, ClassifierUse::Failed));
    nlohmann::json c;
    c["compute_s_per_1000"] = mean(run.latency_ms) * 1000.0 / 1000.0;
    c["calls_per_1000"] = calls / n * 1000.0;
    double usd = 0;
    std::string note;
    if (kind == "openai") {
        const double in_tok = run.prompt_tokens / n * 1000.0;
        const double out_tok = calls / n * 1000.0 * kOutputTokensPerCall;
        usd = (in_tok * cfg.openai.price_input_per_mtok +
               out_tok * cfg.openai.price_output_per_mtok) /
              1e6;
        c["prompt_tokens_per_1000"] = in_tok;
        c["completion_tokens_per_1000"] = out_tok;
        note = fmt::format(
            "openai.price_input_per_mtok {} and price_output_per_mtok {}; {} prompt "
            "tokens, {} completion tokens a call (estimated)",
            cfg.openai.price_input_per_mtok, cfg.openai.price_output_per_mtok,
            run.tokens_estimated ? "bytes/4" : "reported", kOutputTokensPerCall);
        if (cfg.openai.price_input_per_mtok == 0 && cfg.openai.price_output_per_mtok == 0) {
            note += " (prices are 0: set openai.price_input_per_mtok/price_output_per_mtok)";
        }
    } else if (kind == "openai-moderation") {
        note = "OpenAI's moderation endpoint is free of charge";
    } else if (kind == "local") {
        note = "no API cost: the local model's compute time is the cost";
    } else {
        note = "no API cost: lexicon only";
    }
    c["usd_per_1000"] = usd;
    c["note"] = note;
    return c;
}

nlohmann::json report_json(const bot::moderation::EvalReport& report) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [lang, by_cat] : report) {
        for (const auto& [cat, prf] : by_cat) {
            out[lang][cat] = {{"tp", prf.tp},           {"fp", prf.fp},
                              {"fn", prf.fn},           {"precision", prf.precision()},
                              {"recall", prf.recall()}, {"f1", prf.f1()}};
        }
    }
    return out;
}

nlohmann::json eval_json(const EvalFlags& flags, const ModerationSetup& setup, const EvalRun& run,
                         const bot::moderation::EvalReport& report) {
    nlohmann::json j;
    j["dataset"] = flags.dataset;
    j["messages"] = run.predictions.size();
    j["classifier"] = setup.parts.classifier_name;
    j["classifier_kind"] = setup.parts.classifier_kind;
    j["threshold"] = setup.config.moderation.threshold;
    j["report"] = report_json(report);
    j["latency_ms"] = {{"mean", mean(run.latency_ms)}, {"p95", p95(run.latency_ms)}};
    j["classifier_calls"] = {{"made", count(run, ClassifierUse::Used)},
                             {"failed", count(run, ClassifierUse::Failed)},
                             {"skipped_decisive", count(run, ClassifierUse::SkippedDecisive)},
                             {"skipped_trivial", count(run, ClassifierUse::SkippedTrivial)},
                             {"no_classifier", count(run, ClassifierUse::None)}};
    if (!run.first_error.empty()) j["first_classifier_error"] = run.first_error;
    j["cost"] = cost_json(run, setup.parts.classifier_kind, setup.config);
    return j;
}

void print_text(AppContext& ctx, const nlohmann::json& j,
                const bot::moderation::EvalReport& report) {
    auto& out = *ctx.out;
    out << fmt::format("eval: {}, {} messages, classifier {}, threshold {:.2f}\n",
                       j["dataset"].get<std::string>(), j["messages"].get<size_t>(),
                       j["classifier"].get<std::string>(), j["threshold"].get<double>());
    out << bot::moderation::format_report(report);
    std::string f1 = "f1 any:";
    for (const auto& [lang, by_cat] : report) {
        if (auto it = by_cat.find("any"); it != by_cat.end()) {
            f1 += fmt::format(" {} {:.3f}", lang, it->second.f1());
        }
    }
    out << f1 << "\n";
    const auto& calls = j["classifier_calls"];
    out << fmt::format("latency: mean {:.3f} ms, p95 {:.3f} ms\n",
                       j["latency_ms"]["mean"].get<double>(), j["latency_ms"]["p95"].get<double>());
    out << fmt::format(
        "classifier calls: {} made, {} failed, skipped {} (lexicon decisive) + {} (trivially "
        "safe), {} without a classifier\n",
        calls["made"].get<size_t>(), calls["failed"].get<size_t>(),
        calls["skipped_decisive"].get<size_t>(), calls["skipped_trivial"].get<size_t>(),
        calls["no_classifier"].get<size_t>());
    if (j.contains("first_classifier_error")) {
        out << "first classifier error: " << j["first_classifier_error"].get<std::string>() << "\n";
    }
    const auto& cost = j["cost"];
    out << fmt::format("cost per 1,000 messages: ${:.4f} API ({}); compute {:.3g} s\n",
                       cost["usd_per_1000"].get<double>(), cost["note"].get<std::string>(),
                       cost["compute_s_per_1000"].get<double>());
}

void run_eval(AppContext& ctx, EvalFlags flags) {
    if (!std::filesystem::exists(flags.dataset)) {
        report_error(ctx,
                     fmt::format("eval: the dataset {} does not exist (run from the project's root "
                                 "or pass --dataset FILE.jsonl)",
                                 flags.dataset),
                     kExitUsage);
        return;
    }
    auto data = bot::moderation::load_eval_dataset(flags.dataset);
    if (!data) {
        report_error(ctx, "eval: " + data.error().message, kExitUsage);
        return;
    }
    if (flags.limit > 0 && data->size() > flags.limit) data->resize(flags.limit);
    auto setup = setup_moderation(ctx, "eval", flags.classifier);
    if (!setup) return;
    bot::moderation::Assessor assessor(*setup->parts.lexicon, setup->parts.classifier);
    const EvalRun run = run_examples(ctx, *data, assessor, setup->config);
    const auto report = bot::moderation::evaluate(*data, run.predictions);
    const nlohmann::json j = eval_json(flags, *setup, run, report);
    if (flags.json) {
        *ctx.out << j.dump(2) << "\n";
    } else {
        print_text(ctx, j, report);
    }
    ctx.out->flush();
    if (count(run, ClassifierUse::Used) == 0 && count(run, ClassifierUse::Failed) > 0) {
        report_error(ctx, "eval: every classifier call failed: " + run.first_error, kExitFailure);
    }
}

}  // namespace

void add_eval_command(CLI::App& app, AppContext& ctx) {
    auto flags = std::make_shared<EvalFlags>();
    CLI::App* cmd = app.add_subcommand(
        "eval",
        "Score the moderation pipeline on a labelled dataset (JSON lines {\"text\",\"label\","
        "\"lang\"}): precision, recall and F1 per category and language, mean/p95 latency, "
        "classifier calls and the estimated cost per 1,000 messages");
    add_classifier_flags(cmd, flags->classifier);
    cmd->add_option("--dataset", flags->dataset,
                    std::string("The dataset (default: ") + kDefaultDataset + ", from the cwd)");
    cmd->add_option("--limit", flags->limit, "Only the first N examples (0: all)");
    cmd->add_flag("--json", flags->json, "One JSON object instead of the table");
    cmd->callback([&ctx, flags] { run_eval(ctx, *flags); });
}

}  // namespace app
