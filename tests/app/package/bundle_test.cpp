// collect_runtime() and the ELF/loader helpers, on binaries of this machine (/bin/ls, /bin/echo),
// and the launcher run for real in a scratch root.
#include "app/package/bundle.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "app/package/elf_deps.h"
#include "app/package/scratch_dir.h"  // tests/app/package

namespace app::package {
namespace {

namespace fs = std::filesystem;

const BundleFile* find(const Bundle& b, const std::string& path) {
    for (const BundleFile& f : b.files) {
        if (f.path == path) return &f;
    }
    return nullptr;
}

TEST(LoaderList, ParsesLddOutput) {
    auto libs = parse_loader_list(
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f01)\n"
        "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f02)\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f03)\n");
    ASSERT_TRUE(libs) << libs.error().message;
    ASSERT_EQ(libs->size(), 2u);
    EXPECT_EQ((*libs)[0].name, "libcurl.so.4");
    EXPECT_EQ((*libs)[0].path, "/lib/x86_64-linux-gnu/libcurl.so.4");
    EXPECT_EQ((*libs)[1].name, "libc.so.6");
}

TEST(LoaderList, MissingLibraryIsNamed) {
    auto libs =
        parse_loader_list("\tlibfoo.so.3 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n");
    ASSERT_FALSE(libs);
    EXPECT_NE(libs.error().message.find("libfoo.so.3"), std::string::npos);
}

TEST(LoaderList, RejectsRelativePaths) {
    EXPECT_FALSE(parse_loader_list("\tlibc.so.6 => libc.so.6 (0x1)\n"));
}

TEST(ElfInfo, ReadsMachineAndInterpreter) {
    auto info = read_elf_info("/bin/ls");
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->arch, host_arch());
    EXPECT_FALSE(info->interpreter.empty());
    EXPECT_EQ(info->interpreter[0], '/');
}

TEST(ElfInfo, RejectsNonElfAndTruncatedFiles) {
    test_support::ScratchDir dir("elf");
    std::ofstream(dir.path() / "text") << "#!/bin/sh\necho hi\n";
    EXPECT_FALSE(read_elf_info((dir.path() / "text").string()));
    std::ofstream(dir.path() / "short", std::ios::binary) << "\x7f"
                                                             "ELF\x02\x01";
    EXPECT_FALSE(read_elf_info((dir.path() / "short").string()));
    EXPECT_FALSE(read_elf_info((dir.path() / "missing").string()));
}

TEST(CollectRuntime, BundlesBinaryLibrariesLoaderAndCertificates) {
    if (host_arch() != "x86_64") GTEST_SKIP() << "the bootstrap launcher is x86_64 only";
    auto b = collect_runtime({.binary = "/bin/ls"});
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_TRUE(
        std::is_sorted(b->files.begin(), b->files.end(),
                       [](const BundleFile& x, const BundleFile& y) { return x.path < y.path; }));
    const BundleFile* boot = find(*b, "bootstrap");
    ASSERT_NE(boot, nullptr);
    EXPECT_EQ(boot->mode, 0755u);
    EXPECT_TRUE(boot->source.empty());
    EXPECT_EQ(boot->content.substr(0, 4),
              "\x7f"
              "ELF");
    const BundleFile* bin = find(*b, "bin/lambdagram");
    ASSERT_NE(bin, nullptr);
    EXPECT_EQ(bin->source, fs::canonical("/bin/ls").string());
    EXPECT_EQ(bin->mode, 0755u);
    const BundleFile* loader = find(*b, "lib/ld-linux-x86-64.so.2");
    ASSERT_NE(loader, nullptr);
    EXPECT_EQ(loader->mode, 0755u);
    const BundleFile* libc = find(*b, "lib/libc.so.6");
    ASSERT_NE(libc, nullptr);
    EXPECT_TRUE(fs::is_regular_file(libc->source));  // a real file, symlinks resolved
    EXPECT_FALSE(fs::is_symlink(libc->source));
    EXPECT_NE(find(*b, "etc/ssl/certs/ca-certificates.crt"), nullptr);
    EXPECT_EQ(find(*b, "model"), nullptr);
}

TEST(CollectRuntime, PlacesTheModel) {
    if (host_arch() != "x86_64") GTEST_SKIP() << "the bootstrap launcher is x86_64 only";
    test_support::ScratchDir dir("model");
    std::ofstream(dir.path() / "tiny.gguf") << "GGUF";
    auto b =
        collect_runtime({.binary = "/bin/ls", .model_path = (dir.path() / "tiny.gguf").string()});
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_NE(find(*b, "model/tiny.gguf"), nullptr);
    auto missing =
        collect_runtime({.binary = "/bin/ls", .model_path = (dir.path() / "no.gguf").string()});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no.gguf"), std::string::npos);
}

