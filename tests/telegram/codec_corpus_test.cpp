// Replays the codec fuzz body (codec_fuzz_body.h) over the payloads in tests/telegram/data, every
// prefix of each and single-byte mutations of them: a small, deterministic fuzz run in ctest.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "codec_fuzz_body.h"

namespace {

namespace fs = std::filesystem;

// The payloads of the codec tests plus the inputs the fuzzer (fuzz/telegram) kept.
std::vector<std::pair<std::string, std::string>> corpus() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const char* dir : {"tests/telegram/data", "fuzz/telegram/corpus"}) {
        for (const auto& e : fs::directory_iterator(fs::path(LG_SOURCE_DIR) / dir)) {
            std::ifstream in(e.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            out.emplace_back(e.path().filename().string(), ss.str());
        }
    }
    return out;
}

TEST(CodecCorpus, WholePayloads) {
    auto files = corpus();
    ASSERT_GE(files.size(), 10u);
    for (const auto& [name, text] : files) EXPECT_EQ(telegram::fuzz_codec_one(text), "") << name;
}

TEST(CodecCorpus, EveryPrefix) {
    for (const auto& [name, text] : corpus()) {
        for (size_t n = 0; n < text.size(); n += 2) {
            std::string broke = telegram::fuzz_codec_one(std::string_view(text).substr(0, n));
            ASSERT_EQ(broke, "") << name << " cut at " << n;
        }
    }
}

TEST(CodecCorpus, ByteMutations) {
    const char replacements[] = {'"', '0', '{', ']', ',', 'x', '\xff', '-'};
    for (const auto& [name, text] : corpus()) {
        for (size_t i = 0; i < text.size(); i += 4) {
            std::string mutated = text;
            mutated[i] = replacements[i % sizeof replacements];
            ASSERT_EQ(telegram::fuzz_codec_one(mutated), "") << name << " byte " << i;
        }
    }
}

TEST(CodecCorpus, TypeConfusions) {
    // Every field of a real payload replaced in turn by values of every other JSON type.
    auto files = corpus();
    const telegram::Json others[] = {nullptr,
                                     1,
                                     -1,
                                     1.5,
                                     "s",
                                     true,
                                     telegram::Json::array(),
                                     telegram::Json::object(),
                                     18446744073709551615ull};
    for (const auto& [name, text] : files) {
        const auto root = telegram::Json::parse(text);
        std::set<std::string> pointers;  // every leaf and every container above it
        const auto flat = root.flatten();  // kept alive: items() refers to it
        for (const auto& [ptr, value] : flat.items()) {
            for (std::string p = ptr; !p.empty(); p = p.substr(0, p.rfind('/'))) pointers.insert(p);
        }
        for (const auto& ptr : pointers) {
            for (const auto& other : others) {
                auto changed = root;
                changed[telegram::Json::json_pointer(ptr)] = other;
                ASSERT_EQ(telegram::fuzz_codec_one(changed.dump()), "") << name << ptr;
            }
        }
    }
}

}  // namespace
