// Replays every file of the fuzzer corpus (fuzz/gguf/corpus) through the fuzz body under the
// regular compiler, so crashes the fuzzer once found stay fixed in every ctest run.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "gguf/gguf_fuzz_body.h"

namespace {

namespace fs = std::filesystem;

TEST(GgufCorpus, EveryFileParsesOrFailsCleanly) {
    const fs::path dir = fs::path(LG_SOURCE_DIR) / "fuzz" / "gguf" / "corpus";
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    size_t n_files = 0, n_valid = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::byte> bytes(raw.size());
        std::memcpy(bytes.data(), raw.data(), raw.size());
        SCOPED_TRACE(entry.path().filename().string());
        n_valid += engine::gguf::fuzz_one(bytes) ? 1 : 0;
        ++n_files;
    }
    EXPECT_GE(n_files, 10u);
    EXPECT_GE(n_valid, 10u);  // the seeds are valid files
}

}  // namespace
