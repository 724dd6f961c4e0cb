#include "engine/tokenizer/token_format.h"

#include <cstdio>

#include "engine/tokenizer/detail/utf8.h"

namespace engine {

std::string format_ids(std::span<const TokenId> ids) {
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) out.push_back(' ');
        out += std::to_string(ids[i]);
    }
    return out;
}

std::string json_quote(std::string_view utf8) {
    const std::string text = detail::sanitize_utf8(utf8);
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
    return out;
}

std::string format_ids_json(const Tokenizer& tokenizer, std::span<const TokenId> ids) {
    std::string out = "{\"ids\":[";
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += std::to_string(ids[i]);
    }
    out += "],\"pieces\":[";
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += json_quote(tokenizer.piece(ids[i], true));
    }
    out += "]}";
    return out;
}

}  // namespace engine
