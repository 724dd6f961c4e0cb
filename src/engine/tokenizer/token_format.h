// Printable forms of token ids, for `lambdagram tokenize` and debugging: ids on one line, or
// JSON with each token's piece (invalid UTF-8 in a piece, e.g. one byte of an emoji, is shown
// as U+FFFD so the JSON stays valid).
//   std::cout << format_ids_json(tok, tok.tokenize(text)) << "\n";  // {"ids":[...],"pieces":[...]}
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "engine/tokenizer/tokenizer.h"

namespace engine {

std::string format_ids(std::span<const TokenId> ids);  // "1 2 3"
std::string format_ids_json(const Tokenizer& tokenizer, std::span<const TokenId> ids);
std::string json_quote(std::string_view utf8);  // a JSON string literal, invalid bytes as U+FFFD

}  // namespace engine
