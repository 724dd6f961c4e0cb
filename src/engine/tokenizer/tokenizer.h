// Text <-> token ids for GGUF vocabularies, matching llama.cpp: SentencePiece BPE ("llama":
// scores, ▁ for spaces, <0xNN> byte fallback) and byte-level BPE ("gpt2": merge ranks, GPT-2
// byte alphabet, PCRE2 pre-tokenizer chosen by tokenizer.ggml.pre). Special-token text such as
// <|im_end|> becomes its control token only with parse_special; user text must not set it.
//   auto tok = Tokenizer::create(std::move(vocab));  // core::Result<Tokenizer>
//   std::vector<TokenId> ids = tok->tokenize("Hello", {.add_special = true});
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/tokenizer/vocab.h"

namespace engine {

struct TokenizeOptions {
    bool add_special = false;    // add BOS/EOS as the vocabulary asks (tokenizer.ggml.add_*_token)
    bool parse_special = false;  // recognise control-token text ("<|im_end|>") as that token
};

class Tokenizer {
public:
    static core::Result<Tokenizer> create(Vocab vocab);

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    ~Tokenizer();

    // Any bytes are accepted. Byte-level BPE reads invalid UTF-8 as U+FFFD per bad byte;
    // SentencePiece keeps the bytes and emits them as <0xNN> byte tokens. Thread-safe.
    std::vector<TokenId> tokenize(std::string_view text, TokenizeOptions options = {}) const;
    void tokenize(std::string_view text, TokenizeOptions options, std::vector<TokenId>& out) const;

    // The bytes a token stands for: ▁ becomes a space, <0x0A> a newline byte, byte-level
    // characters their bytes. Control/unknown tokens give their text only when `special`.
    std::string piece(TokenId id, bool special = false) const;
    // Concatenated pieces; drops the space SentencePiece put in front of the first word.
    std::string detokenize(std::span<const TokenId> ids, bool special = false) const;

    size_t n_tokens() const;
    const std::string& token_text(TokenId id) const;
    TokenType token_type(TokenId id) const;
    std::optional<TokenId> find_token(std::string_view text) const;  // exact token text
    bool is_spm() const;

    TokenId bos() const;  // kNoToken when the vocabulary has none
    TokenId eos() const;
    TokenId eot() const;
    bool add_bos() const;
    bool add_eos() const;
    bool is_eog(TokenId id) const;  // ends generation: eos, eot, eom

    struct Impl;

private:
    explicit Tokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace engine
