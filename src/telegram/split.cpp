#include "telegram/split.h"

#include <algorithm>

namespace telegram {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}
std::string_view trim_left(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    return s;
}

// Bytes of the UTF-8 sequence starting with `lead` (1 for a stray byte, so bad input still moves).
size_t sequence_length(unsigned char lead) {
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    if (lead < 0xF8) return 4;
    return 1;
}

// Bytes of the longest prefix of `s` that is whole characters and at most `max_units` UTF-16
// code units; at least one character, so a split always makes progress.
size_t window_end(std::string_view s, size_t max_units) {
    size_t bytes = 0, units = 0;
    while (bytes < s.size()) {
        size_t n =
            std::min(sequence_length(static_cast<unsigned char>(s[bytes])), s.size() - bytes);
        size_t u = n == 4 ? 2 : 1;  // characters past U+FFFF are surrogate pairs in UTF-16
        if (units + u > max_units && bytes > 0) break;
        bytes += n;
        units += u;
    }
    return bytes;
}

size_t utf16_units(std::string_view s) {
    size_t units = 0;
    for (size_t i = 0; i < s.size();) {
        size_t n = std::min(sequence_length(static_cast<unsigned char>(s[i])), s.size() - i);
        units += n == 4 ? 2 : 1;
        i += n;
    }
    return units;
}

// Where to cut `s` (whose first `end` bytes fit): the byte index the part ends at, or npos.
// A separator may start right at `end`, since it is dropped.
size_t find_cut(std::string_view s, size_t end) {
    const size_t min_cut = end / 4;  // a much shorter part would waste a message
    auto last = [&](std::string_view sep) {
        std::string_view scope = s.substr(0, std::min(s.size(), end + sep.size()));
        size_t pos = scope.rfind(sep);
        return pos == std::string_view::npos || pos == 0 || pos < min_cut ? std::string_view::npos
                                                                          : pos;
    };
    if (size_t p = last("\n\n"); p != std::string_view::npos) return p;
    if (size_t p = last("\n"); p != std::string_view::npos) return p;
    size_t sentence = std::string_view::npos;
    for (std::string_view sep : {". ", "! ", "? "}) {
        size_t p = last(sep);
        if (p != std::string_view::npos && (sentence == std::string_view::npos || p > sentence)) {
            sentence = p;
        }
    }
    if (sentence != std::string_view::npos) return sentence + 1;  // keep the punctuation
    if (size_t p = last(" "); p != std::string_view::npos) return p;
    return std::string_view::npos;
}

}  // namespace

std::vector<std::string> split_message(std::string_view text, size_t max_len) {
    std::vector<std::string> parts;
    if (max_len == 0) max_len = 1;
    std::string_view rest = trim_right(text);  // trailing blanks would only be dropped by Telegram
    while (!trim_left(rest).empty()) {
        if (utf16_units(rest) <= max_len) {
            parts.emplace_back(rest);
            break;
        }
        size_t end = window_end(rest, max_len);
        size_t cut = find_cut(rest, end);
        std::string_view part;
        if (cut == std::string_view::npos) {
            part = rest.substr(0, end);  // no place to break: cut between two characters
            rest.remove_prefix(end);
        } else {
            part = trim_right(rest.substr(0, cut));
            rest = trim_left(rest.substr(cut));
        }
        if (!trim_left(part).empty()) parts.emplace_back(part);
    }
    return parts;
}

}  // namespace telegram
