// The OCI image layout around the layer blobs: image config, manifest, index.json, oci-layout.
//
//   DIR/oci-layout              {"imageLayoutVersion":"1.0.0"}
//   DIR/index.json              manifests by tag (org.opencontainers.image.ref.name)
//   DIR/blobs/sha256/<manifest> config + layers (base first), by digest and size
//   DIR/blobs/sha256/<config>   architecture, os, Entrypoint/Env/WorkingDir, rootfs.diff_ids
//   DIR/blobs/sha256/<layer>... gzip'd tars (layer_blob.h)
#include "app/package/oci.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/package/layer_blob.h"

namespace app::package {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kConfigType = "application/vnd.oci.image.config.v1+json";
constexpr const char* kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr const char* kIndexType = "application/vnd.oci.image.index.v1+json";
constexpr const char* kRefName = "org.opencontainers.image.ref.name";

// Replaces `path` with `text` in one rename, so a reader never sees half a file.
core::Status write_file_atomically(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) return core::fail(core::ErrorCode::Io, "oci: cannot write " + tmp);
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec)
        return core::fail(core::ErrorCode::Io, "oci: cannot write " + path + ": " + ec.message());
    return core::ok();
}

json image_config_json(const OciImageConfig& config, const std::vector<OciLayerInfo>& layers) {
    json runtime = json::object();
    if (!config.entrypoint.empty()) runtime["Entrypoint"] = config.entrypoint;
    if (!config.cmd.empty()) runtime["Cmd"] = config.cmd;
    if (!config.env.empty()) runtime["Env"] = config.env;
    if (!config.working_dir.empty()) runtime["WorkingDir"] = config.working_dir;
    json diff_ids = json::array();
    json history = json::array();
    for (const OciLayerInfo& l : layers) {
        diff_ids.push_back(l.diff_id);
        history.push_back({{"created", config.created},
                           {"created_by", "lambdagram package image (" + l.name + " layer)"}});
    }
    return {{"created", config.created},
            {"architecture", config.architecture},
            {"os", config.os},
            {"config", runtime},
            {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
            {"history", history}};
}

json manifest_json(const std::string& config_digest, size_t config_size,
                   const std::vector<OciLayerInfo>& layers) {
    json layer_list = json::array();
    for (const OciLayerInfo& l : layers) {
        layer_list.push_back({{"mediaType", kLayerType}, {"digest", l.digest}, {"size", l.size}});
    }
    return {
        {"schemaVersion", 2},
        {"mediaType", kManifestType},
        {"config", {{"mediaType", kConfigType}, {"digest", config_digest}, {"size", config_size}}},
        {"layers", layer_list}};
}

// index.json with the manifests of other tags kept and `tag`'s replaced by `entry`.
core::Result<std::string> updated_index(const std::string& path, const std::string& tag,
                                        const json& entry) {
    json manifests = json::array();
    std::ifstream in(path, std::ios::binary);
    if (in) {
        std::stringstream text;
        text << in.rdbuf();
        json old = json::parse(text.str(), nullptr, false);
        if (old.is_discarded() || !old.is_object() || !old.contains("manifests") ||
            !old["manifests"].is_array()) {
            return core::fail(core::ErrorCode::Parse,
                              "oci: " + path +
                                  " is not an OCI index: choose an empty --out "
                                  "directory or remove it");
        }
        for (const json& m : old["manifests"]) {
            bool same_tag = m.is_object() && m.contains("annotations") &&
                            m["annotations"].is_object() &&
                            m["annotations"].value(kRefName, "") == tag;
            if (!same_tag) manifests.push_back(m);
        }
    }
    manifests.push_back(entry);
    json index = {{"schemaVersion", 2}, {"mediaType", kIndexType}, {"manifests", manifests}};
    return index.dump(2) + "\n";
}

core::Status check_config(const OciImageConfig& config, const std::vector<OciLayer>& layers) {
    if (layers.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "oci: an image needs at least one layer");
    }
    if (config.tag.empty() || config.tag.size() > 128 ||
        config.tag.find_first_of("/: \t\n") != std::string::npos) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "oci: tag '" + config.tag +
                              "' is not valid: use letters, digits, '.', '_' or '-', e.g. latest");
    }
    if (config.architecture.empty() || config.os.empty()) {
        return core::fail(core::ErrorCode::InvalidArgument, "oci: architecture and os must be set");
    }
    return core::ok();
}

}  // namespace

core::Result<std::string> oci_architecture(std::string_view lambda_arch) {
    if (lambda_arch == "x86_64" || lambda_arch == "amd64") return std::string("amd64");
    if (lambda_arch == "arm64" || lambda_arch == "aarch64") return std::string("arm64");
    return core::fail(core::ErrorCode::InvalidArgument,
                      "oci: architecture '" + std::string(lambda_arch) +
                          "' is not one Lambda runs: use x86_64 or arm64");
}

core::Result<OciImageInfo> write_oci_image(const std::string& out_dir,
                                           const std::vector<OciLayer>& layers,
                                           const OciImageConfig& config) {
    LG_TRY(check_config(config, layers));
    const std::string blobs = out_dir + "/blobs/sha256";
    std::error_code ec;
    fs::create_directories(blobs, ec);
    if (ec)
        return core::fail(core::ErrorCode::Io, "oci: cannot create " + blobs + ": " + ec.message());

    OciImageInfo info;
    for (const OciLayer& layer : layers) {
        auto blob = write_layer_blob(blobs, layer);
        if (!blob) return core::fail(std::move(blob).error());
        info.total_size += blob->size;
        info.layers.push_back(std::move(*blob));
    }
    const std::string config_text = image_config_json(config, info.layers).dump();
    auto config_digest = write_bytes_blob(blobs, config_text);
    if (!config_digest) return core::fail(std::move(config_digest).error());
    info.config_digest = *config_digest;

    const std::string manifest_text =
        manifest_json(info.config_digest, config_text.size(), info.layers).dump();
    auto manifest_digest = write_bytes_blob(blobs, manifest_text);
    if (!manifest_digest) return core::fail(std::move(manifest_digest).error());
    info.manifest_digest = *manifest_digest;
    info.manifest_size = manifest_text.size();
    info.total_size += config_text.size() + manifest_text.size();

    json entry = {{"mediaType", kManifestType},
                  {"digest", info.manifest_digest},
                  {"size", info.manifest_size},
                  {"platform", {{"architecture", config.architecture}, {"os", config.os}}},
                  {"annotations", {{kRefName, config.tag}}}};
    auto index = updated_index(out_dir + "/index.json", config.tag, entry);
    if (!index) return core::fail(std::move(index).error());
    LG_TRY(write_file_atomically(out_dir + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n"));
    LG_TRY(write_file_atomically(out_dir + "/index.json", *index));
    return info;
}

}  // namespace app::package
