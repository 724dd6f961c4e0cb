// The starter word lists (data/lexicon/en.txt, tr.txt) compiled into the binary, so a deployment
// (AWS Lambda ships the binary alone) needs no data/ folder. moderation.builtin_lexicon turns
// them on; moderation.lexicon_files adds more lists from disk.
//   bot::moderation::Lexicon lex;
//   LG_TRY(bot::moderation::load_builtin_lexicon(lex));   // en.txt, then tr.txt
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "bot/moderation/lexicon.h"
#include "core/result.h"

namespace bot::moderation {

struct BuiltinList {
    std::string_view name;  // the file name in data/lexicon ("en.txt")
    std::string_view text;  // its bytes as they were at build time
};

// Every built-in list, in file name order.
std::span<const BuiltinList> builtin_lists();

// Loads every built-in list into `lexicon` (errors name "builtin:en.txt:LINE").
core::Status load_builtin_lexicon(Lexicon& lexicon);

namespace detail {
// Defined in the generated builtin_lexicon_data.cpp (embed_lexicon.cmake).
extern const BuiltinList kBuiltinLists[];
extern const size_t kBuiltinListCount;
}  // namespace detail

}  // namespace bot::moderation
