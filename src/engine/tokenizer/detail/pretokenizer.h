// Byte-level BPE pre-tokenizer: splits text into words with the regex list llama.cpp uses for a
// vocabulary's `tokenizer.ggml.pre`, run by PCRE2 (JIT, UTF + UCP). Each regex splits every
// piece the previous one produced; matches and the gaps between them both become pieces.
//   auto pre = PreTokenizer::create("qwen2"); pre->split(text, pieces);  // pieces: {offset, size}
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace engine::detail {

struct Piece {
    uint32_t offset;
    uint32_t size;
};

// Settings that follow from `tokenizer.ggml.pre` besides the regexes.
struct PreTokenizerTraits {
    bool ignore_merges = false;    // a word that is already a token is not merged (llama3)
    bool add_bos_default = false;  // llama.cpp's default for add_bos when the file is silent
};

class PreTokenizer {
public:
    // `pre` is the value of tokenizer.ggml.pre ("" means "default").
    static core::Result<PreTokenizer> create(std::string_view pre);
    // Names accepted by create(), for error messages and docs.
    static std::string supported_names();

    PreTokenizer(PreTokenizer&&) noexcept;
    PreTokenizer& operator=(PreTokenizer&&) noexcept;
    ~PreTokenizer();

    // Splits `text` (well-formed UTF-8) into pieces covering it, appended to `out` in order.
    void split(std::string_view text, std::vector<Piece>& out) const;
    const PreTokenizerTraits& traits() const { return traits_; }

private:
    struct Regex;
    PreTokenizer() = default;
    std::vector<std::unique_ptr<Regex>> regexes_;
    PreTokenizerTraits traits_;
};

}  // namespace engine::detail
