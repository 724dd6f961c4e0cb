// The OCI writer: layer blobs checked by independent tools (sha256sum, gzip, tar), the layout's
// JSON (manifest, config, index), reproducibility, and the model layer's reuse across images.
#include "app/package/oci.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "app/package/lambda_image.h"
#include "app/package/layer_blob.h"
#include "app/package/scratch_dir.h"
#include "app/package/shell.h"

namespace app::package {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test_support::read_file;
using test_support::sh;
using test_support::Shell;

// `tar -tv` aligns its columns: one space between fields makes the expectations readable.
std::string squeeze(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
    }
    return out;
}

// A file of pseudo-random bytes (incompressible, like quantized weights).
fs::path random_file(const fs::path& dir, const std::string& name, size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
}

OciLayer model_layer(const fs::path& model) {
    OciLayer l;
    l.name = "model";
    l.prefix = "opt/model";
    l.bundle.files.push_back(
        {.path = model.filename().string(), .source = model.string(), .content = {}, .mode = 0644});
    l.gzip_level = 1;
    return l;
}

OciLayer runtime_layer(const std::string& version) {
    OciLayer l;
    l.name = "runtime";
    l.prefix = "var/task";
    l.bundle.files = {
        {.path = "bin/lambdagram", .source = {}, .content = "binary " + version, .mode = 0755},
        {.path = "bootstrap", .source = {}, .content = "#launcher\n", .mode = 0755},
        {.path = "lib/libc.so.6", .source = {}, .content = std::string(3000, 'c'), .mode = 0644},
    };
    return l;
}

OciImageConfig image_config(const std::string& tag = "latest") {
    OciImageConfig c;
    c.entrypoint = {"/var/task/bootstrap"};
    c.env = {"LAMBDAGRAM_MODEL_PATH=/opt/model/m.gguf", "LAMBDAGRAM_MODEL_BACKEND=local"};
    c.tag = tag;
    return c;
}

std::string blob_path(const fs::path& dir, const std::string& digest) {
    return (dir / "blobs" / "sha256" / digest.substr(7)).string();
}

