// A tiny random-weight qwen2-shaped GGUF for LocalChatModel tests, written once per test process:
// the real Qwen2 vocabulary from the shared reference folder when present, else a made-up one.
//   auto m = llm_test::load_local_test_model();  // std::unique_ptr<llm::LocalChatModel>
#pragma once

#include <memory>
#include <string>

#include "llm/local_chat_model.h"

namespace llm_test {

struct LocalTestModelFile {
    std::string path;         // empty when writing failed (see error)
    bool real_vocab = false;  // the Qwen2 vocabulary (ChatML control tokens exist)
    std::string error;
};

// Writes the model on the first call (into a temporary folder removed at exit).
const LocalTestModelFile& local_test_model_file();

// Loads the test model; fails the calling test (ADD_FAILURE) and returns null when it cannot.
std::unique_ptr<llm::LocalChatModel> load_local_test_model(llm::LocalOptions options = {});

// The Qwen2 vocabulary file under LG_SHARED_DIR.
std::string qwen2_vocab_path();

}  // namespace llm_test
