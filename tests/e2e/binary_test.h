// BinaryTest: the fixture base of the end-to-end tests that run the built `lambdagram` binary: a
// scratch directory per test, the binary's path, and what the load and soak tests need to measure
// a process's memory (an ASan quarantine small enough for RSS to mean something, and the bound
// on RSS growth, looser under the sanitizer).
//   struct PollTest : e2e::BinaryTest { PollTest() : BinaryTest("lg_e2e_poll") {} };
//   auto p = e2e::Subprocess::start({e2e::lambdagram_binary(), "--config", path("c.yaml"), "poll"},
//                                   {{"ASAN_OPTIONS", e2e::small_quarantine_asan_options()}}, ...);
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

namespace e2e {

// The sanitizer build's allocator keeps more memory around (LeakSanitizer checks leaks there at
// exit, which fails the run), so its bound on RSS growth is looser.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr long kRssGrowthLimitKib = 48 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr long kRssGrowthLimitKib = 48 * 1024;
#else
inline constexpr long kRssGrowthLimitKib = 16 * 1024;
#endif
#else
inline constexpr long kRssGrowthLimitKib = 16 * 1024;
#endif

// ASAN_OPTIONS for a child under the sanitizer build (ignored otherwise): a small quarantine, so
// that freed memory is reused and RSS measures leaks and growth, not ASan's 256 MiB holding pen.
inline std::string small_quarantine_asan_options() {
    const char* given = std::getenv("ASAN_OPTIONS");
    std::string out = given ? std::string(given) + ":" : "";
    return out + "quarantine_size_mb=1:thread_local_quarantine_size_kb=64";
}

// The `lambdagram` binary of this build tree.
inline std::string lambdagram_binary() { return std::string(LG_BINARY_DIR) + "/lambdagram"; }

class BinaryTest : public ::testing::Test {
protected:
    // `prefix` names the scratch directory: <TempDir>/<prefix>_<pid>_<test name>.
    explicit BinaryTest(std::string prefix) : prefix_(std::move(prefix)) {}

    void SetUp() override {
        dir_ = std::filesystem::path(::testing::TempDir()) /
               (prefix_ + "_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }

    // A file in the test's scratch directory.
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    std::filesystem::path dir_;

private:
    std::string prefix_;
};

}  // namespace e2e
