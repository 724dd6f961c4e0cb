#include "engine/tokenizer/stream_decoder.h"

#include "engine/tokenizer/detail/utf8.h"

namespace engine {

namespace {

// Length of the complete character at s[i]; 0 when s ends inside a valid prefix of one;
// -1 when the bytes at s[i] can never form a character.
int char_status(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    const uint8_t c = b(i);
    if (c < 0x80) return 1;
    size_t need = 0;
    uint8_t lo = 0x80;
    uint8_t hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return -1;
    }
    for (size_t k = 1; k < need; ++k) {
        if (i + k >= s.size()) return 0;
        const uint8_t x = b(i + k);
        if (k == 1 ? (x < lo || x > hi) : (x & 0xC0) != 0x80) return -1;
    }
    return static_cast<int>(need);
}

}  // namespace

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool special) : tokenizer_(&tokenizer), special_(special) {}

std::string StreamDecoder::push(TokenId id) {
    pending_ += tokenizer_->piece(id, special_);
    std::string out;
    size_t i = 0;
    while (i < pending_.size()) {
        const int n = char_status(pending_, i);
        if (n == 0) break;  // unfinished character: keep it for the next token
        if (n < 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        out.append(pending_, i, static_cast<size_t>(n));
        i += static_cast<size_t>(n);
    }
    pending_.erase(0, i);
    return out;
}

std::string StreamDecoder::flush() {
    std::string out = pending_.empty() ? std::string() : "\xEF\xBF\xBD";
    pending_.clear();
    return out;
}

}  // namespace engine
