// Hides "<think>...</think>" reasoning blocks (Qwen3, QwQ, DeepSeek-R1) from what users see, on a
// whole text or on a stream split anywhere. The bot's own small copy: the bot layer may not use
// the engine's, and llm does not expose one.
//   bot::ThinkFilter f;  show(f.feed(delta)); ... show(f.finish());
#pragma once

#include <string>
#include <string_view>

namespace bot {

// Rules: "<think>" opens a block, hidden up to "</think>" and the whitespace after it; a block
// never closed hides everything to the end; a stray "</think>" is dropped.
class ThinkFilter {
public:
    // The visible text that is certain now; a piece ending in "<thi" holds that part back.
    std::string feed(std::string_view piece);
    // End of the stream: releases held-back text that never became a tag.
    std::string finish();

private:
    enum class State { Outside, Inside, SkipSpace };
    std::string pending_;
    State state_ = State::Outside;
};

// The visible part of a whole text.
std::string strip_think(std::string_view text);

}  // namespace bot
