// Reads a tokenizer vocabulary from GGUF metadata (tokenizer.ggml.* and general.name).
//   auto f = gguf::GgufFile::open(path); auto vocab = vocab_from_gguf(*f);
//   auto tok = load_tokenizer(path);  // open + read + Tokenizer::create
#pragma once

#include <string>

#include "core/result.h"
#include "engine/gguf/gguf.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/vocab.h"

namespace engine {

core::Result<Vocab> vocab_from_gguf(const gguf::GgufFile& file);
core::Result<Tokenizer> load_tokenizer(const std::string& gguf_path);

}  // namespace engine
