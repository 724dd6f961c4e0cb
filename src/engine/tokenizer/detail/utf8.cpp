#include "engine/tokenizer/detail/utf8.h"

#include <algorithm>

namespace engine::detail {

void append_utf8(std::string& out, uint32_t cpt) {
    if (cpt < 0x80) {
        out.push_back(static_cast<char>(cpt));
    } else if (cpt < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
        out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
    } else if (cpt < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cpt >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
    }
}

size_t well_formed_len(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    const uint8_t c = b(i);
    if (c < 0x80) return 1;
    const size_t n = s.size() - i;
    const auto cont = [&](size_t k) { return (b(i + k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return n >= 2 && cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || !cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
        if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
        if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

bool is_well_formed_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        // ASCII runs are the common case: skip them eight bytes at a time.
        while (i + 8 <= text.size()) {
            uint64_t w = 0;
            for (size_t k = 0; k < 8; ++k) w |= static_cast<uint64_t>(static_cast<uint8_t>(text[i + k])) << (8 * k);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= text.size()) break;
        const size_t n = well_formed_len(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string sanitize_utf8(std::string_view text) {
    if (is_well_formed_utf8(text)) return std::string(text);
    std::string out;
    out.reserve(text.size() + 16);
    size_t i = 0;
    while (i < text.size()) {
        const size_t n = well_formed_len(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

const ByteAlphabet& byte_alphabet() {
    static const ByteAlphabet kAlphabet = [] {
        ByteAlphabet a;
        a.cpt_to_byte.fill(-1);
        uint32_t next_extra = 256;
        for (uint32_t byte = 0; byte < 256; ++byte) {
            const bool printable = (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) ||
                                   (byte >= 0xAE && byte <= 0xFF);
            const uint32_t cpt = printable ? byte : next_extra++;
            append_utf8(a.byte_to_utf8[byte], cpt);
            a.cpt_to_byte[cpt] = static_cast<int16_t>(byte);
        }
        return a;
    }();
    return kAlphabet;
}

void encode_bytes(std::string_view raw, std::string& out) {
    const ByteAlphabet& a = byte_alphabet();
    for (char c : raw) out += a.byte_to_utf8[static_cast<uint8_t>(c)];
}

std::string decode_bytes(std::string_view token_text) {
    const ByteAlphabet& a = byte_alphabet();
    std::string out;
    size_t i = 0;
    while (i < token_text.size()) {
        const size_t n = std::min(utf8_char_len(static_cast<uint8_t>(token_text[i])), token_text.size() - i);
        uint32_t cpt = 0xFFFFFFFF;
        const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(token_text[i + k])); };
        if (n == 1) cpt = b(0);
        if (n == 2) cpt = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
        if (cpt < a.cpt_to_byte.size() && a.cpt_to_byte[cpt] >= 0) {
            out.push_back(static_cast<char>(a.cpt_to_byte[cpt]));
        } else {
            out.append(token_text.substr(i, n));
        }
        i += n;
    }
    return out;
}

}  // namespace engine::detail
