// The engine's logits against llama.cpp's on the reference models (../shared/reference, see its
// README), default path (activations rounded to 8 bits as llama.cpp does): every case of every
// logits/*.ref.json and *.deq.ref.json, prompt as one batch, then greedy decoding one token at a
// time. Precise mode is checked in precise_reference_test.cpp. Env knobs: reference_check.h.
#include <gtest/gtest.h>

#include <filesystem>

#include "reference_check.h"

namespace fs = std::filesystem;
using namespace engine::model::testing;

// The default path on every file: .ref (llama.cpp's own arithmetic) and .deq.
TEST(ModelReference, EveryLogitsFileMatchesLlamaCpp) {
    force_kernels_from_env();
    const auto files = reference_files(".ref.json");
    if (files.empty() && !fs::exists(reference_dir() / "logits")) GTEST_SKIP();
    ASSERT_FALSE(files.empty()) << "no *.ref.json in " << reference_dir() / "logits";
    for (const auto& f : files) {
        SCOPED_TRACE(f.filename().string());
        check_file(f, false);
    }
}
