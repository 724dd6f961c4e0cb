#include "bot/moderation/preview.h"

#include <fmt/format.h>

namespace bot::moderation {

ModerationPreview preview(std::string_view text, std::string_view lang, const Lexicon& lexicon,
                          double threshold) {
    const NormalizedText n = normalize(text, lang);
    LexiconResult r = lexicon.match(n);
    ModerationPreview p;
    p.normalized = n.text;
    p.scores = r.scores;
    p.decisive = r.decisive;
    // The category of the heaviest decisive hit wins; otherwise the highest score over threshold.
    double best_decisive = 0;
    for (const auto& h : r.hits) {
        if (h.decisive && h.weight > best_decisive) {
            best_decisive = h.weight;
            p.top_category = h.category;
        }
    }
    if (!p.top_category) {
        double best = 0;
        for (Category c : kCategories) {
            if (r.score(c) >= threshold && r.score(c) > best) {
                best = r.score(c);
                p.top_category = c;
            }
        }
    }
    p.flagged = p.top_category.has_value();
    p.hits = std::move(r.hits);
    return p;
}

std::string predicted_label(const ModerationPreview& p) {
    return p.flagged && p.top_category ? category_name(*p.top_category) : "clean";
}

std::string explain(const ModerationPreview& p, std::string_view original,
                    const NormalizedText& n) {
    std::string out = fmt::format("normalized: {}\n", p.normalized);
    for (const auto& h : p.hits) {
        std::string words;
        if (h.word_index < n.words.size()) {
            const Word& first = n.words[h.word_index];
            const Word& last = n.words[std::min(h.word_index + h.word_count, n.words.size()) - 1];
            if (first.begin <= last.end && last.end <= original.size()) {
                words = std::string(original.substr(first.begin, last.end - first.begin));
            }
        }
        out += fmt::format("hit: '{}' ({}, weight {}, {}) in '{}'\n", h.term,
                           category_name(h.category), h.weight, h.decisive ? "decisive" : "score",
                           words);
    }
    for (Category c : kCategories) {
        if (p.scores[static_cast<size_t>(c)] > 0) {
            out +=
                fmt::format("score {}: {}\n", category_name(c), p.scores[static_cast<size_t>(c)]);
        }
    }
    out += fmt::format("verdict: {}\n", predicted_label(p));
    return out;
}

}  // namespace bot::moderation
