#include "bot/moderation/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "bot/moderation/detail/chars.h"

namespace bot::moderation {
namespace {

// One code point of the text being normalized, with the byte range of the input it came from.
struct Cp {
    char32_t c = 0;
    uint32_t begin = 0;
    uint32_t end = 0;
    bool typed_tr = false;  // came from ş ğ ç ö ü ı typed by the user
};

enum class Kind { Word, Gap };
struct Token {
    Kind kind = Kind::Gap;
    std::vector<Cp> cps;
};

bool is_turkish_lang(std::string_view lang) {
    const std::string_view primary =
        lang.substr(0, std::min(lang.find_first_of("-_"), lang.size()));
    return primary.size() == 2 && (primary[0] | 0x20) == 't' && (primary[1] | 0x20) == 'r';
}

bool is_space(char32_t c) { return c == ' ' || u_isUWhiteSpace(static_cast<UChar32>(c)); }
bool is_letter(char32_t c) {
    if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    const auto uc = static_cast<UChar32>(c);
    const bool variation = (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
    return u_isalpha(uc) ||
           ((U_GET_GC_MASK(uc) & (U_GC_MN_MASK | U_GC_MC_MASK)) != 0 && !variation);
}
bool is_word_char(char32_t c) {
    return is_letter(c) || u_isdigit(static_cast<UChar32>(c)) || c == '@' || c == '$' || c == '!';
}

void append_utf8(std::string& out, char32_t c) {
    char buf[4];
    int32_t n = 0;
    UBool error = false;
    U8_APPEND(reinterpret_cast<uint8_t*>(buf), n, 4, static_cast<UChar32>(c), error);
    if (error) return;
    out.append(buf, static_cast<size_t>(n));
}

std::vector<char32_t> decode_plain(std::string_view s) {
    std::vector<char32_t> out;
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const auto n = static_cast<int32_t>(s.size());
    for (int32_t i = 0; i < n;) {
        UChar32 c = 0;
        U8_NEXT_OR_FFFD(p, i, n, c);
        out.push_back(static_cast<char32_t>(c));
    }
    return out;
}

// Stage 1: UTF-8 to code points; invalid bytes become U+FFFD; invisible characters go.
std::vector<Cp> decode(std::string_view s, bool& had_invalid) {
    std::vector<Cp> out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const auto n = static_cast<int32_t>(s.size());
    bool after_pictograph = false;
    for (int32_t i = 0; i < n;) {
        const int32_t start = i;
        UChar32 c = 0;
        U8_NEXT(p, i, n, c);
        if (c < 0) {
            had_invalid = true;
            c = 0xFFFD;
        }
        const auto ch = static_cast<char32_t>(c);
        // A keycap emoji is a digit, '#' or '*', VS16 and U+20E3 (E2 83 A3): keep its VS16.
        const bool keycap =
            ch == 0xFE0F && i + 3 <= n && p[i] == 0xE2 && p[i + 1] == 0x83 && p[i + 2] == 0xA3;
        if (detail::is_invisible(ch, after_pictograph || keycap)) continue;
        if (!(ch == 0x200D || (ch >= 0xFE00 && ch <= 0xFE0F)))
            after_pictograph = detail::is_pictograph(ch);
        out.push_back({is_space(ch) ? U' ' : ch, static_cast<uint32_t>(start),
                       static_cast<uint32_t>(i), false});
    }
    return out;
}

// Case folding of one NFKC code point, then homoglyphs. Turkish: I->ı, İ->i; others: I->i, İ->i.
void emit_folded(char32_t c, const Cp& origin, bool turkish, std::vector<Cp>& out) {
    Cp cp = origin;
    cp.typed_tr = detail::is_turkish_letter(c);
    if (c == 0x0307 && !out.empty() && out.back().c == 'i') return;  // the dot of a folded İ
    if (c < 0x80 || c == 0x130) {
        if (c == 'I')
            c = turkish ? U'ı' : U'i';
        else if (c == 0x130)
            c = 'i';
        else if (c >= 'A' && c <= 'Z')
            c = c + ('a' - 'A');
        cp.c = c;
        out.push_back(cp);
        return;
    }
    icu::UnicodeString folded(static_cast<UChar32>(c));
    folded.foldCase(turkish ? U_FOLD_CASE_EXCLUDE_SPECIAL_I : U_FOLD_CASE_DEFAULT);
    for (int32_t k = 0; k < folded.length(); k = folded.moveIndex32(k, 1)) {
        cp.c = detail::fold_homoglyph(static_cast<char32_t>(folded.char32At(k)));
        if (is_space(cp.c)) cp.c = ' ';
        out.push_back(cp);
    }
}

// Stage 2: NFKC, one normalization segment at a time so every output character keeps the byte
// range of the input segment it came from; then case folding and homoglyphs.
std::vector<Cp> fold(const std::vector<Cp>& in, bool turkish) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
    std::vector<Cp> out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size();) {
        size_t j = i + 1;
        while (j < in.size() && nfkc && !nfkc->hasBoundaryBefore(static_cast<UChar32>(in[j].c)))
            ++j;
        Cp origin{0, in[i].begin, in[j - 1].end, false};
        if (j == i + 1 && (in[i].c < 0x80 || !nfkc)) {
            emit_folded(in[i].c, origin, turkish, out);
        } else {
            icu::UnicodeString segment;
            for (size_t k = i; k < j; ++k) segment.append(static_cast<UChar32>(in[k].c));
            icu::UnicodeString norm;
            status = U_ZERO_ERROR;
            nfkc->normalize(segment, norm, status);
            if (U_FAILURE(status)) norm = segment;
            for (int32_t k = 0; k < norm.length(); k = norm.moveIndex32(k, 1)) {
                emit_folded(static_cast<char32_t>(norm.char32At(k)), origin, turkish, out);
            }
        }
        i = j;
    }
    return out;
}

std::vector<Token> split_tokens(const std::vector<Cp>& cps) {
    std::vector<Token> tokens;
    for (const Cp& cp : cps) {
        const Kind kind = is_word_char(cp.c) ? Kind::Word : Kind::Gap;
        if (tokens.empty() || tokens.back().kind != kind) tokens.push_back({kind, {}});
        tokens.back().cps.push_back(cp);
    }
    return tokens;
}

void fold_leet_in(std::vector<Cp>& cps) {
    for (Cp& cp : cps) {
        if (is_letter(cp.c)) continue;
        if (const char32_t l = detail::fold_leet(cp.c)) cp.c = l;
    }
}

// Stage 3: leetspeak inside words. "h3ll0" -> "hello", "@$$" -> "ass"; a leading "@"/"!" and a
// trailing "!" are punctuation, and numbers stay numbers.
void fold_word_leet(Token& word, std::vector<Token>& out) {
    auto& cps = word.cps;
    const bool has_letter =
        std::any_of(cps.begin(), cps.end(), [](const Cp& c) { return is_letter(c.c); });
    const bool has_digit = std::any_of(
        cps.begin(), cps.end(), [](const Cp& c) { return u_isdigit(static_cast<UChar32>(c.c)); });
    if (!has_letter) {
        const bool symbolic = std::any_of(cps.begin(), cps.end(),
                                          [](const Cp& c) { return c.c == '@' || c.c == '$'; });
        const bool same =
            std::all_of(cps.begin(), cps.end(), [&](const Cp& c) { return c.c == cps[0].c; });
        if (has_digit) {
            out.push_back(std::move(word));
        } else if (cps.size() >= 2 && symbolic && !same) {
            fold_leet_in(cps);
            out.push_back(std::move(word));
        } else {
            out.push_back({Kind::Gap, std::move(cps)});
        }
        return;
    }
    size_t lead = 0;
    while (lead < cps.size() && (cps[lead].c == '@' || cps[lead].c == '!')) ++lead;
    size_t tail = cps.size();
    while (tail > lead && cps[tail - 1].c == '!') --tail;
    if (lead > 0) out.push_back({Kind::Gap, {cps.begin(), cps.begin() + static_cast<long>(lead)}});
    Token middle{Kind::Word,
                 {cps.begin() + static_cast<long>(lead), cps.begin() + static_cast<long>(tail)}};
    fold_leet_in(middle.cps);
    out.push_back(std::move(middle));
    if (tail < cps.size())
        out.push_back({Kind::Gap, {cps.begin() + static_cast<long>(tail), cps.end()}});
}

bool is_single_letter(const Token& t) {
    return t.kind == Kind::Word && t.cps.size() == 1 &&
           (is_letter(t.cps[0].c) || detail::fold_leet(t.cps[0].c) != 0);
}

// A gap that may sit between the letters of a spelled-out word: "f.u.c.k", "f - u - c - k".
bool is_letter_separator(const Token& t) {
    if (t.kind != Kind::Gap || t.cps.size() > 3) return false;
    return std::all_of(t.cps.begin(), t.cps.end(), [](const Cp& c) {
        return c.c == ' ' || c.c == '.' || c.c == '-' || c.c == '_' || c.c == '*' || c.c == U'·' ||
               c.c == '/' || c.c == '\\' || c.c == '|' || c.c == '+' || c.c == '~' || c.c == U'•';
    });
}

// Stage 4: three or more single letters with separators between them become one word.
std::vector<Token> join_spelled_words(std::vector<Token> tokens) {
    std::vector<Token> out;
    for (size_t i = 0; i < tokens.size();) {
        size_t j = i;  // index of the last letter of the group
        size_t count = 1;
        if (is_single_letter(tokens[i])) {
            while (j + 2 < tokens.size() && is_letter_separator(tokens[j + 1]) &&
                   is_single_letter(tokens[j + 2])) {
                j += 2;
                ++count;
            }
        }
        bool has_letter = false;
        for (size_t k = i; k <= j; k += 2) has_letter = has_letter || is_letter(tokens[k].cps[0].c);
        if (count < 3 || !has_letter) {
            out.push_back(std::move(tokens[i]));
            ++i;
            continue;
        }
        Token word{Kind::Word, {}};
        for (size_t k = i; k <= j; k += 2) word.cps.push_back(tokens[k].cps[0]);
        fold_leet_in(word.cps);
        out.push_back(std::move(word));
        i = j + 1;
    }
    return out;
}

void append_cp(NormalizedText& n, const Cp& cp) {
    append_utf8(n.text, cp.c);
    n.offsets.resize(n.text.size(), cp.begin);
}

// Stage 5: the output text (spaces collapsed, ends trimmed) and the words with their forms.
void emit(const std::vector<Token>& tokens, bool turkish, NormalizedText& n) {
    for (const Token& t : tokens) {
        if (t.kind == Kind::Gap) {
            for (const Cp& cp : t.cps) {
                if (cp.c == ' ' && (n.text.empty() || n.text.back() == ' ')) continue;
                append_cp(n, cp);
            }
            continue;
        }
        Word w;
        const std::string& prev = n.text;
        w.after_at = !prev.empty() && prev.back() == '@';
        for (const Cp& cp : t.cps) {
            append_utf8(w.text, cp.c);
            append_cp(n, cp);
            w.fold_allowed = w.fold_allowed && !(turkish && cp.typed_tr);
        }
        w.begin = t.cps.front().begin;
        w.end = t.cps.back().end;
        w.collapse2 = collapse_runs(w.text, 2);
        w.collapse1 = collapse_runs(w.text, 1);
        w.folded = fold_turkish(w.text);
        n.words.push_back(std::move(w));
    }
    while (!n.text.empty() && n.text.back() == ' ') {
        n.text.pop_back();
        n.offsets.pop_back();
    }
}

}  // namespace

