// `lambdagram cost`: flags, then the table or JSON, and the SVG file.
#include "app/cmd_cost.h"

#include <fstream>
#include <memory>
#include <ostream>

#include "app/commands.h"
#include "app/context.h"
#include "app/cost_svg.h"

namespace app {

void add_cost_options(CLI::App& cmd, CostFlags& flags) {
    CostInputs& in = flags.inputs;
    cmd.add_option("--messages", in.messages, "Messages per month (one Lambda invocation each)")
        ->capture_default_str();
    cmd.add_option("--memory-mb", in.memory_mb,
                   "Self-contained: Lambda memory in MB, 128..10240 (GB = MB / 1024)")
        ->capture_default_str();
    cmd.add_option("--duration-s", in.duration_s,
                   "Self-contained: seconds per message, up to 900")
        ->capture_default_str();
    cmd.add_option("--api-memory-mb", in.api_memory_mb, "API path: the thin client's memory in MB")
        ->capture_default_str();
    cmd.add_option("--api-duration-s", in.api_duration_s,
                   "API path: the thin client's seconds per message")
        ->capture_default_str();
    // Checked by validate_cost_inputs so the error says what to do, like every other flag.
    cmd.add_option("--arch", in.arch, "Lambda architecture: x86_64 or arm64")->capture_default_str();
    cmd.add_option("--tokens-in", in.tokens_in, "API path: prompt tokens per message")
        ->capture_default_str();
    cmd.add_option("--tokens-out", in.tokens_out, "API path: answer tokens per message")
        ->capture_default_str();
    cmd.add_option("--price-in", in.price_in, "API price, USD per million input tokens")
        ->capture_default_str();
    cmd.add_option("--price-out", in.price_out, "API price, USD per million output tokens")
        ->capture_default_str();
    cmd.add_option("--price-gb-s", in.price_gb_s,
                   "Lambda USD per GB-s (default 0.0000166667 x86_64, 0.0000133334 arm64)");
    cmd.add_option("--price-requests", in.price_requests, "Lambda USD per million requests")
        ->capture_default_str();
    cmd.add_flag("--json", flags.json, "Print JSON instead of the table");
    cmd.add_option("--svg", flags.svg_path,
                   "Also write a chart of monthly cost against messages per month to FILE")
        ->type_name("FILE");
}

int run_cost(const CostFlags& flags, std::ostream& out, std::ostream& err) {
    auto report = compute_cost(flags.inputs);
    if (!report) {
        err << report.error().message << "\n";
        return kExitUsage;
    }
    if (!flags.svg_path.empty()) {
        std::ofstream file(flags.svg_path, std::ios::binary | std::ios::trunc);
        file << render_cost_svg(*report);
        file.close();
        if (!file) {
            err << "cost: cannot write the chart to " << flags.svg_path
                << ": check that the folder exists and is writable\n";
            return kExitFailure;
        }
    }
    out << (flags.json ? format_cost_json(*report) + "\n" : format_cost_table(*report));
    if (!flags.svg_path.empty() && !flags.json) out << "\nchart written to " << flags.svg_path << "\n";
    out.flush();
    return kExitOk;
}

void add_cost_command(CLI::App& app, AppContext& ctx) {
    CLI::App* cmd = app.add_subcommand(
        "cost",
        "Compare the monthly AWS Lambda cost of a self-contained bot (local model) with the API "
        "path (thin client + token prices), after the free tier; --json, --svg FILE");
    auto flags = std::make_shared<CostFlags>();
    add_cost_options(*cmd, *flags);
    cmd->callback([&ctx, flags] {
        const int code = run_cost(*flags, *ctx.out, *ctx.err);
        if (code != kExitOk) ctx.exit_code = code;
    });
}

}  // namespace app
