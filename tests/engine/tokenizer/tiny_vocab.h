// Hand-built vocabularies for tokenizer unit tests: a small SentencePiece vocabulary with byte
// fallback and a small byte-level BPE vocabulary with merges and chat special tokens.
//   Tokenizer tok = make_tiny_bpe();  tok.tokenize("hello world");
#pragma once

#include <string>
#include <vector>

#include "engine/tokenizer/detail/utf8.h"
#include "engine/tokenizer/tokenizer.h"

namespace engine::testing {

// <unk> <s> </s> <0x00>..<0xFF> then: ▁ h e l o w r d ▁h he ll llo ▁hello ▁w ▁world [INST]
inline Vocab tiny_spm_vocab() {
    Vocab v;
    v.model = "llama";
    const auto add = [&v](std::string text, float score, TokenType type) {
        v.tokens.push_back(std::move(text));
        v.scores.push_back(score);
        v.types.push_back(type);
    };
    add("<unk>", 0, TokenType::Unknown);
    add("<s>", 0, TokenType::Control);
    add("</s>", 0, TokenType::Control);
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) add(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">", 0, TokenType::Byte);
    const std::string sp = "\xE2\x96\x81";
    float score = -1;
    for (const std::string& t : {sp, std::string("h"), std::string("e"), std::string("l"), std::string("o"),
                                 std::string("w"), std::string("r"), std::string("d")}) {
        add(t, score, TokenType::Normal);
        score -= 1;
    }
    add(sp + "h", -20, TokenType::Normal);
    add("he", -21, TokenType::Normal);
    add("ll", -12, TokenType::Normal);
    add("llo", -13, TokenType::Normal);
    add(sp + "hello", -14, TokenType::Normal);
    add(sp + "w", -22, TokenType::Normal);
    add(sp + "world", -15, TokenType::Normal);
    add("or", -16, TokenType::Normal);
    add(sp + "wor", -17, TokenType::Normal);
    add("[INST]", 0, TokenType::Control);
    v.bos_id = 1;
    v.eos_id = 2;
    v.unk_id = 0;
    return v;
}

// Ids 0..255: the byte alphabet in byte order; then merged tokens; then special tokens.
inline Vocab tiny_bpe_vocab(const std::string& pre = "gpt-2") {
    Vocab v;
    v.model = "gpt2";
    v.pre = pre;
    const auto& alphabet = detail::byte_alphabet();
    for (int b = 0; b < 256; ++b) v.tokens.push_back(alphabet.byte_to_utf8[b]);
    v.types.assign(256, TokenType::Normal);
    const auto merge = [&v](const std::string& a, const std::string& b) {
        v.merges.push_back(a + " " + b);
        v.tokens.push_back(a + b);
        v.types.push_back(TokenType::Normal);
    };
    merge("h", "e");
    merge("l", "l");
    merge("he", "ll");
    merge("hell", "o");
    merge("\xC4\xA0", "w");  // Ġw
    merge("o", "r");
    merge("\xC4\xA0w", "or");
    merge("\xC4\xA0wor", "l");
    merge("\xC4\xA0worl", "d");
    merge("\xC4\xA0", "\xC4\xA0");  // ĠĠ
    for (const char* special : {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}) {
        v.tokens.emplace_back(special);
        v.types.push_back(TokenType::Control);
    }
    v.bos_id = static_cast<TokenId>(v.tokens.size() - 3);
    v.eos_id = v.bos_id;
    return v;
}

inline Tokenizer make(Vocab v) {
    auto t = Tokenizer::create(std::move(v));
    if (!t) throw std::runtime_error(t.error().message);  // test helper only
    return std::move(*t);
}

}  // namespace engine::testing
