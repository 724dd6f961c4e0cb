// libFuzzer target for the GGUF reader: parses arbitrary bytes from memory, then walks every
// accessor and touches every tensor view, so an unchecked offset shows up under ASan.
//   scripts/fuzz gguf 60        (corpus: fuzz/gguf/corpus, replayed in ctest by engine_gguf_corpus_test)
#include <cstddef>
#include <cstdint>
#include <span>

#include "gguf_fuzz_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    engine::gguf::fuzz_one(std::span(reinterpret_cast<const std::byte*>(data), size));
    return 0;
}
