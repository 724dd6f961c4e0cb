// A tokenizer vocabulary as GGUF stores it (tokenizer.ggml.*), in plain vectors, so the
// tokenizer can be built from a GGUF file (vocab_gguf.h) or by hand in tests.
//   Vocab v; v.model = "gpt2"; v.pre = "qwen2"; v.tokens = {...}; v.merges = {...};
//   auto tok = Tokenizer::create(std::move(v));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace engine {

using TokenId = int32_t;
inline constexpr TokenId kNoToken = -1;

// tokenizer.ggml.token_type values.
enum class TokenType : int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,      // <s>, <|im_end|>: only parsed from text with parse_special
    UserDefined = 4,  // added tokens that are plain words: always parsed from text
    Unused = 5,
    Byte = 6,         // <0x0A>: SentencePiece byte fallback
};

// Unset optionals take llama.cpp's defaults for the model and pre-tokenizer.
struct Vocab {
    std::string model;  // tokenizer.ggml.model: "llama" (SentencePiece BPE) or "gpt2" (byte-level BPE)
    std::string pre;    // tokenizer.ggml.pre; empty means "default"
    std::string name;   // general.name (Phi-3 vocabularies strip spaces after special tokens)

    std::vector<std::string> tokens;  // tokenizer.ggml.tokens
    std::vector<float> scores;        // tokenizer.ggml.scores (SentencePiece merge priority); may be empty
    std::vector<TokenType> types;     // tokenizer.ggml.token_type; may be empty (all Normal)
    std::vector<std::string> merges;  // tokenizer.ggml.merges ("a b", rank = index); byte-level BPE only

    std::optional<TokenId> bos_id;  // tokenizer.ggml.bos_token_id
    std::optional<TokenId> eos_id;  // tokenizer.ggml.eos_token_id
    std::optional<TokenId> unk_id;  // tokenizer.ggml.unknown_token_id
    std::optional<TokenId> pad_id;  // tokenizer.ggml.padding_token_id
    std::optional<TokenId> eot_id;  // tokenizer.ggml.eot_token_id (else found by text: <|im_end|>, ...)
    std::optional<TokenId> eom_id;  // tokenizer.ggml.eom_token_id

    std::optional<bool> add_bos;           // tokenizer.ggml.add_bos_token
    std::optional<bool> add_eos;           // tokenizer.ggml.add_eos_token
    std::optional<bool> add_space_prefix;  // tokenizer.ggml.add_space_prefix (SentencePiece)
};

}  // namespace engine
