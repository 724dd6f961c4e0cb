// `package image` end to end: the image of the built lambdagram and a small model, accepted by
// real tools from Debian (skopeo inspect and copy, which checks every blob's digest; umoci unpack),
// and the unpacked rootfs answering the sample Function URL event under the Runtime API emulator,
// chroot'ed into nothing but the image's files. Tools missing: one line and a skip, except under
// CI=true (scripts/setup installs them), where it is a failure.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/package/lambda_image.h"
#include "app/package/run_in_root.h"
#include "app/package/scratch_dir.h"
#include "app/package/shell.h"
#include "engine/gguf/synthetic.h"
#include "support/fake_bot_api.h"

namespace app::package {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSecret = "change-me-to-your-webhook-secret";  // examples/events' header

using test_support::read_file;
using test_support::sh;
using test_support::Shell;

bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

// Skips (or fails under CI=true) when `tool` is not installed.
#define REQUIRE_TOOL(tool)                                                                   \
    do {                                                                                     \
        if (sh("command -v " tool).status != 0) {                                            \
            if (in_ci()) FAIL() << tool " is missing: scripts/setup installs it under CI";   \
            GTEST_SKIP() << "SKIPPED: " tool " is not installed (apt-get install " tool ")"; \
        }                                                                                    \
    } while (0)

// One image for the whole suite: the built lambdagram and a synthetic 64-wide model.
class ImageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        scratch_ = new test_support::ScratchDir("image");
        const fs::path& dir = scratch_->path();
        engine::gguf::SyntheticModelSpec spec;
        spec.type = engine::TensorType::Q8_0;
        model_ = (dir / "tiny.gguf").string();
        core::Status written = engine::gguf::write_synthetic_model(spec, model_);
        ASSERT_TRUE(written) << written.error().message;
        ImageOptions options;
        options.model_path = model_;
        options.out_dir = (dir / "image").string();
        options.tag = "test";
        options.binary = LG_BINARY_DIR "/lambdagram";
        info_ = new core::Result<OciImageInfo>(build_lambda_image(options));
    }
    static void TearDownTestSuite() {
        delete info_;
        delete scratch_;
        info_ = nullptr;
        scratch_ = nullptr;
    }
    // Each test is its own process under ctest, so the suite's image is built once per test:
    // keep the tests few.
    void SetUp() override {
        ASSERT_TRUE(info_ && *info_) << (info_ ? info_->error().message : "no image");
        ASSERT_EQ(info().layers.size(), 2u);
        EXPECT_EQ(info().layers[0].name, "model") << "the model is the base layer";
        EXPECT_EQ(info().layers[1].name, "runtime");
        EXPECT_GT(info().layers[0].tar_size, fs::file_size(model_));
    }

    static fs::path dir() { return scratch_->path(); }
    static std::string image() { return (scratch_->path() / "image").string(); }
    static const OciImageInfo& info() { return **info_; }

    static test_support::ScratchDir* scratch_;
    static std::string model_;
    static core::Result<OciImageInfo>* info_;
};

test_support::ScratchDir* ImageTest::scratch_ = nullptr;
std::string ImageTest::model_;
core::Result<OciImageInfo>* ImageTest::info_ = nullptr;

TEST_F(ImageTest, SkopeoInspectsAndCopiesIt) {
    std::printf("image: model layer %llu bytes, runtime layer %llu bytes, total %llu bytes\n",
                static_cast<unsigned long long>(info().layers[0].size),
                static_cast<unsigned long long>(info().layers[1].size),
                static_cast<unsigned long long>(info().total_size));
    REQUIRE_TOOL("skopeo");
    Shell inspect = sh("skopeo inspect oci:" + image() + ":test");
    ASSERT_EQ(inspect.status, 0) << inspect.output;
    json j = json::parse(inspect.output, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << inspect.output;
    EXPECT_EQ(j["Digest"], info().manifest_digest);
    EXPECT_EQ(j["Architecture"], "amd64");
    EXPECT_EQ(j["Os"], "linux");
    EXPECT_EQ(j["Layers"], json::array({info().layers[0].digest, info().layers[1].digest}));
    bool has_model_path = false;
    for (const auto& e : j["Env"])
        has_model_path |=
            e.get<std::string>().rfind("LAMBDAGRAM_MODEL_PATH=/opt/model/tiny.gguf", 0) == 0;
    EXPECT_TRUE(has_model_path) << j["Env"].dump();
    std::printf("skopeo inspect: Digest %s, %zu layers\n", j["Digest"].get<std::string>().c_str(),
                j["Layers"].size());

    // A copy reads every blob and checks it against its digest and size.
    Shell copy =
        sh("skopeo copy --quiet oci:" + image() + ":test dir:" + (dir() / "copied").string());
    EXPECT_EQ(copy.status, 0) << copy.output;
}

TEST_F(ImageTest, UmociUnpacksItAndTheRootfsAnswersTheSampleEvent) {
    REQUIRE_TOOL("umoci");
    const fs::path bundle = dir() / "bundle";
    std::string rootless = geteuid() == 0 ? "" : " --rootless";
    Shell unpack =
        sh("umoci unpack" + rootless + " --image " + image() + ":test " + bundle.string());
    ASSERT_EQ(unpack.status, 0) << unpack.output;
    const fs::path rootfs = bundle / "rootfs";
    EXPECT_TRUE(fs::exists(rootfs / "var/task/bootstrap"));
    EXPECT_EQ(read_file(rootfs / "opt/model/tiny.gguf"), read_file(model_));

    json spec = json::parse(read_file(bundle / "config.json"));
    std::vector<std::string> argv = spec["process"]["args"].get<std::vector<std::string>>();
    EXPECT_EQ(argv, std::vector<std::string>{"/var/task/bootstrap"});
    EXPECT_EQ(spec["process"]["cwd"], "/var/task");

    if (std::string why = test_support::RootRun::skip_reason(); !why.empty()) GTEST_SKIP() << why;
    test_support::FakeBotApi tg;
    test_support::RootRunOptions options;
    options.root = rootfs.string();
    options.argv = argv;
    options.env = spec["process"]["env"].get<std::vector<std::string>>();  // the image's Env
    options.env.push_back("TELEGRAM_TOKEN=" + tg.token());
    options.env.push_back("TELEGRAM_API_URL=" + tg.url());
    options.env.push_back(std::string("TELEGRAM_WEBHOOK_SECRET=") + kSecret);
    options.env.push_back("LAMBDAGRAM_BOT_ECHO=true");
    test_support::RootRun run(options);
    ASSERT_TRUE(run.start()) << run.output();
    std::printf("image function init (start to first invocation/next): %.1f ms\n",
                static_cast<double>(run.init_time().count()) / 1000.0);

    runtime::EmulatedResult r =
        run.invoke(read_file(fs::path(LG_SOURCE_DIR) / "examples/events/function-url.json"));
    ASSERT_EQ(r.outcome, runtime::EmulatedOutcome::Response) << r.body << "\n" << run.output();
    json body = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r.body;
    EXPECT_EQ(body["statusCode"], 200) << r.body;
    ASSERT_TRUE(tg.wait_for_calls("sendMessage", 1)) << run.output();
    auto calls = tg.calls("sendMessage");
    EXPECT_EQ(calls[0].params["chat_id"].dump(), "111222333") << calls[0].params.dump();
    EXPECT_EQ(run.output().find(tg.token()), std::string::npos) << "the token must not be logged";
    if (std::getenv("LG_SHOW_OUTPUT")) std::printf("%s\n", run.output().c_str());
}

}  // namespace
}  // namespace app::package
