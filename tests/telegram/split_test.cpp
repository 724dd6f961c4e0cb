// split_message: where it cuts, UTF-16 lengths, and that nothing but boundary blanks is lost.
#include "telegram/split.h"

#include <gtest/gtest.h>

#include "core/strings.h"

namespace {

using telegram::split_message;

std::string without_blanks(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') out += c;
    }
    return out;
}

// The properties every split must have.
void check_split(std::string_view text, size_t max_len, const std::vector<std::string>& parts) {
    std::string joined;
    for (const auto& p : parts) {
        EXPECT_FALSE(p.empty());
        EXPECT_LE(core::utf16_length(p), max_len) << p;
        EXPECT_TRUE(core::is_valid_utf8(p)) << p;
        joined += p;
    }
    EXPECT_EQ(without_blanks(joined), without_blanks(text));
}

std::string repeat(std::string_view s, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += s;
    return out;
}

TEST(Split, ShortTextIsOnePart) {
    EXPECT_EQ(split_message("hello"), std::vector<std::string>{"hello"});
    EXPECT_TRUE(split_message("").empty());
    EXPECT_TRUE(split_message(" \n\n ").empty());
}

TEST(Split, PrefersParagraphThenLineThenSentenceThenSpace) {
    struct Case {
        const char* text;
        size_t max;
        std::vector<std::string> want;
    } cases[] = {
        {"aaaa bbbb.\n\ncccc dddd", 15, {"aaaa bbbb.", "cccc dddd"}},
        {"aaaa bbbb\ncccc dddd", 15, {"aaaa bbbb", "cccc dddd"}},
        {"aaaa. bbbb cccc dddd", 15, {"aaaa.", "bbbb cccc dddd"}},
        {"aa bb. cc dd ee ff gg", 15, {"aa bb.", "cc dd ee ff gg"}},
        {"Hi! How are you? Fine", 12, {"Hi! How are", "you? Fine"}},
        {"Hi! How? Fine thanks", 12, {"Hi! How?", "Fine thanks"}},
        {"aaaa bbbb cccc dddd", 12, {"aaaa bbbb", "cccc dddd"}},
        {"abcdefghijklmnopqrstuvwxyz", 10, {"abcdefghij", "klmnopqrst", "uvwxyz"}},
        {"para one\n\npara two\n\npara three", 20, {"para one\n\npara two", "para three"}},
    };
    for (const auto& c : cases) {
        auto parts = split_message(c.text, c.max);
        EXPECT_EQ(parts, c.want) << c.text;
        check_split(c.text, c.max, parts);
    }
}

TEST(Split, BreakAtTheVeryEndOfTheWindow) {
    // The space right after the window is a fine place to cut.
    auto parts = split_message("0123456789 abc", 10);
    EXPECT_EQ(parts, (std::vector<std::string>{"0123456789", "abc"}));
}

TEST(Split, EmojiCountTwoAndAreNeverCut) {
    // 😀 is 4 UTF-8 bytes and 2 UTF-16 units (a surrogate pair).
    std::string text = repeat("😀", 9);  // 18 units
    auto parts = split_message(text, 5);
    ASSERT_EQ(parts.size(), 5u);
    EXPECT_EQ(parts[0], repeat("😀", 2));  // 4 units: a third would make 6
    for (const auto& p : parts) EXPECT_LE(core::utf16_length(p), 5u);
    check_split(text, 5, parts);
}

TEST(Split, CyrillicAndTurkishCountOneUnitEach) {
    std::string ru = repeat("Привет мир. ", 50);  // 12 units, 21 bytes each
    auto parts = split_message(ru, 100);
    check_split(ru, 100, parts);
    for (const auto& p : parts) EXPECT_TRUE(core::ends_with(p, "."));
    std::string tr = repeat("Iğdır'da şöyle çalışıyoruz ", 40);
    auto tparts = split_message(tr, 64);
    check_split(tr, 64, tparts);
    EXPECT_GT(tparts.size(), 10u);
}

TEST(Split, TenThousandCharacters) {
    std::string text;
    for (int i = 0; text.size() < 10'000; ++i) {
        text += "Sentence number " + std::to_string(i) + " is here. ";
        if (i % 7 == 6) text += "\n\n";
    }
    auto parts = split_message(text);
    EXPECT_EQ(parts.size(), 3u);
    check_split(text, telegram::kMaxMessageLength, parts);
    for (const auto& p : parts) EXPECT_FALSE(core::ends_with(p, "\n"));
}

TEST(Split, NoBreakText) {
    std::string text(10'000, 'x');
    auto parts = split_message(text);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0].size(), 4096u);
    EXPECT_EQ(parts[1].size(), 4096u);
    EXPECT_EQ(parts[2].size(), 10'000u - 8192u);
    check_split(text, telegram::kMaxMessageLength, parts);
}

TEST(Split, NoBreakMixedWidthText) {
    std::string text = repeat("ж😀a", 3000);  // 4 units per repetition
    auto parts = split_message(text);
    check_split(text, telegram::kMaxMessageLength, parts);
    EXPECT_EQ(parts.size(), 3u);
}

TEST(Split, EarlyBreaksAreIgnoredForFullerParts) {
    // A paragraph break near the start would waste a message; the later space is used.
    std::string text = "a\n\n" + repeat("word ", 10);
    auto parts = split_message(text, 20);
    EXPECT_GT(parts[0].size(), 3u);
    check_split(text, 20, parts);
}

}  // namespace
