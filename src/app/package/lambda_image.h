// `lambdagram package image`: the OCI image of a self-contained Lambda function. Two layers: the
// model at /opt/model/<file> first (the base, so a code change leaves its blob and digest alone
// and the registry and Lambda reuse it), then the runtime of collect_runtime() at /var/task with
// the bootstrap as Entrypoint. No base image: the runtime carries its own loader and libraries.
//   auto info = app::package::build_lambda_image({.model_path = "qwen.gguf", .out_dir = "image"});
//   // then: skopeo copy oci:image:latest
//   docker://<account>.dkr.ecr.<region>.amazonaws.com/bot:latest
#pragma once

#include <string>

#include "app/package/bundle.h"
#include "app/package/oci.h"
#include "core/result.h"

namespace app::package {

inline constexpr const char* kImageTaskRoot = "var/task";   // Lambda's LAMBDA_TASK_ROOT
inline constexpr const char* kImageModelDir = "opt/model";  // the model layer's directory

struct ImageOptions {
    std::string model_path{};  // the GGUF file (required)
    std::string out_dir = "image";
    std::string tag = "latest";
    std::string arch = "x86_64";  // Lambda's names
    std::string binary{};         // the lambdagram to ship (default: this process's)
};

// The two layers and the config, without writing anything (tests use it to vary one layer).
struct ImagePlan {
    std::vector<OciLayer> layers;  // model, runtime
    OciImageConfig config;
};
core::Result<ImagePlan> plan_lambda_image(const ImageOptions& options);

// Plans and writes the image layout into options.out_dir.
core::Result<OciImageInfo> build_lambda_image(const ImageOptions& options);

// The image's config for a model file named `model_file` at /opt/model: Entrypoint, Env
// (LAMBDAGRAM_MODEL_PATH, LAMBDAGRAM_MODEL_BACKEND=local, LAMBDAGRAM_STORE_PATH in /tmp,
// LAMBDA_TASK_ROOT), WorkingDir.
core::Result<OciImageConfig> lambda_image_config(const std::string& model_file,
                                                 const std::string& arch, const std::string& tag);

}  // namespace app::package
