#include "bot/moderation/lexicon.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "core/strings.h"

namespace bot::moderation {
namespace {

constexpr std::array<const char*, kCategoryCount> kCategoryNames = {
    "harassment", "hate", "sexual", "violence", "self_harm", "spam"};

std::string_view primary_subtag(std::string_view lang) {
    return lang.substr(0, std::min(lang.find_first_of("-_"), lang.size()));
}

bool applies(std::string_view entry_lang, std::string_view text_lang) {
    if (entry_lang.empty()) return true;
    const auto a = core::to_lower_ascii(primary_subtag(entry_lang));
    const auto b = core::to_lower_ascii(primary_subtag(text_lang));
    return a == b;
}

bool only_letters(std::string_view rest) {
    return std::none_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool stem_matches(std::string_view form, std::string_view stem) {
    return form.size() >= stem.size() && form.substr(0, stem.size()) == stem &&
           only_letters(form.substr(stem.size()));
}

// The normalized words of an entry's text, in the entry's language.
std::vector<std::string> entry_words(std::string_view text, std::string_view lang) {
    std::vector<std::string> out;
    for (Word& w : normalize(text, lang).words) out.push_back(std::move(w.text));
    return out;
}

void add_unique(std::vector<std::string>& v, std::string s) {
    if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

const char* category_name(Category c) { return kCategoryNames[static_cast<size_t>(c)]; }

std::optional<Category> parse_category(std::string_view name) {
    for (size_t i = 0; i < kCategoryCount; ++i) {
        if (name == kCategoryNames[i]) return kCategories[i];
    }
    return std::nullopt;
}

core::Status Lexicon::add_entry(std::string_view term, Entry entry) {
    std::string_view body = core::trim(term);
    std::vector<std::string> suffixes;
    bool bracket = false;
    if (!body.empty() && body.back() == '*') {
        entry.any_suffix = true;
        body.remove_suffix(1);
    } else if (!body.empty() && body.back() == ']') {
        const size_t open = body.find('[');
        if (open == std::string_view::npos) {
            return core::fail(
                core::ErrorCode::Parse,
                "'" + std::string(term) + "' has ']' without '[' (write stem[suf1|suf2])");
        }
        for (auto& s : core::split(body.substr(open + 1, body.size() - open - 2), '|')) {
            suffixes.push_back(std::string(core::trim(s)));
        }
        body = body.substr(0, open);
        bracket = true;
    }
    entry.term = std::string(core::trim(term));
    entry.words = entry_words(body, entry.lang);
    if (entry.words.empty()) {
        return core::fail(
            core::ErrorCode::InvalidArgument,
            "'" + entry.term + "' has no letters left after normalization (write a word)");
    }
    if ((entry.any_suffix || bracket) && entry.words.size() != 1) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "'" + entry.term + "': stems ('*' or '[...]') work on single words only");
    }
    std::vector<std::vector<std::string>> variants;
    if (!bracket) {
        variants.push_back(entry.words);
    } else {
        variants.push_back(entry.words);
        for (const auto& s : suffixes) {
            auto w = entry_words(std::string(body) + s, entry.lang);
            if (w.size() != 1) {
                return core::fail(
                    core::ErrorCode::InvalidArgument,
                    "'" + entry.term + "': suffix '" + s + "' is not made of letters");
            }
            variants.push_back(std::move(w));
        }
    }
    for (auto& words : variants) {
        Entry e = entry;
        e.words = std::move(words);
        e.folded.clear();
        for (const auto& w : e.words) e.folded.push_back(fold_turkish(w));
        const size_t idx = entries_.size();
        if (e.allow) {
            if (e.any_suffix)
                allow_stems_.push_back(idx);
            else
                allow_exact_[e.words[0]].push_back(idx), allow_exact_[e.folded[0]].push_back(idx);
        } else if (e.any_suffix) {
            stems_.push_back(idx);
        } else {
            exact_[e.words[0]].push_back(idx);
            folded_[e.folded[0]].push_back(idx);
        }
        entries_.push_back(std::move(e));
    }
    return core::ok();
}

core::Status Lexicon::add_word(std::string_view term, Category category, double weight,
                               bool decisive, std::string_view lang) {
    Entry e;
    e.category = category;
    e.weight = weight;
    e.decisive = decisive;
    e.lang = std::string(lang);
    return add_entry(term, std::move(e));
}

core::Status Lexicon::add_allowed(std::string_view term, std::string_view lang) {
    Entry e;
    e.allow = true;
    e.lang = std::string(lang);
    return add_entry(term, std::move(e));
}

// One line of a list: "term<TAB>category<TAB>weight<TAB>decisive|score", "term<TAB>allow",
// "!lang xx" (scope of the entries below), "#..." comments and blank lines.
core::Status Lexicon::load_line(std::string_view line, std::string& lang) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view trimmed = core::trim(line);
    if (trimmed.empty() || trimmed[0] == '#') return core::ok();
    if (core::starts_with(trimmed, "!lang")) {
        lang = std::string(core::trim(trimmed.substr(5)));
        if (lang == "*" || lang == "any") lang.clear();
        return core::ok();
    }
    const auto fields = core::split(line, '\t');
    if (fields.size() == 2 && core::trim(fields[1]) == "allow") return add_allowed(fields[0], lang);
    if (fields.size() != 4) {
        return core::fail(
            core::ErrorCode::Parse,
            "expected 4 tab-separated fields (term, category, weight, decisive|score), got " +
                std::to_string(fields.size()));
    }
    const auto category = parse_category(core::trim(fields[1]));
    if (!category) {
        return core::fail(core::ErrorCode::Parse,
                          "unknown category '" + std::string(core::trim(fields[1])) +
                              "' (use harassment, hate, sexual, violence, self_harm, "
                              "spam, or allow)");
    }
    const std::string weight_text(core::trim(fields[2]));
    char* end = nullptr;
    errno = 0;
    const double weight = std::strtod(weight_text.c_str(), &end);
    if (weight_text.empty() || *end != '\0' || errno != 0 || !(weight > 0 && weight <= 100)) {
        return core::fail(core::ErrorCode::Parse,
                          "weight '" + weight_text + "' is not a number in (0, 100]");
    }
    const std::string_view mode = core::trim(fields[3]);
    if (mode != "decisive" && mode != "score") {
        return core::fail(core::ErrorCode::Parse,
                          "last field '" + std::string(mode) + "' must be decisive or score");
    }
    return add_word(fields[0], *category, weight, mode == "decisive", lang);
}

core::Status Lexicon::load_text(std::string_view text, std::string_view source,
                                std::string_view lang) {
    std::string scope(lang);
    size_t line_no = 0;
    for (size_t pos = 0; pos <= text.size();) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        ++line_no;
        auto st = load_line(text.substr(pos, nl - pos), scope);
        if (!st) {
            return core::fail(st.error().code, "lexicon: " + std::string(source) + ":" +
                                                   std::to_string(line_no) + ": " +
                                                   st.error().message);
        }
        pos = nl + 1;
    }
    return core::ok();
}

