// Turns generated token ids into text as they arrive, never cutting a UTF-8 character: bytes
// of an unfinished character wait for the next token. Output is always valid UTF-8; bytes that
// can never form a character become U+FFFD.
//   StreamDecoder dec(tokenizer);
//   for (TokenId id : generated) send(dec.push(id));
//   send(dec.flush());
#pragma once

#include <string>

#include "engine/tokenizer/tokenizer.h"

namespace engine {

class StreamDecoder {
public:
    // `special`: print control tokens' text (e.g. "<|im_end|>") instead of nothing.
    explicit StreamDecoder(const Tokenizer& tokenizer, bool special = false);

    // The text that became complete with this token (possibly empty).
    std::string push(TokenId id);
    // Whatever is pending, with an unfinished character replaced by U+FFFD; then resets.
    std::string flush();

private:
    const Tokenizer* tokenizer_;
    bool special_;
    std::string pending_;  // bytes not yet emitted (at most an unfinished character)
};

}  // namespace engine
