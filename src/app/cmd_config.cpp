// `lambdagram config check` and `lambdagram config keys`.
#include <fmt/format.h>

#include "app/commands.h"
#include "core/config.h"

namespace app {

namespace {

void run_check(AppContext& ctx) {
    std::vector<std::string> errors;
    ConfigRequest req = ctx.config_request(&errors);
    LoadedConfig loaded = load_config(req);
    register_config_secrets(loaded.config);
    errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());

    *ctx.out << format_effective_config(loaded);
    for (const auto& w : loaded.warnings) *ctx.err << "warning: " << w << "\n";
    if (loaded.config.telegram.token.empty()) {
        *ctx.out << "note: telegram.token is empty: `poll` and `webhook` need it (set "
                    "TELEGRAM_TOKEN); `console` does not\n";
    }
    if (!errors.empty()) {
        for (const auto& e : errors) *ctx.err << e << "\n";
        *ctx.err << fmt::format("config: {} error{}\n", errors.size(),
                                errors.size() == 1 ? "" : "s");
        ctx.exit_code = kExitUsage;
        return;
    }
    *ctx.out << "config: ok\n";
}

std::string env_list(const core::ConfigKey& key) {
    std::string out;
    for (const auto& name : key.env_names()) out += (out.empty() ? "" : ", ") + name;
    return out;
}

std::string default_shown(const core::ConfigKey& key) {
    if (key.default_value.empty()) return "(empty)";
    if (key.default_value.size() > 40) return "(see docs/configuration.md)";
    return key.default_value;
}

void run_keys(AppContext& ctx, bool markdown) {
    if (markdown) {
        *ctx.out << "| key | type | default | environment | secret | what it is |\n";
        *ctx.out << "|---|---|---|---|---|---|\n";
        for (const auto& k : core::config_keys()) {
            *ctx.out << fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", k.name,
                                    core::config_type_name(k.type),
                                    k.default_value.empty() || k.default_value.size() > 40
                                        ? default_shown(k)
                                        : "`" + k.default_value + "`",
                                    env_list(k), k.secret ? "yes" : "", k.help);
        }
        return;
    }
    for (const auto& k : core::config_keys()) {
        *ctx.out << fmt::format("{}  ({}{}, default {})\n    env: {}\n    {}\n", k.name,
                                core::config_type_name(k.type), k.secret ? ", secret" : "",
                                default_shown(k), env_list(k), k.help);
    }
}

}  // namespace

void add_config_command(CLI::App& app, AppContext& ctx) {
    CLI::App* config = app.add_subcommand("config", "Check or list the configuration");
    config->require_subcommand(1);

    CLI::App* check = config->add_subcommand(
        "check",
        "Print the effective configuration (each key, its value and where it came from; secrets "
        "as ***); exit 0 when valid, 2 with the errors otherwise");
    check->callback([&ctx] { run_check(ctx); });

    CLI::App* keys = config->add_subcommand(
        "keys",
        "List every configuration key with its type, default, environment variables "
        "and meaning");
    auto markdown = std::make_shared<bool>(false);
    keys->add_flag("--markdown", *markdown, "As a Markdown table (docs/configuration.md)");
    keys->callback([&ctx, markdown] { run_keys(ctx, *markdown); });
}

}  // namespace app