TEST(CollectRuntime, RefusesOtherArchitecturesAndMissingBinaries) {
    std::string other = host_arch() == "x86_64" ? "arm64" : "x86_64";
    auto b = collect_runtime({.binary = "/bin/ls", .arch = other});
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find(other), std::string::npos);
    EXPECT_FALSE(collect_runtime({.binary = "/bin/ls", .arch = "sparc"}));
    EXPECT_FALSE(collect_runtime({.binary = "/no/such/binary"}));
}

// Copies a bundle into `root` as unzip would (modes included).
void materialize(const Bundle& b, const fs::path& root) {
    for (const BundleFile& f : b.files) {
        fs::path to = root / f.path;
        fs::create_directories(to.parent_path());
        if (f.source.empty()) {
            std::ofstream(to, std::ios::binary) << f.content;
        } else {
            fs::copy_file(f.source, to);
        }
        fs::permissions(to, static_cast<fs::perms>(f.mode));
    }
}

// The launcher runs bin/lambdagram (here /bin/echo) through the bundled loader with `lambda`.
TEST(Launcher, RunsTheBundledBinaryThroughTheBundledLoader) {
    if (host_arch() != "x86_64") GTEST_SKIP() << "the bootstrap launcher is x86_64 only";
    auto b = collect_runtime({.binary = "/bin/echo"});
    ASSERT_TRUE(b) << b.error().message;
    test_support::ScratchDir dir("launcher");
    materialize(*b, dir.path());
    std::string out = (dir.path() / "out").string();
    std::string cmd = "env -i " + (dir.path() / "bootstrap").string() + " > " + out;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(out);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "lambda");
}

// With /bin/sh as the "binary", `lambda` is a script in the working directory that prints what
// the launcher put in the environment.
std::string launcher_env_run(const fs::path& root, const std::string& env) {
    std::ofstream(root / "work/lambda") << "echo \"cert=$SSL_CERT_FILE\"\n";
    std::string cmd = "cd " + (root / "work").string() + " && env -i " + env + " " +
                      (root / "bootstrap").string() + " > out";
    if (std::system(cmd.c_str()) != 0) return "failed: " + cmd;
    std::ifstream in(root / "work/out");
    std::string line;
    std::getline(in, line);
    return line;
}

TEST(Launcher, PointsLibcurlAtACaBundle) {
    if (host_arch() != "x86_64") GTEST_SKIP() << "the bootstrap launcher is x86_64 only";
    auto b = collect_runtime({.binary = "/bin/sh"});
    ASSERT_TRUE(b) << b.error().message;
    test_support::ScratchDir dir("launcher-env");
    materialize(*b, dir.path());
    fs::create_directories(dir.path() / "work");
    // Amazon Linux's bundle when it exists, else the bundled copy.
    std::string expected = fs::exists("/etc/pki/tls/certs/ca-bundle.crt")
                               ? "/etc/pki/tls/certs/ca-bundle.crt"
                               : (dir.path() / "etc/ssl/certs/ca-certificates.crt").string();
    EXPECT_EQ(launcher_env_run(dir.path(), ""), "cert=" + expected);
    EXPECT_TRUE(fs::exists(dir.path() / "etc/ssl/certs/ca-certificates.crt"));
    // A value already set is kept.
    EXPECT_EQ(launcher_env_run(dir.path(), "SSL_CERT_FILE=/my/ca.pem"), "cert=/my/ca.pem");
}

TEST(Launcher, SaysSoWhenTheLoaderIsMissing) {
    if (host_arch() != "x86_64") GTEST_SKIP() << "the bootstrap launcher is x86_64 only";
    auto b = collect_runtime({.binary = "/bin/echo"});
    ASSERT_TRUE(b) << b.error().message;
    test_support::ScratchDir dir("noloader");
    materialize(*b, dir.path());
    fs::remove(dir.path() / "lib/ld-linux-x86-64.so.2");
    std::string cmd = (dir.path() / "bootstrap").string() + " 2> " + (dir.path() / "err").string();
    int status = std::system(cmd.c_str());
    EXPECT_EQ(WEXITSTATUS(status), 127);
    std::ifstream in(dir.path() / "err");
    std::string line;
    std::getline(in, line);
    EXPECT_NE(line.find("bootstrap: cannot run lib/ld-linux-x86-64.so.2"), std::string::npos)
        << line;
}

}  // namespace
}  // namespace app::package
