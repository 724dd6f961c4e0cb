// Reasoning blocks: models such as Qwen3, QwQ and DeepSeek-R1 write "<think>...</think>" before
// the answer. strip_think() removes them from a whole text; ThinkFilter does the same on a stream
// of pieces split anywhere, including an unterminated block and a block the prompt opened.
//   engine::ThinkFilter f(engine::prompt_opens_think(prompt.text));
//   emit(f.feed(piece)); ... emit(f.finish());  // f.reasoning() holds the hidden text
#pragma once

#include <string>
#include <string_view>

namespace engine {

// The rules, shared by both functions:
// - "<think>" opens a block; everything up to "</think>" is hidden, and so is the whitespace
//   right after "</think>". A block never closed hides everything to the end.
// - starts_inside: the text begins inside a block (the prompt ended with "<think>").
// - A "</think>" with no block open is dropped (with the whitespace after it); text before it
//   cannot be taken back while streaming, so pass starts_inside when the prompt opened a block.
std::string strip_think(std::string_view text, bool starts_inside = false);

// True when the rendered prompt ends with "<think>" (plus whitespace): the model's output
// starts inside a reasoning block.
bool prompt_opens_think(std::string_view prompt);

class ThinkFilter {
public:
    explicit ThinkFilter(bool starts_inside = false);

    // Returns the visible text that is certain now; a piece ending in "<thi" holds that back.
    std::string feed(std::string_view piece);
    // End of the stream: releases held-back text that never became a tag.
    std::string finish();

    bool in_think() const { return state_ == State::Inside; }
    const std::string& reasoning() const { return reasoning_; }  // hidden block contents

private:
    enum class State { Outside, Inside, SkipSpace };

    std::string pending_;  // a possible tag prefix, not yet decided
    std::string reasoning_;
    State state_;
};

}  // namespace engine
