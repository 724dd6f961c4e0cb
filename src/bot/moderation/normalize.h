// Text normalization for moderation: turns what a user typed into the form the lexicon matches
// (NFKC, invisible characters removed, language-aware case folding, leetspeak and homoglyphs
// folded, single letters joined back, stretched letters collapsed). See docs/moderation.md.
//   auto n = bot::moderation::normalize("F.U.C.K y0u", "en");   // n.words: "fuck", "you"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bot::moderation {

// Input longer than this is cut (at a character boundary) before normalization; the rest is
// ignored and NormalizedText::truncated is set. Telegram texts are at most 4096 UTF-16 units
// (up to ~16 KiB of UTF-8), so this covers every real message.
inline constexpr size_t kMaxInputBytes = 16 * 1024;

// One word of the normalized text, with the forms the lexicon tries.
struct Word {
    std::string text;       // normalized: "fuuuck"
    std::string collapse2;  // runs of 3+ identical letters cut to 2: "fuuck"
    std::string collapse1;  // every run cut to 1: "fuck"
    std::string folded;  // diacritics dropped from Latin letters (ş→s ğ→g ü→u é→e), ı→i
    // False when, in a Turkish chat, the user typed Turkish letters (ş ğ ç ö ü ı) in this word:
    // then the word means what it says ("sık" is not "sik") and `folded` is not matched.
    bool fold_allowed = true;
    // The word followed an '@' taken as punctuation ("@john"); the lexicon also tries it with the
    // '@' read as 'a' ("@sshole" -> "asshole").
    bool after_at = false;
    size_t begin = 0;  // byte range of the word in the original input
    size_t end = 0;
};

struct NormalizedText {
    std::string lang;               // the language the text was normalized for ("tr", "en", "")
    std::string text;               // normalized; spaces collapsed, punctuation and emoji kept
    std::vector<uint32_t> offsets;  // for each byte of `text`, the byte offset in the input
    std::vector<Word> words;
    bool truncated = false;         // the input was longer than kMaxInputBytes
    bool had_invalid_utf8 = false;  // invalid bytes were replaced by U+FFFD
};

// Normalizes `text` for the chat language `lang` (a BCP 47 tag or Telegram language_code; only
// the primary subtag counts, "tr" and "az" get Turkish casing). Never fails: invalid UTF-8 is
// replaced by U+FFFD, over-long input is cut.
NormalizedText normalize(std::string_view text, std::string_view lang);

// Drops the diacritics of Latin letters and dotless ı: "göt" -> "got", "sıkıntı" -> "sikinti".
std::string fold_turkish(std::string_view normalized_word);

// Cuts runs of identical characters longer than `max_run` to `max_run` characters.
std::string collapse_runs(std::string_view normalized_word, size_t max_run);

}  // namespace bot::moderation
