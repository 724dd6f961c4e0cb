// Splits input text around special-token texts, the way llama.cpp's tokenizer_st_partition
// does: tokens are taken longest first, each cutting every raw fragment at its occurrences.
#include "engine/tokenizer/detail/tokenizer_impl.h"

namespace engine::detail {

namespace {

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Cheap filter: could any special token of this tokenizer occur in `text`?
bool may_hold_special(const Tokenizer::Impl& t, std::string_view text) {
    if (t.special_one_byte) return true;
    for (size_t i = 0; i + 1 < text.size(); ++i) {
        const uint32_t prefix =
            static_cast<uint8_t>(text[i]) | (static_cast<uint32_t>(static_cast<uint8_t>(text[i + 1])) << 8);
        if (t.special_prefix_bits[prefix >> 6] & (uint64_t{1} << (prefix & 63))) return true;
    }
    return false;
}

// Cuts every raw fragment of `in` at the occurrences of token `id`, into `out`.
void cut_at_token(const Tokenizer::Impl& t, std::string_view text, TokenId id, const std::vector<Fragment>& in,
                  std::vector<Fragment>& out) {
    const std::string& needle = t.texts[id];
    const uint8_t strip = t.strip[id];
    for (const Fragment& f : in) {
        if (f.token != kNoToken) {
            out.push_back(f);
            continue;
        }
        size_t base = f.offset;
        size_t size = f.size;
        while (size > 0) {
            const size_t match = text.substr(0, base + size).find(needle, base);
            if (match == std::string_view::npos) {
                out.push_back({kNoToken, static_cast<uint32_t>(base), static_cast<uint32_t>(size)});
                break;
            }
            size_t left = match - base;
            if (strip & Tokenizer::Impl::kLstrip) {
                while (left > 0 && is_ascii_space(text[base + left - 1])) --left;
            }
            if (left > 0) out.push_back({kNoToken, static_cast<uint32_t>(base), static_cast<uint32_t>(left)});
            out.push_back({id, 0, 0});
            size_t right = match + needle.size();
            const size_t end = base + size;
            if (strip & Tokenizer::Impl::kRstrip) {
                while (right < end && is_ascii_space(text[right])) ++right;
            }
            base = right;
            size = end - right;
        }
    }
}

}  // namespace

void partition_special(const Tokenizer::Impl& t, std::string_view text, bool parse_special,
                       std::vector<Fragment>& out) {
    std::vector<Fragment> current{{kNoToken, 0, static_cast<uint32_t>(text.size())}};
    if (!t.special_tokens.empty() && may_hold_special(t, text)) {
        std::vector<Fragment> next;
        for (TokenId id : t.special_tokens) {
            const TokenType type = t.types[id];
            // User-defined tokens are words of the vocabulary and always match; control and
            // unknown tokens only when the caller parses special text (chat templates).
            if (!parse_special && (type == TokenType::Control || type == TokenType::Unknown)) continue;
            if (text.find(t.texts[id]) == std::string_view::npos) continue;
            next.clear();
            cut_at_token(t, text, id, current, next);
            current.swap(next);
        }
    }
    out.insert(out.end(), current.begin(), current.end());
}

}  // namespace engine::detail
