// Small string helpers shared by every layer: trimming, splitting, case, UTF-8 boundaries.
//   auto parts = core::split("a,b,c", ',');   // {"a","b","c"}
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace core {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string to_lower_ascii(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// Length of the longest prefix of `s` of at most `max_bytes` that does not cut a UTF-8 character.
size_t utf8_safe_prefix(std::string_view s, size_t max_bytes);
// Number of UTF-16 code units of a valid UTF-8 string (Telegram measures lengths in them).
size_t utf16_length(std::string_view utf8);
// True when `s` is valid UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace core
