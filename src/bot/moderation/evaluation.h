// Scoring moderation predictions against a labelled dataset (data/eval/moderation.jsonl):
// precision, recall and F1 per category and per language, plus "any" (flagged vs clean).
//   auto data = bot::moderation::load_eval_dataset(path);   // Result<vector<EvalExample>>
//   auto report = bot::moderation::evaluate(*data, predictions); fmt::print("{}",
//   format_report(report));
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace bot::moderation {

struct EvalExample {
    std::string text;
    std::string label;  // "clean" or a category name
    std::string lang;
    std::vector<std::string>
        tags;  // optional: "obfuscated", "banter", "injection", "scunthorpe"...
};

// One JSON object per line: {"text","label","lang"} and optional "tags". Errors name file:line.
core::Result<std::vector<EvalExample>> load_eval_dataset(const std::string& path);

struct Prf {
    size_t tp = 0;
    size_t fp = 0;
    size_t fn = 0;
    // With nothing predicted and nothing to find, precision and recall are 1; with nothing
    // predicted but something to find, precision is 0.
    double precision() const;
    double recall() const;
    double f1() const;
};

// report[lang][category]: lang is each example's language and "all"; category is each category
// name and "any" (a message counts as positive when its label is not "clean").
using EvalReport = std::map<std::string, std::map<std::string, Prf>>;

// `predictions[i]` is the label predicted for `examples[i]`; the sizes must match.
EvalReport evaluate(const std::vector<EvalExample>& examples,
                    const std::vector<std::string>& predictions);

// A table: one line per language and category, "lang category tp fp fn precision recall f1".
std::string format_report(const EvalReport& report);

}  // namespace bot::moderation
