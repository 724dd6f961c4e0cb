// Lexicon-only moderation of one message, for `lambdagram moderate --classifier none`, the
// console and evaluation: the normalized text, the hits, the scores and a flagged verdict.
//   auto p = bot::moderation::preview("y0u 1d10t", "en", lexicon);   // p.flagged, p.top_category
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/moderation/lexicon.h"
#include "bot/moderation/normalize.h"

namespace bot::moderation {

// A category score at or above this flags the message (a decisive hit flags it anyway).
inline constexpr double kDefaultFlagThreshold = 1.0;

struct ModerationPreview {
    std::string normalized;  // NormalizedText::text
    std::vector<LexiconHit> hits;
    std::array<double, kCategoryCount> scores{};
    bool decisive = false;
    bool flagged = false;
    std::optional<Category> top_category;  // set when flagged: the decisive or best category
};

ModerationPreview preview(std::string_view text, std::string_view lang, const Lexicon& lexicon,
                          double threshold = kDefaultFlagThreshold);

// The label an evaluation compares with the dataset: "clean" or a category name.
std::string predicted_label(const ModerationPreview& p);

// A readable multi-line explanation: normalized text, hits with the original words, scores.
std::string explain(const ModerationPreview& p, std::string_view original, const NormalizedText& n);

}  // namespace bot::moderation
