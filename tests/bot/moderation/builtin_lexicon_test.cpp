#include "bot/moderation/builtin_lexicon.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "bot/moderation/preview.h"

namespace bot::moderation {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(BuiltinLexicon, HoldsTheShippedListsByteForByte) {
    auto lists = builtin_lists();
    ASSERT_EQ(lists.size(), 2u);
    EXPECT_EQ(lists[0].name, "en.txt");
    EXPECT_EQ(lists[1].name, "tr.txt");
    for (const BuiltinList& l : lists) {
        const std::string on_disk =
            read_file(std::string(LG_SOURCE_DIR) + "/data/lexicon/" + std::string(l.name));
        ASSERT_FALSE(on_disk.empty()) << l.name;
        EXPECT_EQ(l.text, on_disk) << l.name << " differs from data/lexicon: rebuild";
    }
}

TEST(BuiltinLexicon, LoadsAndMatchesLikeTheFiles) {
    Lexicon builtin;
    auto st = load_builtin_lexicon(builtin);
    ASSERT_TRUE(st) << st.error().message;
    Lexicon files;
    ASSERT_TRUE(files.load_file(std::string(LG_SOURCE_DIR) + "/data/lexicon/en.txt"));
    ASSERT_TRUE(files.load_file(std::string(LG_SOURCE_DIR) + "/data/lexicon/tr.txt"));
    EXPECT_EQ(builtin.size(), files.size());
    EXPECT_GT(builtin.size(), 50u);
    for (auto [text, lang] :
         {std::pair{"y0u 1d10t", "en"}, std::pair{"s.i.k.t.i.r git", "tr"},
          std::pair{"Scunthorpe is a town", "en"}, std::pair{"sikke koleksiyonu", "tr"}}) {
        const auto a = preview(text, lang, builtin);
        const auto b = preview(text, lang, files);
        EXPECT_EQ(a.flagged, b.flagged) << text;
        EXPECT_EQ(predicted_label(a), predicted_label(b)) << text;
    }
    EXPECT_TRUE(preview("y0u 1d10t", "en", builtin).flagged);
    EXPECT_FALSE(preview("sikke koleksiyonu", "tr", builtin).flagged);
}

}  // namespace
}  // namespace bot::moderation
