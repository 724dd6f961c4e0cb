// An OCI image layout (https://github.com/opencontainers/image-spec) written without Docker: one
// gzip'd tar layer per Bundle, the image config, the manifest and index.json, in a directory that
// `skopeo copy oci:DIR:TAG docker://...` pushes to ECR. Reproducible: fixed mtimes, owners and
// order, so the same files give the same digests and an unchanged layer (the model, placed first)
// is reused by registries and by Lambda after a code change. Files are streamed, never loaded.
//   auto info = app::package::write_oci_image("image", {model_layer, runtime_layer}, config);
//   if (info) std::cout << info->manifest_digest;   // "sha256:..."
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/package/bundle.h"
#include "core/result.h"

namespace app::package {

// One layer: the files of `bundle`, placed under `prefix` in the image's root.
struct OciLayer {
    std::string name{};    // for the history and messages: "model", "runtime"
    std::string prefix{};  // relative, no leading '/': "opt/model", "var/task"; empty for the root
    Bundle bundle{};
    int gzip_level = 6;  // 1 for data that hardly compresses (quantized weights): 5x faster
};

struct OciImageConfig {
    std::vector<std::string> entrypoint{};  // {"/var/task/bootstrap"}
    std::vector<std::string> cmd{};
    std::vector<std::string> env{};  // "KEY=VALUE"
    std::string working_dir = "/var/task";
    std::string architecture = "amd64";  // OCI's names (GOARCH): amd64, arm64
    std::string os = "linux";
    std::string tag = "latest";  // org.opencontainers.image.ref.name in index.json
    std::string created = "1970-01-01T00:00:00Z";  // fixed: a date would change every digest
};

struct OciLayerInfo {
    std::string name;
    std::string digest;   // "sha256:<hex>" of the gzip'd blob
    std::string diff_id;  // "sha256:<hex>" of the uncompressed tar
    uint64_t size = 0;    // of the blob
    uint64_t tar_size = 0;
    bool reused = false;  // the blob was already in out_dir (identical bytes)
};

struct OciImageInfo {
    std::string manifest_digest;
    uint64_t manifest_size = 0;
    std::string config_digest;
    std::vector<OciLayerInfo> layers;  // in image order, base first
    uint64_t total_size = 0;           // manifest + config + layer blobs
};

// Writes (or adds to) the image layout in `out_dir`: blobs already there are kept, index.json
// keeps the manifests of other tags and replaces the one named config.tag.
core::Result<OciImageInfo> write_oci_image(const std::string& out_dir,
                                           const std::vector<OciLayer>& layers,
                                           const OciImageConfig& config);

// Lambda's architecture names to OCI's: "x86_64" -> "amd64", "arm64" -> "arm64".
core::Result<std::string> oci_architecture(std::string_view lambda_arch);

// The layout of the tar inside a layer (for tests and tools): the sorted entries of the bundle
// under `prefix`, with a directory entry for every parent, as "path" or "path/" for directories.
std::vector<std::string> oci_layer_entries(const OciLayer& layer);

}  // namespace app::package
