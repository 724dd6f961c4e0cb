// UTF-8 and byte-level helpers for the tokenizers: character lengths as llama.cpp counts them,
// lenient decoding that turns invalid input into U+FFFD, and GPT-2's byte <-> unicode alphabet.
//   std::string clean = engine::detail::sanitize_utf8(raw);  // valid UTF-8, same text when valid
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace engine::detail {

// Bytes of the UTF-8 character that starts with `lead`, judged by its high nibble only
// (a stray continuation byte counts as 1), as llama.cpp's unicode_len_utf8 does.
inline size_t utf8_char_len(uint8_t lead) {
    static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kLen[lead >> 4];
}

// Length of the well-formed UTF-8 character at text[i], or 0 when the bytes there are not one.
size_t well_formed_len(std::string_view text, size_t i);

// Appends the UTF-8 encoding of `cpt` (at most 0x10FFFF) to `out`.
void append_utf8(std::string& out, uint32_t cpt);

// Returns `text` unchanged when it is valid UTF-8; otherwise every byte that does not start a
// well-formed character (overlong forms, surrogates and code points past U+10FFFF included)
// becomes U+FFFD. PCRE2 runs without UTF checks on the result.
std::string sanitize_utf8(std::string_view text);
// True when `text` is well-formed UTF-8 (the fast path of sanitize_utf8).
bool is_well_formed_utf8(std::string_view text);

// GPT-2's reversible byte alphabet: every byte maps to one printable code point, so byte-level
// BPE vocabularies store "Ġ" for a space and "Ċ" for a newline.
struct ByteAlphabet {
    std::array<std::string, 256> byte_to_utf8;  // byte -> UTF-8 of its code point
    std::array<int16_t, 512> cpt_to_byte;       // code point (< 512) -> byte, or -1
};
const ByteAlphabet& byte_alphabet();

// Maps every byte of `raw` to its alphabet character ("a b" -> "aĠb"), appending to `out`.
void encode_bytes(std::string_view raw, std::string& out);
// Inverse of encode_bytes for one token text; code points outside the alphabet are copied
// as UTF-8 unchanged.
std::string decode_bytes(std::string_view token_text);

}  // namespace engine::detail