TEST(Sha256Test, KnownVectors) {
    EXPECT_EQ(sha256_digest(""),
              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_digest("abc"),
              "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256 pieces;  // fed in pieces, same digest
    pieces.update("a", 1);
    pieces.update("bc", 2);
    EXPECT_EQ(pieces.finish(), sha256_digest("abc"));
}

TEST(LayerBlobTest, DigestsMatchSha256sumGzipAndTar) {
    test_support::ScratchDir scratch("oci-tools");
    const fs::path& dir = scratch.path();
    // Larger than the 1 MiB read buffer and the 256 KiB gzip buffer, not a multiple of either.
    fs::path model = random_file(dir, "m.gguf", 3 * 1024 * 1024 + 17, 1);
    auto blob = write_layer_blob((dir / "blobs").string(), model_layer(model));
    ASSERT_TRUE(blob) << blob.error().message;
    const std::string file = (dir / "blobs" / blob->digest.substr(7)).string();
    ASSERT_TRUE(fs::exists(file));
    EXPECT_EQ(fs::file_size(file), blob->size);
    EXPECT_FALSE(blob->reused);

    Shell sum = sh("sha256sum '" + file + "'");
    ASSERT_EQ(sum.status, 0) << sum.output;
    EXPECT_EQ("sha256:" + sum.output.substr(0, 64), blob->digest);
    Shell test = sh("gzip -t '" + file + "'");
    EXPECT_EQ(test.status, 0) << test.output;
    Shell diff = sh("gzip -dc '" + file + "' | sha256sum");
    EXPECT_EQ("sha256:" + diff.output.substr(0, 64), blob->diff_id);
    Shell size = sh("gzip -dc '" + file + "' | wc -c");
    EXPECT_EQ(std::stoull(size.output), blob->tar_size);

    Shell list = sh("tar --numeric-owner -tvzf '" + file + "'");
    list.output = squeeze(list.output);
    ASSERT_EQ(list.status, 0) << list.output;
    EXPECT_NE(list.output.find("drwxr-xr-x 0/0"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("-rw-r--r-- 0/0 3145745 1970-01-01 00:00 opt/model/m.gguf"),
              std::string::npos)
        << list.output;
    // Parents first, in order.
    EXPECT_LT(list.output.find(" opt/\n"), list.output.find(" opt/model/\n"));
    EXPECT_LT(list.output.find(" opt/model/\n"), list.output.find(" opt/model/m.gguf"));

    fs::path out = dir / "x";
    fs::create_directories(out);
    Shell extract = sh("tar -xzf '" + file + "' -C '" + out.string() + "'");
    ASSERT_EQ(extract.status, 0) << extract.output;
    EXPECT_EQ(read_file(out / "opt/model/m.gguf"), read_file(model));
}

TEST(LayerBlobTest, ContentFilesKeepTheirModes) {
    test_support::ScratchDir scratch("oci-modes");
    const fs::path& dir = scratch.path();
    auto blob = write_layer_blob((dir / "blobs").string(), runtime_layer("1"));
    ASSERT_TRUE(blob) << blob.error().message;
    Shell list =
        sh("tar --numeric-owner -tvzf '" + (dir / "blobs" / blob->digest.substr(7)).string() + "'");
    list.output = squeeze(list.output);
    EXPECT_NE(list.output.find("-rwxr-xr-x 0/0 10 1970-01-01 00:00 var/task/bootstrap"),
              std::string::npos)
        << list.output;
    EXPECT_NE(list.output.find("-rw-r--r-- 0/0 3000 1970-01-01 00:00 var/task/lib/libc.so.6"),
              std::string::npos)
        << list.output;
}

TEST(LayerBlobTest, SameInputSameBytesAndReuse) {
    test_support::ScratchDir scratch("oci-repro");
    const fs::path& dir = scratch.path();
    fs::path model = random_file(dir, "m.gguf", 200'000, 2);
    auto a = write_layer_blob((dir / "a").string(), model_layer(model));
    auto b = write_layer_blob((dir / "b").string(), model_layer(model));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->digest, b->digest);
    EXPECT_EQ(a->diff_id, b->diff_id);
    EXPECT_EQ(read_file(dir / "a" / a->digest.substr(7)),
              read_file(dir / "b" / b->digest.substr(7)));
    // The mtime of the source does not matter (the tar says 1970).
    fs::last_write_time(model, fs::file_time_type::clock::now() - std::chrono::hours(5));
    auto again = write_layer_blob((dir / "a").string(), model_layer(model));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->digest, a->digest);
    EXPECT_TRUE(again->reused);
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir / "a")) files += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 1u) << "no temporary file may be left behind";
}

TEST(LayerBlobTest, EntriesSortedWithParents) {
    OciLayer l = runtime_layer("1");
    EXPECT_EQ(oci_layer_entries(l),
              (std::vector<std::string>{"var/", "var/task/", "var/task/bin/",
                                        "var/task/bin/lambdagram", "var/task/bootstrap",
                                        "var/task/lib/", "var/task/lib/libc.so.6"}));
}

TEST(LayerBlobTest, BadLayersAreRefusedWithTheReason) {
    test_support::ScratchDir scratch("oci-bad");
    const fs::path& dir = scratch.path();
    struct Case {
        std::string prefix;
        std::vector<std::string> paths;
        std::string expect;
    };
    const Case cases[] = {
        {"var/task", {"../etc/passwd"}, "'../etc/passwd' must be relative"},
        {"var/task", {"/etc/passwd"}, "must be relative"},
        {"var/task", {"a//b"}, "must be relative"},
        {"var/task", {"a/"}, "must be relative"},
        {"/var/task", {"a"}, "prefix '/var/task'"},
        {"var/task", {"a", "a"}, "var/task/a appears twice"},
        {"var/task", {"lib", "lib/x"}, "var/task/lib is both a file and a directory"},
    };
    for (const Case& c : cases) {
        OciLayer l;
        l.name = "runtime";
        l.prefix = c.prefix;
        for (const auto& p : c.paths)
            l.bundle.files.push_back({.path = p, .source = {}, .content = "x", .mode = 0644});
        auto r = write_layer_blob((dir / "blobs").string(), l);
        ASSERT_FALSE(r) << c.paths[0];
        EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    }
    OciLayer missing;
    missing.name = "model";
    missing.bundle.files.push_back(
        {.path = "m.gguf", .source = (dir / "nope.gguf").string(), .content = {}, .mode = 0644});
    auto r = write_layer_blob((dir / "blobs").string(), missing);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("nope.gguf (for m.gguf) is not a readable file"),
              std::string::npos)
        << r.error().message;
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir / "blobs"))
        files += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 0u) << "a failed layer leaves no blob";
}

