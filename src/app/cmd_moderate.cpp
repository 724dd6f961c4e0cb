// `lambdagram moderate`: the moderation pipeline (normalize -> lexicon -> classifier) on
// messages from the command line or stdin, one JSON line each, and the action the strike ladder
// would take for a first offender.
#include "app/cmd_moderate.h"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/commands.h"
#include "bot/moderation/assess.h"
#include "bot/moderation/policy.h"

namespace app {
namespace {

using bot::moderation::Assessment;
using bot::moderation::Category;

struct ModerateFlags {
    ClassifierFlags classifier;
    std::string lang;  // empty: moderation.language
    std::string rules;
    std::vector<std::string> texts;
};

nlohmann::json hits_json(const Assessment& a) {
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& h : a.lexicon.hits) {
        hits.push_back({{"term", h.term},
                        {"category", bot::moderation::category_name(h.category)},
                        {"weight", h.weight},
                        {"decisive", h.decisive}});
    }
    return hits;
}

nlohmann::json message_json(std::string_view text, const Assessment& a,
                            const bot::moderation::Ladder& ladder,
                            const std::string& classifier_name) {
    nlohmann::json scores = nlohmann::json::object();
    for (Category c : bot::moderation::kCategories) {
        scores[bot::moderation::category_name(c)] = a.scores[static_cast<size_t>(c)];
    }
    nlohmann::json j;
    j["text"] = text;
    j["normalized"] = a.lexicon.normalized;
    j["lexicon_hits"] = hits_json(a);
    j["scores"] = scores;
    j["flagged"] = a.flagged;
    j["category"] = a.category ? nlohmann::json(bot::moderation::category_name(*a.category))
                               : nlohmann::json(nullptr);
    j["action"] =
        a.flagged ? bot::moderation::format_ladder({bot::moderation::step_for_strike(ladder, 1)})
                  : std::string("none");
    j["unsafe_probability"] = a.unsafe_probability;
    j["classifier"] = classifier_name;
    j["classifier_use"] = bot::moderation::classifier_use_name(a.classifier);
    if (!a.classifier_error.empty()) j["classifier_error"] = a.classifier_error;
    j["latency_ms"] = static_cast<double>(a.latency_us.count()) / 1000.0;
    return j;
}

void run_moderate(AppContext& ctx, const ModerateFlags& flags) {
    auto setup = setup_moderation(ctx, "moderate", flags.classifier);
    if (!setup) return;
    const core::Config& cfg = setup->config;
    auto ladder = bot::moderation::parse_ladder(cfg.moderation.ladder);
    if (!ladder) {
        report_error(ctx, "moderate: moderation.ladder: " + ladder.error().message, kExitUsage);
        return;
    }
    bot::moderation::Assessor assessor(*setup->parts.lexicon, setup->parts.classifier);
    bot::moderation::AssessOptions options;
    options.lang = flags.lang.empty() ? cfg.moderation.language : flags.lang;
    options.threshold = cfg.moderation.threshold;
    options.skip_trivial = cfg.moderation.skip_trivial;
    options.rules = flags.rules;
    auto one = [&](std::string_view text) {
        const auto deadline =
            core::Deadline::after(std::chrono::seconds(cfg.bot.handler_timeout_s));
        const Assessment a = assessor.assess(text, options, deadline);
        *ctx.out << message_json(text, a, *ladder, setup->parts.classifier_name)
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                 << "\n";
        ctx.out->flush();
    };
    if (!flags.texts.empty()) {
        for (const auto& t : flags.texts) one(t);
        return;
    }
    std::string line;
    while (std::getline(*ctx.in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) one(line);
    }
}

}  // namespace

void add_classifier_flags(CLI::App* cmd, ClassifierFlags& flags) {
    cmd->add_option("--classifier", flags.classifier,
                    "none (normalization and lexicon only), local, openai, openai-moderation or "
                    "auto (default: moderation.classifier)")
        ->check(CLI::IsMember({"auto", "none", "local", "openai", "openai-moderation"}));
    cmd->add_option("--model", flags.model,
                    "GGUF file (local) or the API's model name (openai); default: model.path / "
                    "model.name");
}

std::optional<ModerationSetup> setup_moderation(AppContext& ctx, const std::string& command,
                                                const ClassifierFlags& flags) {
    auto loaded = ctx.load_config_or_report();
    if (!loaded) return std::nullopt;
    ModerationSetup setup;
    setup.config = loaded->config;
    if (!flags.model.empty()) {
        (flags.classifier == "openai" ? setup.config.model.name : setup.config.model.path) =
            flags.model;
    }
    auto parts = build_moderation(setup.config, nullptr, flags.classifier);
    if (!parts) {
        report_error(
            ctx, command + ": " + parts.error().message,
            parts.error().code == core::ErrorCode::InvalidArgument ? kExitUsage : kExitFailure);
        return std::nullopt;
    }
    setup.parts = std::move(*parts);
    return setup;
}

void add_moderate_command(CLI::App& app, AppContext& ctx) {
    auto flags = std::make_shared<ModerateFlags>();
    CLI::App* cmd = app.add_subcommand(
        "moderate",
        "Run messages through the moderation pipeline (normalize, lexicon, classifier); one JSON "
        "line each: text, normalized, lexicon_hits, scores, flagged, category, action (what the "
        "ladder does to a first offender). Reads lines from stdin when no TEXT is given");
    add_classifier_flags(cmd, flags->classifier);
    cmd->add_option("--lang", flags->lang,
                    "The chat's language, e.g. en or tr (default: moderation.language)");
    cmd->add_option("--rules", flags->rules,
                    "The group's rules, appended to the classifier's "
                    "instructions");
    cmd->add_option("text", flags->texts, "Messages to moderate (default: lines of stdin)");
    cmd->callback([&ctx, flags] { run_moderate(ctx, *flags); });
}

}  // namespace app
