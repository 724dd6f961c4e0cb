// Per-language word and phrase lists matched on whole words of normalized text: the cheap first
// pass of moderation. Entries are exact words, phrases, Turkish stems ("sik*") or stems with
// listed suffixes ("bok[lu|çu]"); an allow-list keeps clean words with risky stems clean.
//   bot::moderation::Lexicon lex; LG_TRY(lex.load_file("data/lexicon/tr.txt"));
//   auto r = lex.match(bot::moderation::normalize(text, "tr")); if (r.decisive) ...
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bot/moderation/normalize.h"
#include "core/result.h"

namespace bot::moderation {

enum class Category { Harassment, Hate, Sexual, Violence, SelfHarm, Spam };
inline constexpr size_t kCategoryCount = 6;
inline constexpr std::array<Category, kCategoryCount> kCategories = {
    Category::Harassment, Category::Hate,     Category::Sexual,
    Category::Violence,   Category::SelfHarm, Category::Spam};

// "harassment", "hate", "sexual", "violence", "self_harm", "spam".
const char* category_name(Category c);
std::optional<Category> parse_category(std::string_view name);

struct LexiconHit {
    std::string term;  // the entry as written in the list
    Category category = Category::Harassment;
    double weight = 0;
    bool decisive = false;
    size_t word_index = 0;  // first word of the hit in NormalizedText::words
    size_t word_count = 1;  // words covered (phrases cover several)
};

struct LexiconResult {
    std::vector<LexiconHit> hits;
    bool decisive = false;                        // some hit is decisive by itself
    std::array<double, kCategoryCount> scores{};  // sum of the hit weights per category
    double score(Category c) const { return scores[static_cast<size_t>(c)]; }
};

class Lexicon {
public:
    // Adds an entry. `term`: a word, a phrase of words ("kill yourself"), "stem*" (the stem
    // followed by any letters) or "stem[suf1|suf2]" (the stem alone or with one of the
    // suffixes). `lang`: empty applies to every chat, else only to chats of that language.
    // Fails when the term is empty after normalization or malformed.
    core::Status add_word(std::string_view term, Category category, double weight, bool decisive,
                          std::string_view lang = "");
    // A clean word that must never hit ("sikke", "sikke*" for its inflections).
    core::Status add_allowed(std::string_view term, std::string_view lang = "");

    // Loads a list in the documented format (docs/moderation.md). Errors name file:line.
    core::Status load_file(const std::string& path, std::string_view lang = "");
    core::Status load_text(std::string_view text, std::string_view source,
                           std::string_view lang = "");

    LexiconResult match(const NormalizedText& text) const;
    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::string term;
        std::vector<std::string> words;   // normalized; the last one is the stem for stem entries
        std::vector<std::string> folded;  // the same, Turkish letters folded
        bool any_suffix = false;          // "stem*"
        Category category = Category::Harassment;
        double weight = 0;
        bool decisive = false;
        bool allow = false;
        std::string lang;
    };
    core::Status add_entry(std::string_view term, Entry entry);
    core::Status load_line(std::string_view line, std::string& lang);
    bool allowed(const std::vector<std::string>& forms, const std::vector<std::string>& folded,
                 std::string_view lang) const;
    void match_at(const NormalizedText& text, size_t index,
                  const std::vector<std::vector<std::string>>& forms,
                  const std::vector<std::vector<std::string>>& folded, LexiconResult& out) const;

    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::vector<size_t>> exact_;   // first word -> entries
    std::unordered_map<std::string, std::vector<size_t>> folded_;  // folded first word -> entries
    std::vector<size_t> stems_;                                    // "stem*" entries
    std::unordered_map<std::string, std::vector<size_t>> allow_exact_;  // allow-list words
    std::vector<size_t> allow_stems_;                                   // allow-list "stem*"
};

}  // namespace bot::moderation
