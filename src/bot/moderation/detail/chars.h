// Character tables used by normalize(): invisible characters, homoglyphs, leetspeak, Turkish
// letters. Internal to bot/moderation.
//   char32_t c = bot::moderation::detail::fold_homoglyph(U'а');   // Cyrillic a -> 'a'
#pragma once

namespace bot::moderation::detail {

// True for characters removed before anything else: format characters (ZWSP, ZWNJ, WJ, BOM, soft
// hyphen, bidi controls...), other default-ignorables and control characters other than spaces.
// `after_pictograph` keeps a ZWJ or variation selector that continues an emoji sequence.
bool is_invisible(char32_t c, bool after_pictograph);
bool is_pictograph(char32_t c);

// Cyrillic, Greek and small-capital letters that look like a Latin letter, after case folding.
// Returns `c` itself when it has no look-alike.
char32_t fold_homoglyph(char32_t c);

// Leetspeak: '0'->'o', '1'->'i', '3'->'e', '4'->'a', '5'->'s', '7'->'t', '@'->'a', '$'->'s',
// '!'->'i'. Returns 0 for other characters.
char32_t fold_leet(char32_t c);

// ş ğ ç ö ü ı (either case) as typed by the user, before case folding.
bool is_turkish_letter(char32_t c);

// Latin letter with its diacritic removed (ş->s, ü->u, é->e, ı->i...); `c` itself otherwise.
char32_t strip_diacritic(char32_t c);

}  // namespace bot::moderation::detail