TEST(OciImageTest, LayoutManifestConfigAndIndex) {
    test_support::ScratchDir scratch("oci-layout");
    const fs::path& dir = scratch.path();
    fs::path model = random_file(dir, "m.gguf", 100'000, 3);
    fs::path out = dir / "image";
    auto info =
        write_oci_image(out.string(), {model_layer(model), runtime_layer("1")}, image_config());
    ASSERT_TRUE(info) << info.error().message;

    EXPECT_EQ(json::parse(read_file(out / "oci-layout")),
              json::parse(R"({"imageLayoutVersion":"1.0.0"})"));
    json index = json::parse(read_file(out / "index.json"));
    ASSERT_EQ(index["manifests"].size(), 1u);
    const json& entry = index["manifests"][0];
    EXPECT_EQ(entry["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    EXPECT_EQ(entry["digest"], info->manifest_digest);
    EXPECT_EQ(entry["annotations"]["org.opencontainers.image.ref.name"], "latest");
    EXPECT_EQ(entry["platform"]["architecture"], "amd64");

    // Every blob's name is the sha256 of its bytes and its size is what the referrer says.
    const std::string manifest_text = read_file(blob_path(out, info->manifest_digest));
    EXPECT_EQ(sha256_digest(manifest_text), info->manifest_digest);
    EXPECT_EQ(entry["size"], manifest_text.size());
    json manifest = json::parse(manifest_text);
    EXPECT_EQ(manifest["schemaVersion"], 2);
    EXPECT_EQ(manifest["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
    const std::string config_text = read_file(blob_path(out, manifest["config"]["digest"]));
    EXPECT_EQ(sha256_digest(config_text), manifest["config"]["digest"]);
    EXPECT_EQ(manifest["config"]["size"], config_text.size());
    ASSERT_EQ(manifest["layers"].size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        const json& l = manifest["layers"][i];
        EXPECT_EQ(l["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
        EXPECT_EQ(l["digest"], info->layers[i].digest);
        EXPECT_EQ(l["size"], fs::file_size(blob_path(out, l["digest"])));
    }
    EXPECT_EQ(info->layers[0].name, "model") << "the model is the base layer";

    json config = json::parse(config_text);
    EXPECT_EQ(config["architecture"], "amd64");
    EXPECT_EQ(config["os"], "linux");
    EXPECT_EQ(config["config"]["Entrypoint"], json::array({"/var/task/bootstrap"}));
    EXPECT_EQ(config["config"]["WorkingDir"], "/var/task");
    EXPECT_EQ(config["config"]["Env"][0], "LAMBDAGRAM_MODEL_PATH=/opt/model/m.gguf");
    EXPECT_EQ(config["rootfs"]["type"], "layers");
    EXPECT_EQ(config["rootfs"]["diff_ids"],
              json::array({info->layers[0].diff_id, info->layers[1].diff_id}));
    EXPECT_EQ(config["history"].size(), 2u);
    Shell diff = sh("gzip -dc '" + blob_path(out, info->layers[1].digest) + "' | sha256sum");
    EXPECT_EQ("sha256:" + diff.output.substr(0, 64), info->layers[1].diff_id);

    uint64_t total = 0;
    for (const auto& e : fs::directory_iterator(out / "blobs" / "sha256")) total += e.file_size();
    EXPECT_EQ(total, info->total_size);
}

TEST(OciImageTest, ACodeChangeReusesTheModelLayer) {
    test_support::ScratchDir scratch("oci-reuse");
    const fs::path& dir = scratch.path();
    fs::path model = random_file(dir, "m.gguf", 300'000, 4);
    fs::path out = dir / "image";
    auto v1 =
        write_oci_image(out.string(), {model_layer(model), runtime_layer("1")}, image_config("v1"));
    auto v2 =
        write_oci_image(out.string(), {model_layer(model), runtime_layer("2")}, image_config("v2"));
    ASSERT_TRUE(v1 && v2);
    EXPECT_EQ(v1->layers[0].digest, v2->layers[0].digest) << "same model, same base layer";
    EXPECT_TRUE(v2->layers[0].reused);
    EXPECT_NE(v1->layers[1].digest, v2->layers[1].digest);
    EXPECT_NE(v1->manifest_digest, v2->manifest_digest);
    // A fresh directory gives the identical model blob too (what a registry compares).
    auto fresh = write_oci_image((dir / "other").string(), {model_layer(model), runtime_layer("3")},
                                 image_config());
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->layers[0].digest, v1->layers[0].digest);

    // Both tags are in the index; writing v1 again replaces its entry, byte-identical manifest.
    auto v1_again =
        write_oci_image(out.string(), {model_layer(model), runtime_layer("1")}, image_config("v1"));
    ASSERT_TRUE(v1_again);
    EXPECT_EQ(v1_again->manifest_digest, v1->manifest_digest);
    json index = json::parse(read_file(out / "index.json"));
    ASSERT_EQ(index["manifests"].size(), 2u);
    EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "v2");
    EXPECT_EQ(index["manifests"][1]["annotations"]["org.opencontainers.image.ref.name"], "v1");
}

TEST(OciImageTest, BadConfigAndArchitectures) {
    test_support::ScratchDir scratch("oci-badconfig");
    const fs::path& dir = scratch.path();
    auto no_layers = write_oci_image((dir / "a").string(), {}, image_config());
    ASSERT_FALSE(no_layers);
    EXPECT_NE(no_layers.error().message.find("at least one layer"), std::string::npos);
    auto bad_tag = write_oci_image((dir / "a").string(), {runtime_layer("1")}, image_config("a:b"));
    ASSERT_FALSE(bad_tag);
    EXPECT_NE(bad_tag.error().message.find("tag 'a:b' is not valid"), std::string::npos);

    fs::create_directories(dir / "junk");
    std::ofstream(dir / "junk" / "index.json") << "not json";
    auto junk = write_oci_image((dir / "junk").string(), {runtime_layer("1")}, image_config());
    ASSERT_FALSE(junk);
    EXPECT_NE(junk.error().message.find("is not an OCI index"), std::string::npos);

    EXPECT_EQ(*oci_architecture("x86_64"), "amd64");
    EXPECT_EQ(*oci_architecture("arm64"), "arm64");
    auto bad = oci_architecture("riscv64");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("use x86_64 or arm64"), std::string::npos);
}

TEST(LambdaImageTest, ConfigPointsTheBotAtTheModelLayer) {
    auto c = lambda_image_config("qwen.gguf", "x86_64", "v1");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->entrypoint, std::vector<std::string>{"/var/task/bootstrap"});
    EXPECT_EQ(c->working_dir, "/var/task");
    EXPECT_EQ(c->architecture, "amd64");
    EXPECT_EQ(c->tag, "v1");
    EXPECT_EQ(c->env, (std::vector<std::string>{"LAMBDA_TASK_ROOT=/var/task",
                                                "LAMBDAGRAM_MODEL_BACKEND=local",
                                                "LAMBDAGRAM_MODEL_PATH=/opt/model/qwen.gguf",
                                                "LAMBDAGRAM_STORE_PATH=/tmp/lambdagram.db"}));
    EXPECT_EQ(lambda_image_config("q.gguf", "arm64", "latest")->architecture, "arm64");
    EXPECT_FALSE(lambda_image_config("q.gguf", "s390x", "latest"));
}

TEST(LambdaImageTest, TheModelMustBeAGgufFile) {
    test_support::ScratchDir scratch("oci-model");
    const fs::path& dir = scratch.path();
    std::ofstream(dir / "notes.txt") << "not a model";
    struct Case {
        std::string model;
        std::string expect;
    };
    const Case cases[] = {
        {"", "--model FILE is required"},
        {(dir / "missing.gguf").string(), "missing.gguf is not a file"},
        {dir.string(), "is not a file"},
        {(dir / "notes.txt").string(), "notes.txt is not a GGUF model"},
    };
    for (const Case& c : cases) {
        auto plan = plan_lambda_image({.model_path = c.model, .out_dir = (dir / "out").string()});
        ASSERT_FALSE(plan) << c.model;
        EXPECT_NE(plan.error().message.find(c.expect), std::string::npos) << plan.error().message;
    }
    EXPECT_FALSE(fs::exists(dir / "out")) << "nothing is written for a bad model";
}

}  // namespace
}  // namespace app::package
