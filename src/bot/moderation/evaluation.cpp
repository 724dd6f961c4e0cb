#include "bot/moderation/evaluation.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "bot/moderation/lexicon.h"
#include "core/check.h"

namespace bot::moderation {
namespace {

core::Result<EvalExample> parse_example(const std::string& line) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
        return core::fail(core::ErrorCode::Parse, std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object()) return core::fail(core::ErrorCode::Parse, "expected a JSON object");
    EvalExample ex;
    for (auto [key, field] :
         {std::pair{"text", &ex.text}, {"label", &ex.label}, {"lang", &ex.lang}}) {
        if (!j.contains(key) || !j[key].is_string()) {
            return core::fail(core::ErrorCode::Parse,
                              std::string("missing string field '") + key + "'");
        }
        *field = j[key].get<std::string>();
    }
    if (ex.label != "clean" && !parse_category(ex.label)) {
        return core::fail(core::ErrorCode::Parse,
                          "unknown label '" + ex.label + "' (clean or a category)");
    }
    if (j.contains("tags") && j["tags"].is_array()) {
        for (const auto& t : j["tags"]) {
            if (t.is_string()) ex.tags.push_back(t.get<std::string>());
        }
    }
    return ex;
}

void count(Prf& prf, bool gold, bool predicted) {
    if (gold && predicted)
        ++prf.tp;
    else if (predicted)
        ++prf.fp;
    else if (gold)
        ++prf.fn;
}

}  // namespace

core::Result<std::vector<EvalExample>> load_eval_dataset(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return core::fail(core::ErrorCode::NotFound,
                          "eval: cannot open " + path + " (check the path)");
    std::vector<EvalExample> out;
    std::string line;
    for (size_t line_no = 1; std::getline(in, line); ++line_no) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto ex = parse_example(line);
        if (!ex) {
            return core::fail(
                core::ErrorCode::Parse,
                "eval: " + path + ":" + std::to_string(line_no) + ": " + ex.error().message);
        }
        out.push_back(std::move(*ex));
    }
    return out;
}

double Prf::precision() const {
    if (tp + fp == 0) return fn == 0 ? 1.0 : 0.0;
    return static_cast<double>(tp) / static_cast<double>(tp + fp);
}

double Prf::recall() const {
    if (tp + fn == 0) return 1.0;
    return static_cast<double>(tp) / static_cast<double>(tp + fn);
}

double Prf::f1() const {
    const double p = precision();
    const double r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

EvalReport evaluate(const std::vector<EvalExample>& examples,
                    const std::vector<std::string>& predictions) {
    LG_CHECK(examples.size() == predictions.size(), "evaluate: one prediction per example");
    EvalReport report;
    for (size_t i = 0; i < examples.size(); ++i) {
        const auto& gold = examples[i].label;
        const auto& pred = predictions[i];
        for (const std::string& lang : {examples[i].lang, std::string("all")}) {
            auto& by_cat = report[lang];
            count(by_cat["any"], gold != "clean", pred != "clean");
            for (Category c : kCategories) {
                const std::string name = category_name(c);
                count(by_cat[name], gold == name, pred == name);
            }
        }
    }
    return report;
}

std::string format_report(const EvalReport& report) {
    std::string out = fmt::format("{:<5} {:<11} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}\n", "lang",
                                  "category", "tp", "fp", "fn", "precision", "recall", "f1");
    for (const auto& [lang, by_cat] : report) {
        for (const auto& [cat, prf] : by_cat) {
            out +=
                fmt::format("{:<5} {:<11} {:>4} {:>4} {:>4} {:>9.3f} {:>7.3f} {:>6.3f}\n", lang,
                            cat, prf.tp, prf.fp, prf.fn, prf.precision(), prf.recall(), prf.f1());
        }
    }
    return out;
}

}  // namespace bot::moderation