std::string fold_turkish(std::string_view normalized_word) {
    if (std::all_of(normalized_word.begin(), normalized_word.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        return std::string(normalized_word);
    }
    std::string out;
    out.reserve(normalized_word.size());
    for (char32_t c : decode_plain(normalized_word)) append_utf8(out, detail::strip_diacritic(c));
    return out;
}

std::string collapse_runs(std::string_view normalized_word, size_t max_run) {
    std::string out;
    out.reserve(normalized_word.size());
    char32_t prev = 0;
    size_t run = 0;
    for (char32_t c : decode_plain(normalized_word)) {
        run = (c == prev) ? run + 1 : 1;
        prev = c;
        if (run <= max_run) append_utf8(out, c);
    }
    return out;
}

NormalizedText normalize(std::string_view text, std::string_view lang) {
    NormalizedText n;
    n.lang = std::string(lang);
    if (text.size() > kMaxInputBytes) {
        size_t cut = kMaxInputBytes;
        // Back off continuation bytes so the cut does not split a character.
        while (cut > kMaxInputBytes - 3 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut);
        n.truncated = true;
    }
    const bool turkish = is_turkish_lang(lang);
    const std::vector<Cp> folded = fold(decode(text, n.had_invalid_utf8), turkish);
    std::vector<Token> leet;
    for (Token& t : split_tokens(folded)) {
        if (t.kind == Kind::Word)
            fold_word_leet(t, leet);
        else
            leet.push_back(std::move(t));
    }
    emit(join_spelled_words(std::move(leet)), turkish, n);
    return n;
}

}  // namespace bot::moderation
