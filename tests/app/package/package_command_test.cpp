// `lambdagram package` through run_cli: the zip is written with the next steps printed, a model
// that would pass Lambda's 250 MB points to `package image`, bad flags are usage errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/context.h"
#include "app/package/elf_deps.h"
#include "app/package/scratch_dir.h"  // tests/app/package

namespace {

namespace fs = std::filesystem;

struct CliRun {
    int code = 0;
    std::string out, err;
};

CliRun package(std::vector<std::string> args) {
    std::ostringstream out, err;
    app::AppContext ctx;
    ctx.out = &out;
    ctx.err = &err;
    ctx.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    ctx.read_process_env_names = false;
    ctx.global.config_path = ::testing::TempDir() + "/no_such_lambdagram.yaml";
    args.insert(args.begin(), {"lambdagram", "package"});
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    CliRun r;
    r.code = app::run_cli(static_cast<int>(argv.size()), argv.data(), ctx);
    r.out = out.str();
    r.err = err.str();
    return r;
}

class PackageCommandTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (app::package::host_arch() != "x86_64")
            GTEST_SKIP() << "the bootstrap launcher is x86_64 only";
    }
    test_support::ScratchDir dir_{"pkgcmd"};
};

TEST_F(PackageCommandTest, WritesTheZipAndSaysWhatIsNext) {
    std::string zip = (dir_.path() / "f.zip").string();
    CliRun r = package({"lambda", "--binary", "/bin/echo", "--out", zip});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(zip));
    EXPECT_NE(r.out.find("wrote " + zip), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("provided.al2023"), std::string::npos);
    EXPECT_NE(r.out.find("lambdagram webhook set --url"), std::string::npos);
}

TEST_F(PackageCommandTest, ModelTooLargeForAZipPointsToTheImage) {
    fs::path model = dir_.path() / "big.gguf";
    std::ofstream(model).put('G');
    fs::resize_file(model, 300'000'000);  // sparse: no disk used
    std::string zip = (dir_.path() / "f.zip").string();
    CliRun r =
        package({"lambda", "--binary", "/bin/echo", "--model", model.string(), "--out", zip});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("over Lambda's limit"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("lambdagram package image --model " + model.string()), std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(zip));
}

TEST_F(PackageCommandTest, SmallModelGoesIntoTheZip) {
    fs::path model = dir_.path() / "tiny.gguf";
    std::ofstream(model) << "GGUF";
    std::string zip = (dir_.path() / "f.zip").string();
    CliRun r =
        package({"lambda", "--binary", "/bin/echo", "--model", model.string(), "--out", zip});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("LAMBDAGRAM_MODEL_PATH=/var/task/model/tiny.gguf"), std::string::npos)
        << r.out;
}

TEST_F(PackageCommandTest, BadFlagsAreUsageErrors) {
    EXPECT_EQ(package({"lambda", "--arch", "sparc"}).code, 2);
    CliRun other = package({"lambda", "--binary", "/bin/echo", "--arch", "arm64", "--out",
                            (dir_.path() / "f.zip").string()});
    EXPECT_EQ(other.code, 2);
    EXPECT_NE(other.err.find("arm64"), std::string::npos) << other.err;
    EXPECT_EQ(package({"image"}).code, 2);  // --model is required
    EXPECT_EQ(package({}).code, 2);         // a subcommand is required
}

}  // namespace
