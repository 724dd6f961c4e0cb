#include "bot/moderation/normalize.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace bot::moderation {
namespace {

struct Case {
    const char* input;
    const char* lang;
    const char* text;  // expected NormalizedText::text
};

std::string words_of(const NormalizedText& n) {
    std::string out;
    for (const auto& w : n.words) out += (out.empty() ? "" : "|") + w.text;
    return out;
}

const std::vector<Case> kCases = {
    // plain text and spaces
    {"Hello World", "en", "hello world"},
    {"  many   spaces\t\tand\nlines  ", "en", "many spaces and lines"},
    {"", "en", ""},
    // Turkish casing: tr vs other languages
    {"İSTANBUL", "tr", "istanbul"},
    {"ISPARTA", "tr", "ısparta"},
    {"ISPARTA", "en", "isparta"},
    {"İSTANBUL", "en", "istanbul"},
    {"IĞDIR", "tr", "ığdır"},
    {"DİYARBAKIR", "tr-TR", "diyarbakır"},
    {"I\xcc\x87stanbul", "en", "istanbul"},  // I + combining dot above
    {"SIKINTI", "tr", "sıkıntı"},
    {"Şerefsiz GÖT", "tr", "şerefsiz göt"},
    // NFKC: full-width letters, ligatures, mathematical letters, circled letters
    {"\xef\xbd\x86\xef\xbd\x95\xef\xbd\x83\xef\xbd\x8b", "en", "fuck"},  // ｆｕｃｋ
    {"\xef\xac\x81ne", "en", "fine"},                                    // ﬁne
    {"\xf0\x9d\x90\x9f\xf0\x9d\x90\xae\xf0\x9d\x90\x9c\xf0\x9d\x90\xa4", "en", "fuck"},  // 𝐟𝐮𝐜𝐤
    {"\xe2\x93\x95\xe2\x93\xa4\xe2\x93\x92\xe2\x93\x9a", "en", "fuck"},  // ⓕⓤⓒⓚ
    {"e\xcc\x81t\xc3\xa9", "en", "\xc3\xa9t\xc3\xa9"},                   // e + acute composes
    {"Stra\xc3\x9f"
     "e",
     "en", "strasse"},
    // zero-width and control characters in the middle of words
    {"fu\xe2\x80\x8b"
     "ck",
     "en", "fuck"},  // ZWSP
    {"f\xe2\x80\x8cu\xe2\x80\x8d"
     "ck",
     "en", "fuck"},                        // ZWNJ, ZWJ
    {"sh\xe2\x81\xa0it", "en", "shit"},    // word joiner
    {"\xef\xbb\xbfhello", "en", "hello"},  // BOM
    {"bit\xc2\xad"
     "ch",
     "en", "bitch"},  // soft hyphen
    {"i\xe2\x80\xae"
     "diot",
     "en", "idiot"},  // right-to-left override
    {"a\x01\x07"
     "ss",
     "en", "ass"},  // control characters
    // homoglyphs
    {"\xd1\x81\xd1\x83\xd0\xba\xd0\xb0", "en", "cyka"},  // Cyrillic сука
    {"fu\xd1\x81k", "en", "fuck"},                       // Cyrillic с
    {"\xd0\xb0ss", "en", "ass"},                         // Cyrillic а
    {"\xd1\x96"
     "diot",
     "en", "idiot"},                                   // Cyrillic і
    {"\xcf\x83\xce\xbf\xce\xb1", "en", "\xcf\x83oa"},  // Greek ο α fold, σ stays
    {"\xe1\xb4\x98\xe1\xb4\x9c\xea\x9c\xb1\xea\x9c\xb1\xca\x8f", "en", "pussy"},  // small caps
    // leetspeak inside words only
    {"sh1t h3ll0", "en", "shit hello"},
    {"a55 @$$", "en", "ass ass"},
    {"$h!t", "en", "shit"},
    {"hello!!! wow!", "en", "hello!!! wow!"},
    {"2024 was 100% fine", "en", "2024 was 100% fine"},
    {"@john_doe hi", "en", "@john_doe hi"},
    {"s1kt1r", "tr", "siktir"},
    // separators between single letters
    {"f.u.c.k you", "en", "fuck you"},
    {"f u c k", "en", "fuck"},
    {"f-u-c-k off", "en", "fuck off"},
    {"f_u_c_k", "en", "fuck"},
    {"f*u*c*k", "en", "fuck"},
    {"s . i . k", "tr", "sik"},
    {"5.h.1.t", "en", "shit"},
    {"a b", "en", "a b"},
    {"1 2 3", "en", "1 2 3"},
    {"a, b, c", "en", "a, b, c"},
    // repeated letters stay in text (the collapsed forms are on the words)
    {"fuuuuuck", "en", "fuuuuuck"},
    // emoji untouched
    {"\xf0\x9f\x98\x80", "en", "\xf0\x9f\x98\x80"},
    {"\xe2\x9d\xa4\xef\xb8\x8f ok", "en", "\xe2\x9d\xa4\xef\xb8\x8f ok"},  // ❤️ keeps VS16
    {"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7", "en",
     "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"},  // family ZWJ
                                                                                   // sequence
    {"1\xef\xb8\x8f\xe2\x83\xa3 go", "en", "1\xef\xb8\x8f\xe2\x83\xa3 go"},        // keycap 1️⃣
    {"\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd nice", "en",
     "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd nice"},  // 👍🏽
    {"fu\xef\xb8\x8f"
     "ck",
     "en", "fuck"},  // a stray variation selector inside a word
    // invalid UTF-8 becomes U+FFFD
    {"bad\xff\xfe"
     "bytes",
     "en",
     "bad\xef\xbf\xbd\xef\xbf\xbd"
     "bytes"},
    {"\xc3", "en", "\xef\xbf\xbd"},
    {"\xe2\x82", "en", "\xef\xbf\xbd"},
};

TEST(Normalize, Table) {
    ASSERT_GE(kCases.size(), 40u);
    for (const Case& c : kCases) {
        const auto n = normalize(c.input, c.lang);
        EXPECT_EQ(n.text, c.text) << "input '" << c.input << "' lang " << c.lang;
        EXPECT_EQ(n.offsets.size(), n.text.size()) << c.input;
    }
}

TEST(Normalize, WordsAndForms) {
    const auto n = normalize("Fuuuuck yooou, too", "en");
    ASSERT_EQ(words_of(n), "fuuuuck|yooou|too");
    EXPECT_EQ(n.words[0].collapse2, "fuuck");
    EXPECT_EQ(n.words[0].collapse1, "fuck");
    EXPECT_EQ(n.words[1].collapse1, "you");
    EXPECT_EQ(n.words[2].collapse2, "too");
    EXPECT_EQ(words_of(normalize("@john_doe, 2 b||!", "en")), "john|doe|2|b");
    EXPECT_EQ(words_of(normalize("\xf0\x9f\x98\x80\xf0\x9f\x98\x82", "en")), "");
}

TEST(Normalize, TurkishFoldingIsOnlyAllowedForWordsTypedWithoutTurkishLetters) {
    const auto tr = normalize("sık got şerefsiz", "tr");
    ASSERT_EQ(tr.words.size(), 3u);
    EXPECT_FALSE(tr.words[0].fold_allowed);  // "sık" was typed with ı: it means "frequent"
    EXPECT_EQ(tr.words[0].folded, "sik");
    EXPECT_TRUE(tr.words[1].fold_allowed);
    EXPECT_FALSE(tr.words[2].fold_allowed);
    EXPECT_EQ(tr.words[2].folded, "serefsiz");
    // Outside Turkish chats accented letters are obfuscation: "fück" folds to "fuck".
    const auto en = normalize(
        "f\xc3\xbc"
        "ck",
        "en");
    ASSERT_EQ(en.words.size(), 1u);
    EXPECT_TRUE(en.words[0].fold_allowed);
    EXPECT_EQ(en.words[0].folded, "fuck");
    EXPECT_EQ(fold_turkish("çğıöşü"), "cgiosu");
    EXPECT_EQ(collapse_runs("aaabbbbcc", 2), "aabbcc");
    EXPECT_EQ(collapse_runs("aaabbbbcc", 1), "abc");
}

TEST(Normalize, OffsetsPointIntoTheOriginal) {
    const std::string input = "Hi \xe2\x80\x8b\xef\xbd\x86\xef\xbd\x95 f.u.c.k";
    const auto n = normalize(input, "en");
    ASSERT_EQ(n.text, "hi fu fuck");
    ASSERT_EQ(n.words.size(), 3u);
    EXPECT_EQ(input.substr(n.words[1].begin, n.words[1].end - n.words[1].begin),
              "\xef\xbd\x86\xef\xbd\x95");
    EXPECT_EQ(input.substr(n.words[2].begin, n.words[2].end - n.words[2].begin), "f.u.c.k");
    EXPECT_EQ(n.offsets[3], 6u);  // 'f' comes from the full-width letter after the ZWSP
}

TEST(Normalize, HugeInputIsCutAtACharacterBoundary) {
    std::string big;
    while (big.size() < 3 * kMaxInputBytes) big += "ş";  // 2 bytes each
    big += "x";
    const auto n = normalize(big, "tr");
    EXPECT_TRUE(n.truncated);
    EXPECT_FALSE(n.had_invalid_utf8);
    EXPECT_LE(n.offsets.back(), kMaxInputBytes);
    ASSERT_EQ(n.words.size(), 1u);
    EXPECT_EQ(n.words[0].text.size(), kMaxInputBytes);
}

TEST(Normalize, NeverCrashesOnHostileInput) {
    std::string all_bytes;
    for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
    const auto n = normalize(all_bytes, "en");
    EXPECT_TRUE(n.had_invalid_utf8);
    // Only combining marks, only separators, a very long word, many expanding characters.
    normalize(std::string(5000, '\xcc'), "en");
    normalize(std::string(kMaxInputBytes, '.'), "en");
    normalize(std::string(kMaxInputBytes * 2, 'a'), "en");
    std::string expanding;
    for (int i = 0; i < 2000; ++i) expanding += "\xef\xb7\xba";  // U+FDFA: 18 characters under NFKC
    EXPECT_FALSE(normalize(expanding, "ar").words.empty());
    std::string spelled;
    for (int i = 0; i < 3000; ++i) spelled += "a ";
    EXPECT_EQ(normalize(spelled, "en").words.size(), 1u);
}

// Random byte strings built from pieces that stress every stage: the result keeps its invariants.
TEST(Normalize, RandomInputKeepsInvariants) {
    const std::vector<std::string> pieces = {"a",
                                             "I",
                                             "\xc4\xb0",
                                             "\xc4\xb1",
                                             "s",
                                             "1",
                                             "@",
                                             "$",
                                             "!",
                                             ".",
                                             " ",
                                             "-",
                                             "*",
                                             "\xe2\x80\x8b",
                                             "\xe2\x80\x8d",
                                             "\xef\xb8\x8f",
                                             "\xf0\x9f\x98\x80",
                                             "\xcc\x81",
                                             "\xd1\x81",
                                             "\xef\xbd\x86",
                                             "\xff",
                                             "\xc3",
                                             "\xe2\x82",
                                             "\xef\xb7\xba",
                                             "\xc3\x9f",
                                             "\t",
                                             "\n",
                                             std::string(1, '\0'),
                                             "\xf4\x90\x80\x80"};
    std::mt19937 rng(12345);
    for (int iter = 0; iter < 3000; ++iter) {
        std::string input;
        const int len = static_cast<int>(rng() % 40);
        for (int k = 0; k < len; ++k) input += pieces[rng() % pieces.size()];
        for (const char* lang : {"en", "tr"}) {
            const auto n = normalize(input, lang);
            ASSERT_EQ(n.offsets.size(), n.text.size());
            for (size_t k = 0; k < n.offsets.size(); ++k) {
                ASSERT_LT(n.offsets[k], input.size());
                if (k > 0) {
                    ASSERT_LE(n.offsets[k - 1], n.offsets[k]);
                }
            }
            for (const auto& w : n.words) {
                ASSERT_FALSE(w.text.empty());
                ASSERT_LT(w.begin, w.end);
                ASSERT_LE(w.end, input.size());
                ASSERT_NE(n.text.find(w.text), std::string::npos);
            }
            ASSERT_TRUE(n.text.empty() || (n.text.front() != ' ' && n.text.back() != ' '));
        }
    }
}

}  // namespace
}  // namespace bot::moderation
