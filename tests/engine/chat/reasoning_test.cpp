#include "engine/chat/reasoning.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace engine {
namespace {

TEST(StripThink, Cases) {
    EXPECT_EQ(strip_think("no reasoning here"), "no reasoning here");
    EXPECT_EQ(strip_think("<think>plan</think>answer"), "answer");
    EXPECT_EQ(strip_think("<think>\nplan\n</think>\n\n  answer"), "answer");
    EXPECT_EQ(strip_think("a <think>x</think> b <think>y</think>c"), "a b c");
    EXPECT_EQ(strip_think("<think>never closed"), "");
    EXPECT_EQ(strip_think("before<think>never closed"), "before");
    EXPECT_EQ(strip_think("inside already</think>\nanswer", true), "answer");
    EXPECT_EQ(strip_think("still thinking", true), "");
    EXPECT_EQ(strip_think("stray</think> answer"), "strayanswer");
    EXPECT_EQ(strip_think("<thin>k 2 < 3 </thinking>"), "<thin>k 2 < 3 </thinking>");
    EXPECT_EQ(strip_think("<think></think>"), "");
    EXPECT_EQ(strip_think("x<"), "x<");
}

TEST(PromptOpensThink, Cases) {
    EXPECT_TRUE(prompt_opens_think("<|im_start|>assistant\n<think>\n"));
    EXPECT_TRUE(prompt_opens_think("...<think>"));
    EXPECT_FALSE(prompt_opens_think("<|im_start|>assistant\n"));
    EXPECT_FALSE(prompt_opens_think("<think>\n\n</think>\n\n"));
    EXPECT_FALSE(prompt_opens_think(""));
}

std::string stream(const std::vector<std::string>& pieces, bool inside, std::string* reasoning) {
    ThinkFilter f(inside);
    std::string out;
    for (const auto& p : pieces) out += f.feed(p);
    out += f.finish();
    if (reasoning) *reasoning = f.reasoning();
    return out;
}

// Every way to cut each text into three pieces gives the same visible text as strip_think.
TEST(ThinkFilter, EverySplitMatchesStripThink) {
    const std::vector<std::string> texts = {
        "<think>\nLet me think. 2 < 3 and </thin is not a tag.\n</think>\n\nThe answer is 4.",
        "Sure! <think>hidden</think> Visible <thinking> stays <think>unterminated",
        "plain <b>html</b> and a < sign",
        "stray</think>\n tail<",
        "<think></think><think>x</think>  y<think",
        "Привет <think>мысль</think> мир",
    };
    for (const auto& text : texts) {
        for (bool inside : {false, true}) {
            const std::string want = strip_think(text, inside);
            for (size_t a = 0; a <= text.size(); ++a) {
                for (size_t b = a; b <= text.size(); ++b) {
                    std::string got =
                        stream({text.substr(0, a), text.substr(a, b - a), text.substr(b)}, inside,
                               nullptr);
                    ASSERT_EQ(got, want)
                        << "text=" << text << " inside=" << inside << " cuts " << a << "," << b;
                }
            }
        }
    }
}

TEST(ThinkFilter, ByteAtATime) {
    const std::string text = "<think>abc</think>\nHello <think>x</think>world";
    std::vector<std::string> bytes;
    for (char c : text) bytes.emplace_back(1, c);
    std::string reasoning;
    EXPECT_EQ(stream(bytes, false, &reasoning), "Hello world");
    EXPECT_EQ(reasoning, "abcx");
}

TEST(ThinkFilter, HoldsOnlyWhatCouldBeATag) {
    ThinkFilter f;
    EXPECT_EQ(f.feed("Hello <th"), "Hello ");
    EXPECT_EQ(f.feed("ere"), "<there");
    EXPECT_EQ(f.feed("<think>secret"), "");
    EXPECT_TRUE(f.in_think());
    EXPECT_EQ(f.feed("</thi"), "");
    EXPECT_EQ(f.feed("nk>\n"), "");
    EXPECT_FALSE(f.in_think());
    EXPECT_EQ(f.feed("\n answer"), "answer");
    EXPECT_EQ(f.finish(), "");
    EXPECT_EQ(f.reasoning(), "secret");
}

TEST(ThinkFilter, StartsInsideWhenPromptOpenedBlock) {
    std::string reasoning;
    EXPECT_EQ(stream({"I should greet.", "</think>", "\n\nHi!"}, true, &reasoning), "Hi!");
    EXPECT_EQ(reasoning, "I should greet.");
}

TEST(ThinkFilter, UnterminatedLeadingBlockHidesEverything) {
    EXPECT_EQ(stream({"<think>long", " reasoning", " cut by max_tokens</th"}, false, nullptr), "");
}

}  // namespace
}  // namespace engine
