// `lambdagram package`: `lambda` gathers the runtime (collect_runtime) and writes the zip after
// checking Lambda's 250 MB unpacked limit; `image` writes the OCI image (build_lambda_image). Both
// print the sizes and the commands that come next.
#include "app/cmd_package.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "app/commands.h"
#include "app/package/bundle.h"
#include "app/package/lambda_image.h"
#include "app/package/zip.h"

namespace app {

namespace {

namespace fs = std::filesystem;

struct PackageArgs {
    std::string arch = "x86_64";
    std::string out;     // default per subcommand
    std::string model;   // --model FILE
    std::string binary;  // --binary FILE (default: this executable)
    std::string tag = "latest";
};

std::string mb(uint64_t bytes) {
    return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

// The message for a zip that Lambda would refuse.
std::string too_big_message(uint64_t unpacked, const std::string& model) {
    std::string msg = fmt::format(
        "package: the function would be {} unpacked, over Lambda's limit of {} for a zip",
        mb(unpacked), mb(package::kLambdaUnzippedLimit));
    if (!model.empty()) {
        msg += fmt::format(
            ": use `lambdagram package image --model {}` instead (container images take up to "
            "10 GB; docs/deploy.md)",
            model);
    }
    return msg;
}

void print_zip_next_steps(std::ostream& out, const PackageArgs& args, const std::string& zip) {
    std::string model_env;
    if (!args.model.empty()) {
        model_env = ",LAMBDAGRAM_MODEL_BACKEND=local,LAMBDAGRAM_MODEL_PATH=/var/task/model/" +
                    fs::path(args.model).filename().string();
    }
    out << "next steps (docs/deploy.md):\n"
        << "  sam deploy --guided --template-file deploy/template.yaml   # or, by hand:\n"
        << "  aws lambda create-function --function-name lambdagram --runtime provided.al2023 \\\n"
        << "    --architectures " << args.arch << " --handler bootstrap --zip-file fileb://" << zip
        << " \\\n"
        << "    --role arn:aws:iam::ACCOUNT:role/ROLE --memory-size 1024 --timeout 60 \\\n"
        << "    --environment 'Variables={TELEGRAM_TOKEN=...,TELEGRAM_WEBHOOK_SECRET=...,"
        << "LAMBDAGRAM_STORE_PATH=/tmp/lambdagram.db" << model_env << "}'\n"
        << "  aws lambda create-function-url-config --function-name lambdagram --auth-type NONE\n"
        << "  lambdagram webhook set --url FUNCTION_URL --secret auto\n";
}

void run_package_lambda(AppContext& ctx, const PackageArgs& args) {
    std::string out_path = args.out.empty() ? "function.zip" : args.out;
    auto bundle = package::collect_runtime(
        {.binary = args.binary, .model_path = args.model, .arch = args.arch});
    if (!bundle) {
        bool usage = bundle.error().code == core::ErrorCode::InvalidArgument;
        report_error(ctx, bundle.error().message, usage ? kExitUsage : kExitFailure);
        return;
    }
    auto unpacked = package::unpacked_size(*bundle);
    if (!unpacked) {
        report_error(ctx, unpacked.error().message, kExitFailure);
        return;
    }
    if (*unpacked > package::kLambdaUnzippedLimit) {
        report_error(ctx, too_big_message(*unpacked, args.model), kExitUsage);
        return;
    }
    auto stats = package::write_zip(*bundle, out_path);
    if (!stats) {
        report_error(ctx, stats.error().message, kExitFailure);
        return;
    }
    *ctx.out << fmt::format(
        "wrote {}: {} ({} unpacked, {} files; limit {}), runtime "
        "provided.al2023, {}\n",
        out_path, mb(stats->zip_bytes), mb(stats->unzipped_bytes), stats->files,
        mb(package::kLambdaUnzippedLimit), args.arch);
    print_zip_next_steps(*ctx.out, args, out_path);
    ctx.exit_code = kExitOk;
}

void run_package_image(AppContext& ctx, const PackageArgs& args) {
    package::ImageOptions opts;
    opts.model_path = args.model;
    opts.out_dir = args.out.empty() ? "image" : args.out;
    opts.tag = args.tag;
    opts.arch = args.arch;
    opts.binary = args.binary;
    auto info = package::build_lambda_image(opts);
    if (!info) {
        bool usage = info.error().code == core::ErrorCode::InvalidArgument;
        report_error(ctx, info.error().message, usage ? kExitUsage : kExitFailure);
        return;
    }
    *ctx.out << fmt::format("wrote the OCI image layout {} (tag {}): {}, manifest {}\n",
                            opts.out_dir, opts.tag, mb(info->total_size), info->manifest_digest);
    for (const package::OciLayerInfo& layer : info->layers) {
        *ctx.out << fmt::format("  layer {:<8} {} {}{}\n", layer.name, mb(layer.size), layer.digest,
                                layer.reused ? " (unchanged, reused)" : "");
    }
    *ctx.out << "next steps (docs/deploy.md):\n"
             << "  aws ecr get-login-password | skopeo login --username AWS --password-stdin "
                "ACCOUNT.dkr.ecr.REGION.amazonaws.com\n"
             << "  skopeo copy oci:" << opts.out_dir << ":" << opts.tag
             << " docker://ACCOUNT.dkr.ecr.REGION.amazonaws.com/lambdagram:" << opts.tag << "\n"
             << "  sam deploy --guided --template-file deploy/template.yaml "
                "--parameter-overrides PackageType=Image ImageUri=...\n"
             << "  lambdagram webhook set --url FUNCTION_URL --secret auto\n";
    ctx.exit_code = kExitOk;
}

void add_common_options(CLI::App* cmd, PackageArgs& args) {
    cmd->add_option("--arch", args.arch, "Lambda architecture: x86_64 (default) or arm64")
        ->check(CLI::IsMember({"x86_64", "arm64"}));
    cmd->add_option("--binary", args.binary,
                    "The lambdagram executable to ship (default: this one)");
}

}  // namespace

void add_package_command(CLI::App& app, AppContext& ctx) {
    auto args = std::make_shared<PackageArgs>();
    CLI::App* cmd = app.add_subcommand(
        "package", "Package this binary for AWS Lambda: a function zip or an OCI image");
    cmd->require_subcommand(1);

    CLI::App* zip = cmd->add_subcommand(
        "lambda",
        "Write the function zip for the provided.al2023 runtime: bootstrap, lambdagram and the "
        "libraries and loader it needs (250 MB unpacked at most)");
    add_common_options(zip, *args);
    zip->add_option("--out", args->out, "The zip to write (default function.zip)");
    zip->add_option("--model", args->model, "A GGUF model to include at /var/task/model/")
        ->check(CLI::ExistingFile);
    zip->callback([&ctx, args] { run_package_lambda(ctx, *args); });

    CLI::App* image = cmd->add_subcommand(
        "image",
        "Write an OCI image layout (no Docker needed) with the model in its own layer, for "
        "`skopeo copy` to ECR");
    add_common_options(image, *args);
    image->add_option("--model", args->model, "The GGUF model (its own layer, first)")
        ->required()
        ->check(CLI::ExistingFile);
    image->add_option("--out", args->out, "The image layout directory (default image)");
    image->add_option("--tag", args->tag, "The image tag (default latest)");
    image->callback([&ctx, args] { run_package_image(ctx, *args); });
}

}  // namespace app
