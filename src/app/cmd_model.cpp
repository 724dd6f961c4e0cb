// `lambdagram model info`: opens a GGUF file, describes it, prints text or JSON.
#include "app/cmd_model.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "app/commands.h"
#include "engine/gguf/gguf.h"

namespace app {
namespace {

using engine::gguf::ModelInfo;

std::string human_bytes(uint64_t n) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    size_t u = 0;
    while (v >= 1024 && u + 1 < std::size(kUnits)) {
        v /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, kUnits[u]);
}

std::string human_count(uint64_t n) {
    if (n >= 1000000000) return fmt::format("{:.2f}B", static_cast<double>(n) / 1e9);
    if (n >= 1000000) return fmt::format("{:.2f}M", static_cast<double>(n) / 1e6);
    if (n >= 1000) return fmt::format("{:.1f}K", static_cast<double>(n) / 1e3);
    return fmt::format("{}", n);
}

// A float as the double with the same shortest decimal form (1e-05, not 9.999999747378752e-06).
double shortest(float f) { return std::strtod(fmt::format("{}", f).c_str(), nullptr); }

void run_info(AppContext& ctx, const std::string& path, int n_ctx, bool json) {
    auto file = engine::gguf::GgufFile::open(path);
    if (!file) {
        report_error(ctx, file.error().message, kExitFailure);
        return;
    }
    std::optional<uint32_t> want;
    if (n_ctx > 0) want = static_cast<uint32_t>(n_ctx);
    ModelInfo info = engine::gguf::describe(*file, want);
    *ctx.out << (json ? format_model_info_json(info, path) : format_model_info_text(info, path));
}

}  // namespace

std::string format_model_info_text(const ModelInfo& info, const std::string& path) {
    std::string s = fmt::format("file:          {} ({}, GGUF v{})\n", path, human_bytes(info.file_size), info.version);
    s += fmt::format("architecture:  {}{}\n", info.arch.empty() ? "(none)" : info.arch,
                     info.name.empty() ? "" : fmt::format(" ({})", info.name));
    s += fmt::format("parameters:    {} ({}) in {} tensors, {}\n", human_count(info.n_params), info.n_params,
                     info.n_tensors, human_bytes(info.weights_bytes));
    for (const auto& t : info.types)
        s += fmt::format("  {:<8} {:>4} tensors {:>10} params {:>12}\n", engine::tensor_type_name(t.type), t.n_tensors,
                         human_count(t.n_elements), human_bytes(t.n_bytes));
    if (!info.unsupported_types.empty()) {
        std::string list;
        for (const auto& u : info.unsupported_types) list += (list.empty() ? "" : ", ") + u;
        s += fmt::format("  note: the engine cannot compute {} tensors\n", list);
    }
    if (info.hparams) {
        const auto& h = *info.hparams;
        s += fmt::format("shape:         {} layers, n_embd {}, heads {} (kv {}), head dim {}, n_ff {}\n", h.n_layer,
                         h.n_embd, h.n_head, h.n_head_kv, h.n_embd_head_k, h.n_ff);
        s += fmt::format("rope:          base {}, {} dims, scaling {}\n", h.rope_freq_base, h.n_rot,
                         engine::gguf::rope_scaling_name(h.rope_scaling));
    } else {
        s += fmt::format("shape:         unknown ({})\n", info.hparams_error);
    }
    s += fmt::format("vocabulary:    {} tokens{}\n", info.n_vocab,
                     info.tokenizer_model.empty() ? "" : fmt::format(" ({} tokenizer)", info.tokenizer_model));
    s += fmt::format("context:       {} (trained)\n", info.n_ctx_train);
    s += fmt::format("chat template: {}\n",
                     info.has_chat_template ? fmt::format("yes ({})", info.chat_template_family) : "none");
    s += fmt::format("RAM at ctx {}: {} weights + {} KV cache (F16) = {}\n", info.n_ctx, human_bytes(info.weights_bytes),
                     human_bytes(info.kv_bytes), human_bytes(info.ram_bytes));
    return s;
}

std::string format_model_info_json(const ModelInfo& info, const std::string& path) {
    nlohmann::json j;
    j["file"] = path;
    j["file_size"] = info.file_size;
    j["gguf_version"] = info.version;
    j["architecture"] = info.arch;
    j["name"] = info.name;
    j["n_params"] = info.n_params;
    j["n_tensors"] = info.n_tensors;
    j["weights_bytes"] = info.weights_bytes;
    nlohmann::json types = nlohmann::json::array();
    for (const auto& t : info.types)
        types.push_back({{"type", std::string(engine::tensor_type_name(t.type))},
                         {"n_tensors", t.n_tensors},
                         {"n_params", t.n_elements},
                         {"bytes", t.n_bytes}});
    j["tensor_types"] = types;
    j["unsupported_types"] = info.unsupported_types;
    if (info.hparams) {
        const auto& h = *info.hparams;
        j["hparams"] = {{"n_layer", h.n_layer},   {"n_embd", h.n_embd},         {"n_head", h.n_head},
                        {"n_head_kv", h.n_head_kv}, {"head_dim", h.n_embd_head_k}, {"n_ff", h.n_ff},
                        {"n_rot", h.n_rot},         {"rope_freq_base", shortest(h.rope_freq_base)},
                        {"rope_scaling", std::string(engine::gguf::rope_scaling_name(h.rope_scaling))},
                        {"norm_rms_eps", shortest(h.norm_rms_eps)}};
    } else {
        j["hparams_error"] = info.hparams_error;
    }
    j["n_vocab"] = info.n_vocab;
    j["tokenizer_model"] = info.tokenizer_model;
    j["context_length"] = info.n_ctx_train;
    j["chat_template"] = info.has_chat_template;
    j["chat_template_family"] = info.has_chat_template ? nlohmann::json(info.chat_template_family) : nlohmann::json();
    j["estimate"] = {{"n_ctx", info.n_ctx},
                     {"weights_bytes", info.weights_bytes},
                     {"kv_bytes", info.kv_bytes},
                     {"total_bytes", info.ram_bytes}};
    // Metadata strings come from an untrusted file: replace invalid UTF-8 instead of throwing.
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void add_model_command(CLI::App& app, AppContext& ctx) {
    CLI::App* model = app.add_subcommand("model", "Inspect GGUF model files");
    model->require_subcommand(1);
    CLI::App* info = model->add_subcommand(
        "info", "Architecture, parameter count, tensor types, context, chat template family and the RAM "
                "needed for the weights and an F16 KV cache");
    auto path = std::make_shared<std::string>();
    auto n_ctx = std::make_shared<int>(0);
    auto json = std::make_shared<bool>(false);
    info->add_option("file", *path, "GGUF model file")->required();
    info->add_option("--ctx", *n_ctx, "context length for the KV estimate (default: the model's, capped at 4096)")
        ->check(CLI::Range(1, 1 << 24));
    info->add_flag("--json", *json, "print JSON");
    info->callback([&ctx, path, n_ctx, json] { run_info(ctx, *path, *n_ctx, *json); });
}

}  // namespace app
