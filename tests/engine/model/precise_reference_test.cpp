// Precise mode (F32 activations against exactly dequantized weights, ModelOptions::precise)
// against the exact-math references of ../shared/reference: every logits/*.deq.ref.json and the
// F32 model, to the README's 2e-3. Label slow: it dequantizes every matrix on every call (8 s of
// CPU in Release, ~4 min under ASan). Env knobs: reference_check.h.
#include <gtest/gtest.h>

#include <filesystem>

#include "reference_check.h"

namespace fs = std::filesystem;
using namespace engine::model::testing;

// Precise mode against the exact-math references: every .deq file and the F32 model.
TEST(ModelReference, PreciseModeMatchesDequantizedReference) {
    force_kernels_from_env();
    auto files = reference_files(".deq.ref.json");
    for (const auto& f : reference_files("f32")) files.push_back(f);
    if (files.empty() && !fs::exists(reference_dir() / "logits")) GTEST_SKIP();
    ASSERT_FALSE(files.empty()) << "no *.deq.ref.json in " << reference_dir() / "logits";
    for (const auto& f : files) {
        SCOPED_TRACE(f.filename().string());
        check_file(f, true);
    }
}
