#include "core/strings.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(Strings, TrimSplitLower) {
    EXPECT_EQ(trim("  a b \n"), "a b");
    EXPECT_EQ(trim("   "), "");
    EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
    EXPECT_EQ(to_lower_ascii("HeLLo İ"), "hello İ");
}

TEST(Strings, Utf8SafePrefixNeverCutsACharacter) {
    std::string s = "aé€😀";  // 1 + 2 + 3 + 4 bytes
    EXPECT_EQ(utf8_safe_prefix(s, 100), s.size());
    EXPECT_EQ(utf8_safe_prefix(s, 1), 1u);
    EXPECT_EQ(utf8_safe_prefix(s, 2), 1u);
    EXPECT_EQ(utf8_safe_prefix(s, 3), 3u);
    EXPECT_EQ(utf8_safe_prefix(s, 5), 3u);
    EXPECT_EQ(utf8_safe_prefix(s, 6), 6u);
    EXPECT_EQ(utf8_safe_prefix(s, 9), 6u);
}

TEST(Strings, Utf16LengthCountsSurrogatePairs) {
    EXPECT_EQ(utf16_length("abc"), 3u);
    EXPECT_EQ(utf16_length("é€"), 2u);
    EXPECT_EQ(utf16_length("😀"), 2u);
}

TEST(Strings, ValidUtf8) {
    EXPECT_TRUE(is_valid_utf8("plain é € 😀"));
    EXPECT_FALSE(is_valid_utf8("\xC3"));
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
    EXPECT_FALSE(is_valid_utf8("\xFF"));
}

}  // namespace
}  // namespace core
