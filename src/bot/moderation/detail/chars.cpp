#include "bot/moderation/detail/chars.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <string_view>
#include <utility>

namespace bot::moderation::detail {
namespace {

// Look-alike letter -> Latin letter. Cyrillic, then Greek, then Latin small capitals.
constexpr std::pair<char32_t, char> kHomoglyphs[] = {
    {U'а', 'a'}, {U'в', 'b'}, {U'е', 'e'}, {U'ё', 'e'}, {U'н', 'h'}, {U'і', 'i'}, {U'ї', 'i'},
    {U'ј', 'j'}, {U'к', 'k'}, {U'м', 'm'}, {U'о', 'o'}, {U'р', 'p'}, {U'с', 'c'}, {U'ѕ', 's'},
    {U'т', 't'}, {U'у', 'y'}, {U'х', 'x'}, {U'ԁ', 'd'}, {U'һ', 'h'}, {U'ӏ', 'l'}, {U'ԛ', 'q'},
    {U'ԝ', 'w'}, {U'α', 'a'}, {U'β', 'b'}, {U'ε', 'e'}, {U'η', 'n'}, {U'ι', 'i'}, {U'κ', 'k'},
    {U'ν', 'v'}, {U'ο', 'o'}, {U'ρ', 'p'}, {U'τ', 't'}, {U'υ', 'u'}, {U'χ', 'x'}, {U'ω', 'w'},
    {U'ᴀ', 'a'}, {U'ʙ', 'b'}, {U'ᴄ', 'c'}, {U'ᴅ', 'd'}, {U'ᴇ', 'e'}, {U'ɢ', 'g'}, {U'ʜ', 'h'},
    {U'ɪ', 'i'}, {U'ᴊ', 'j'}, {U'ᴋ', 'k'}, {U'ʟ', 'l'}, {U'ᴍ', 'm'}, {U'ɴ', 'n'}, {U'ᴏ', 'o'},
    {U'ᴘ', 'p'}, {U'ʀ', 'r'}, {U'ꜱ', 's'}, {U'ᴛ', 't'}, {U'ᴜ', 'u'}, {U'ᴠ', 'v'}, {U'ᴡ', 'w'},
    {U'ʏ', 'y'}, {U'ᴢ', 'z'}, {U'ɑ', 'a'}, {U'ɡ', 'g'},
};

}  // namespace

bool is_pictograph(char32_t c) {
    if (c < 0x80) return false;
    return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EXTENDED_PICTOGRAPHIC) ||
           u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_REGIONAL_INDICATOR) ||
           u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EMOJI_MODIFIER);
}

bool is_invisible(char32_t c, bool after_pictograph) {
    if (c < 0x80) return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    const auto uc = static_cast<UChar32>(c);
    const bool variation = (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
    const bool emoji_tag = c >= 0xE0020 && c <= 0xE007F;  // flag sequences (England...)
    if ((c == 0x200D || variation || emoji_tag) && after_pictograph) return false;
    if (c == '\t' || c == '\n' || c == '\r') return false;  // turned into spaces later
    const auto type = u_charType(uc);
    if (type == U_CONTROL_CHAR || type == U_FORMAT_CHAR) return true;
    return u_hasBinaryProperty(uc, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

char32_t fold_homoglyph(char32_t c) {
    if (c < 0x80) return c;
    for (const auto& [from, to] : kHomoglyphs) {
        if (from == c) return static_cast<char32_t>(to);
    }
    return c;
}

char32_t fold_leet(char32_t c) {
    constexpr std::string_view kFrom = "013457@$!";
    constexpr std::string_view kTo = "oieastasi";
    if (c >= 0x80) return 0;
    const size_t i = kFrom.find(static_cast<char>(c));
    return i == std::string_view::npos ? 0 : static_cast<char32_t>(kTo[i]);
}

bool is_turkish_letter(char32_t c) {
    switch (c) {
        case U'ş':
        case U'Ş':
        case U'ğ':
        case U'Ğ':
        case U'ç':
        case U'Ç':
        case U'ö':
        case U'Ö':
        case U'ü':
        case U'Ü':
        case U'ı':
            return true;
        default:
            return false;
    }
}

char32_t strip_diacritic(char32_t c) {
    if (c < 0xC0) return c;
    if (c == U'ı') return 'i';
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) return c;
    icu::UnicodeString out;
    if (!nfd->getDecomposition(static_cast<UChar32>(c), out) || out.length() == 0) return c;
    const UChar32 base = out.char32At(0);
    // Only Latin letters lose their marks: other scripts keep their letters as they are.
    if (base < 'a' || base > 'z') return c;
    return static_cast<char32_t>(base);
}

}  // namespace bot::moderation::detail
