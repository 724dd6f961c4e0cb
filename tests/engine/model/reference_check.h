// Shared by the reference tests (reference_test.cpp, precise_reference_test.cpp): runs one
// llama.cpp logits file (../shared/reference/logits) through the engine and checks it against the
// README's tolerances, printing one line per file (max |Δlogit| over the reference's top-10,
// top-1 agreement, greedy steps matched before the first near-tie).
// Manual runs: LG_TEST_REF_ONLY=q4_0 (files containing it), LG_TEST_KV_F32=1 (F32 KV cache),
// LG_TEST_PRECISE=1 (precise mode in the default-path test too), LG_TEST_KERNELS=ref|avx2|avx512
// (kernel level), LG_TEST_DEBUG=1 (every compared logit).
//   for (const auto& f : reference_files(".deq.ref.json")) check_file(f, /*precise=*/true);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace engine::model::testing {

// ../shared/reference
std::filesystem::path reference_dir();
// Every *.ref.json (and *.deq.ref.json) whose name contains `filter`, sorted; empty after a loud
// skip line when the folder is missing (and a failure under CI=true).
std::vector<std::filesystem::path> reference_files(const std::string& filter);
// LG_TEST_KERNELS=ref|avx2|avx512 forces that kernel level.
void force_kernels_from_env();
// Evaluates every case of the file (default path or precise mode) and checks the tolerances.
void check_file(const std::filesystem::path& json_path, bool precise);

}  // namespace engine::model::testing
