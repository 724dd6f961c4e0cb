#include "bot/moderation/lexicon.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bot/moderation/preview.h"

namespace bot::moderation {
namespace {

const std::string kLexiconDir = std::string(LG_SOURCE_DIR) + "/data/lexicon";

const Lexicon& shipped() {
    static const Lexicon lex = [] {
        Lexicon l;
        auto en = l.load_file(kLexiconDir + "/en.txt");
        EXPECT_TRUE(en) << en.error().message;
        auto tr = l.load_file(kLexiconDir + "/tr.txt");
        EXPECT_TRUE(tr) << tr.error().message;
        return l;
    }();
    return lex;
}

std::string hit_terms(const LexiconResult& r) {
    std::string out;
    for (const auto& h : r.hits) out += (out.empty() ? "" : ",") + h.term;
    return out;
}

struct MatchCase {
    const char* text;
    const char* lang;
    const char* hits;  // comma-separated entry terms, "" for none
};

const std::vector<MatchCase> kMatchCases = {
    // English hits, plain and obfuscated
    {"you are an idiot", "en", "an idiot,idiot[s|ic]"},
    {"F.U.C.K you", "en", "fuck*"},
    {"fuuuuuck this", "en", "fuck*"},
    {"fucking hell", "en", "fuck*"},
    {"sh1tty bot", "en", "shit[s|ty]"},
    {"$h!thead", "en", "shit[head|heads|face|bag]"},
    {"you @sshole", "en", "asshole[s]"},
    {"@ss", "en", "ass[hat|wipe|es]"},
    {"@johnny hi", "en", ""},
    {"b\xd1\x96tch", "en", "bitch[es|y]"},  // Cyrillic і
    {"kill yourself", "en", "kill yourself"},
    {"k.y.s", "en", "kys"},
    {"KILL   YOURSELF!!!", "en", "kill yourself"},
    {"assss", "en", "ass[hat|wipe|es]"},
    {"f\xc3\xbc"
     "ck off",
     "en", "fuck*"},
    // English Scunthorpe-class words: no hit
    {"Scunthorpe United won", "en", ""},
    {"please assess the class assignment", "en", ""},
    {"a cocktail in the cockpit", "en", ""},
    {"my therapist likes grapes and grape juice", "en", ""},
    {"shiitake mushrooms", "en", ""},
    {"I passed the bass", "en", ""},
    {"Dickens wrote books", "en", ""},
    {"analysis of the data", "en", ""},
    {"I got it", "en", ""},  // "göt" is Turkish only
    {"amen, I am here", "en", ""},
    // Turkish hits
    {"siktir git", "tr", "sik*,siktir git"},
    {"SİKTİR", "tr", "sik*"},
    {"s.i.k.t.i.r", "tr", "sik*"},
    {"s1kt1r", "tr", "sik*"},
    {"amk", "tr", "amk"},
    {"amına koyayım", "tr", "amına,amına koyayım"},
    {"amina koyayim", "tr", "amına,amına koyayım"},
    {"orospu çocuğu", "tr", "orospu*"},
    {"orspu", "tr", ""},
    {"gotveren", "tr", "göt[ü|ün|veren|lek|lük|oş|ler|ünü|üne]"},
    {"serefsiz herif", "tr", "şerefsiz*"},
    {"Şerefsizler", "tr", "şerefsiz*"},
    {"amcik", "tr", "amcık"},
    {"yarrrrrak", "tr", "yarrak*,yarak"},
    {"\xd0\xb0mk", "tr", "amk"},  // Cyrillic а
    // Turkish clean words: no hit
    {"sikke koleksiyonu", "tr", ""},
    {"eski sikkeler", "tr", ""},
    {"çok sıkıldım", "tr", ""},
    {"cok sikildim ya", "tr", ""},
    {"bu ne sikinti", "tr", ""},
    {"sık sık gelirim", "tr", ""},
    {"SIK SIK", "tr", "sik*,sik*"},  // ASCII capitals: ambiguous, folded (docs)
    {"amcam geldi, amca", "tr", ""},
    {"veri analizi", "tr", ""},
    {"amin", "tr", ""},
    {"bunu götür", "tr", ""},
    {"bunu gotur lutfen", "tr", ""},
    {"sikayet ettim", "tr", ""},
    {"sinir oldum", "tr", ""},
    {"lan kanka naber", "tr", ""},
    // phrases need consecutive words
    {"kill the bug, yourself included", "en", ""},
    {"I will kill you", "en", "i will kill,kill you"},
    {"please dm me", "en", "dm me"},
    // Turkish entries stay in Turkish chats
    {"sik", "en", ""},
    {"amk", "de", ""},
};

TEST(Lexicon, MatchTable) {
    const Lexicon& lex = shipped();
    for (const auto& c : kMatchCases) {
        const auto r = lex.match(normalize(c.text, c.lang));
        EXPECT_EQ(hit_terms(r), c.hits) << "text '" << c.text << "' lang " << c.lang;
    }
}

TEST(Lexicon, HitDetailsAndScores) {
    const auto r = shipped().match(normalize("hey idiot, the moron", "en"));
    ASSERT_EQ(r.hits.size(), 2u);
    EXPECT_EQ(r.hits[0].word_index, 1u);
    EXPECT_EQ(r.hits[0].category, Category::Harassment);
    EXPECT_FALSE(r.decisive);
    EXPECT_DOUBLE_EQ(r.score(Category::Harassment), 0.7 + 0.8);
    const auto d = shipped().match(normalize("kys", "en"));
    EXPECT_TRUE(d.decisive);
    EXPECT_DOUBLE_EQ(d.score(Category::SelfHarm), 1.0);
}

TEST(Lexicon, PerGroupWordsStemsAndSuffixes) {
    Lexicon lex;
    ASSERT_TRUE(lex.add_word("spoiler", Category::Spam, 0.5, false));
    ASSERT_TRUE(lex.add_word("kötü[ler|sün]", Category::Harassment, 1.0, true, "tr"));
    ASSERT_TRUE(lex.add_word("muz*", Category::Harassment, 1.0, true, "tr"));
    ASSERT_TRUE(lex.add_allowed("muzik*", "tr"));
    ASSERT_TRUE(lex.add_word("buy followers", Category::Spam, 1.0, true));
    EXPECT_EQ(hit_terms(lex.match(normalize("SPOILER alert", "en"))), "spoiler");
    EXPECT_EQ(hit_terms(lex.match(normalize("sen kötüsün", "tr"))), "kötü[ler|sün]");
    EXPECT_EQ(hit_terms(lex.match(normalize("sen kotusun", "tr"))), "kötü[ler|sün]");
    EXPECT_EQ(hit_terms(lex.match(normalize("kötülük", "tr"))), "");  // suffix not listed
    EXPECT_EQ(hit_terms(lex.match(normalize("muzlar", "tr"))), "muz*");
    EXPECT_EQ(hit_terms(lex.match(normalize("muzikler", "tr"))), "");  // allow-list
    EXPECT_EQ(hit_terms(lex.match(normalize("muz2", "tr"))), "");      // digits are no suffix
    EXPECT_EQ(hit_terms(lex.match(normalize("Buy   FOLLOWERS now", "en"))), "buy followers");
    EXPECT_EQ(hit_terms(lex.match(normalize("buy more followers", "en"))), "");
    EXPECT_FALSE(lex.add_word("  ", Category::Spam, 1, false));
    EXPECT_FALSE(lex.add_word("two words*", Category::Spam, 1, false));
}

TEST(Lexicon, LoadTextReportsFileAndLine) {
    struct Bad {
        const char* text;
        const char* message_part;
    };
    const std::vector<Bad> bad = {
        {"# ok\nidiot\tharassment\t1\n", "lists.txt:2: expected 4 tab-separated fields"},
        {"idiot\tharass\t1\tscore\n", "lists.txt:1: unknown category 'harass'"},
        {"idiot\tharassment\theavy\tscore\n", "lists.txt:1: weight 'heavy'"},
        {"idiot\tharassment\t-1\tscore\n", "lists.txt:1: weight '-1'"},
        {"idiot\tharassment\t1\tmaybe\n",
         "lists.txt:1: last field 'maybe' must be decisive or score"},
        {"\n\n!!!\tspam\t1\tscore\n", "lists.txt:3: '!!!' has no letters"},
        {"bad]\tspam\t1\tscore\n", "lists.txt:1: 'bad]' has ']' without '['"},
    };
    for (const auto& b : bad) {
        Lexicon lex;
        auto st = lex.load_text(b.text, "lists.txt");
        ASSERT_FALSE(st) << b.text;
        EXPECT_NE(st.error().message.find(b.message_part), std::string::npos) << st.error().message;
    }
    Lexicon lex;
    ASSERT_TRUE(lex.load_text(
        "# c\r\n\r\n!lang tr\r\nbok\tharassment\t0.5\tscore\r\nboks\tallow\r\n", "x"));
    EXPECT_EQ(lex.size(), 2u);
    EXPECT_EQ(hit_terms(lex.match(normalize("bok", "tr"))), "bok");
    EXPECT_EQ(hit_terms(lex.match(normalize("bok", "en"))), "");
}

TEST(Lexicon, LoadFileErrors) {
    Lexicon lex;
    auto missing = lex.load_file("/nonexistent/lexicon.txt");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
    EXPECT_NE(missing.error().message.find("/nonexistent/lexicon.txt"), std::string::npos);
    const std::string path = std::string(LG_BINARY_DIR) + "/moderation_bad_lexicon.txt";
    {
        std::ofstream out(path);
        out << "# header\nfine\tspam\t0.5\tscore\nbroken line\n";
    }
    auto st = lex.load_file(path);
    std::remove(path.c_str());
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find(path + ":3:"), std::string::npos) << st.error().message;
}

TEST(Preview, FlagsOnDecisiveHitsOrThreshold) {
    const Lexicon& lex = shipped();
    auto p = preview("th3 1d10t", "en", lex);
    EXPECT_EQ(p.normalized, "the idiot");
    EXPECT_FALSE(p.flagged);  // 0.7 < 1.0
    EXPECT_EQ(predicted_label(p), "clean");
    p = preview("th3 1d10t", "en", lex, 0.5);
    EXPECT_TRUE(p.flagged);
    EXPECT_EQ(predicted_label(p), "harassment");
    p = preview("free crypto airdrop, dm me", "en", lex);
    EXPECT_TRUE(p.flagged);
    EXPECT_EQ(predicted_label(p), "spam");
    p = preview("what a nice day", "en", lex);
    EXPECT_FALSE(p.flagged);
    EXPECT_TRUE(p.hits.empty());
    const std::string original = "ok s.i.k.t.i.r";
    p = preview(original, "tr", lex);
    EXPECT_TRUE(p.decisive);
    const std::string text = explain(p, original, normalize(original, "tr"));
    EXPECT_NE(text.find("in 's.i.k.t.i.r'"), std::string::npos) << text;
    EXPECT_NE(text.find("verdict: harassment"), std::string::npos) << text;
}

}  // namespace
}  // namespace bot::moderation