core::Status Lexicon::load_file(const std::string& path, std::string_view lang) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::fail(core::ErrorCode::NotFound,
                          "lexicon: cannot open " + path + " (check the path)");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return load_text(ss.str(), path, lang);
}

bool Lexicon::allowed(const std::vector<std::string>& forms, const std::vector<std::string>& folded,
                      std::string_view lang) const {
    auto check = [&](const std::string& f) {
        if (auto it = allow_exact_.find(f); it != allow_exact_.end()) {
            for (size_t idx : it->second) {
                if (applies(entries_[idx].lang, lang)) return true;
            }
        }
        for (size_t idx : allow_stems_) {
            const Entry& e = entries_[idx];
            if (applies(e.lang, lang) &&
                (stem_matches(f, e.words[0]) || stem_matches(f, e.folded[0])))
                return true;
        }
        return false;
    };
    return std::any_of(forms.begin(), forms.end(), check) ||
           std::any_of(folded.begin(), folded.end(), check);
}

void Lexicon::match_at(const NormalizedText& text, size_t index,
                       const std::vector<std::vector<std::string>>& forms,
                       const std::vector<std::vector<std::string>>& folded,
                       LexiconResult& out) const {
    std::set<size_t> candidates;
    for (const auto& f : forms[index]) {
        if (auto it = exact_.find(f); it != exact_.end())
            candidates.insert(it->second.begin(), it->second.end());
    }
    for (const auto& f : folded[index]) {
        if (auto it = folded_.find(f); it != folded_.end())
            candidates.insert(it->second.begin(), it->second.end());
    }
    for (size_t idx : stems_) {
        const Entry& e = entries_[idx];
        const bool hit =
            std::any_of(forms[index].begin(), forms[index].end(),
                        [&](const std::string& f) { return stem_matches(f, e.words[0]); }) ||
            std::any_of(folded[index].begin(), folded[index].end(),
                        [&](const std::string& f) { return stem_matches(f, e.folded[0]); });
        if (hit) candidates.insert(idx);
    }
    if (candidates.empty()) return;
    const bool clean_word = allowed(forms[index], folded[index], text.lang);
    std::set<std::string> seen;
    for (size_t idx : candidates) {
        const Entry& e = entries_[idx];
        if (!applies(e.lang, text.lang) || index + e.words.size() > forms.size()) continue;
        if (e.words.size() == 1 && clean_word) continue;
        bool ok = true;
        for (size_t k = 1; k < e.words.size() && ok; ++k) {
            const auto& f = forms[index + k];
            const auto& g = folded[index + k];
            ok = std::find(f.begin(), f.end(), e.words[k]) != f.end() ||
                 std::find(g.begin(), g.end(), e.folded[k]) != g.end();
        }
        if (!ok || !seen.insert(e.term).second) continue;
        out.hits.push_back({e.term, e.category, e.weight, e.decisive, index, e.words.size()});
        out.decisive = out.decisive || e.decisive;
        out.scores[static_cast<size_t>(e.category)] += e.weight;
    }
}

LexiconResult Lexicon::match(const NormalizedText& text) const {
    std::vector<std::vector<std::string>> forms(text.words.size());
    std::vector<std::vector<std::string>> folded(text.words.size());
    for (size_t i = 0; i < text.words.size(); ++i) {
        const Word& w = text.words[i];
        for (const std::string* f : {&w.text, &w.collapse2, &w.collapse1}) {
            add_unique(forms[i], *f);
            if (w.after_at) add_unique(forms[i], "a" + *f);
        }
        if (w.fold_allowed) {
            for (const auto& f : forms[i]) add_unique(folded[i], fold_turkish(f));
        }
    }
    LexiconResult out;
    for (size_t i = 0; i < text.words.size(); ++i) match_at(text, i, forms, folded, out);
    return out;
}

}  // namespace bot::moderation
