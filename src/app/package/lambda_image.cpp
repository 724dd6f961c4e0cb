// The Lambda image: the model layer, the runtime layer and the config that ties them together.
#include "app/package/lambda_image.h"

#include <filesystem>
#include <fstream>

#include "core/config.h"

namespace app::package {

namespace fs = std::filesystem;

namespace {

// The environment variable that sets a config key (so the image follows `config keys`).
std::string env_name_of(std::string_view key) {
    const core::ConfigKey* k = core::find_config_key(key);
    LG_CHECK(k != nullptr, "lambda_image: unknown config key " + std::string(key));
    return k->env_name();
}

// The model file, checked: a readable regular file that starts with GGUF's magic.
core::Result<std::string> checked_model_name(const std::string& path) {
    if (path.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "package image: --model FILE is required (a GGUF file)");
    }
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return core::fail(core::ErrorCode::NotFound,
                          "package image: model " + path + " is not a file");
    }
    char magic[4] = {};
    std::ifstream in(path, std::ios::binary);
    if (!in.read(magic, 4) || std::string_view(magic, 4) != "GGUF") {
        return core::fail(core::ErrorCode::Parse,
                          "package image: " + path + " is not a GGUF model (no GGUF magic)");
    }
    std::string name = fs::path(path).filename().string();
    if (name.empty() || name == "." || name == "..") {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "package image: cannot name the model file " + path);
    }
    return name;
}

}  // namespace

core::Result<OciImageConfig> lambda_image_config(const std::string& model_file,
                                                 const std::string& arch, const std::string& tag) {
    auto oci_arch = oci_architecture(arch);
    if (!oci_arch) return core::fail(std::move(oci_arch).error());
    const std::string task_root = std::string("/") + kImageTaskRoot;
    OciImageConfig config;
    config.architecture = *oci_arch;
    config.tag = tag;
    config.entrypoint = {task_root + "/bootstrap"};
    config.working_dir = task_root;
    config.env = {
        "LAMBDA_TASK_ROOT=" + task_root,
        env_name_of("model.backend") + "=local",
        env_name_of("model.path") + "=/" + kImageModelDir + "/" + model_file,
        // Lambda's only writable directory; the function's environment may override it.
        env_name_of("store.path") + "=/tmp/lambdagram.db",
    };
    return config;
}

core::Result<ImagePlan> plan_lambda_image(const ImageOptions& options) {
    auto model_name = checked_model_name(options.model_path);
    if (!model_name) return core::fail(std::move(model_name).error());
    auto config = lambda_image_config(*model_name, options.arch, options.tag);
    if (!config) return core::fail(std::move(config).error());

    RuntimeOptions runtime_options;
    runtime_options.binary = options.binary;
    runtime_options.arch = options.arch;
    auto runtime = collect_runtime(runtime_options);
    if (!runtime) return core::fail(std::move(runtime).error());

    ImagePlan plan;
    OciLayer model;
    model.name = "model";
    model.prefix = kImageModelDir;
    model.bundle.files.push_back(
        {.path = *model_name, .source = options.model_path, .content = {}, .mode = 0644});
    model.gzip_level = 1;  // quantized weights hardly compress; level 6 would only cost time
    plan.layers.push_back(std::move(model));

    OciLayer runtime_layer;
    runtime_layer.name = "runtime";
    runtime_layer.prefix = kImageTaskRoot;
    runtime_layer.bundle = std::move(*runtime);
    plan.layers.push_back(std::move(runtime_layer));
    plan.config = std::move(*config);
    return plan;
}

core::Result<OciImageInfo> build_lambda_image(const ImageOptions& options) {
    auto plan = plan_lambda_image(options);
    if (!plan) return core::fail(std::move(plan).error());
    return write_oci_image(options.out_dir, plan->layers, plan->config);
}

}  // namespace app::package
