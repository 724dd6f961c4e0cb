// SentencePiece BPE as llama.cpp's llm_tokenizer_spm runs it: start from UTF-8 characters,
// repeatedly merge the adjacent pair whose concatenation is the token with the highest score
// (ties: leftmost), and spell characters that are not tokens as <0xNN> byte tokens.
#include <algorithm>

#include "engine/tokenizer/detail/tokenizer_impl.h"
#include "engine/tokenizer/detail/utf8.h"

namespace engine::detail {

namespace {

struct Symbol {
    uint32_t start;
    uint32_t size;  // 0 once merged into its left neighbour
    int32_t prev;
    int32_t next;
};

struct Bigram {
    float score;
    int32_t left;
    int32_t right;
    uint32_t size;
};

// Heap order: highest score on top, then the leftmost pair.
struct BigramLess {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

struct Scratch {
    std::vector<Symbol> symbols;
    std::vector<Bigram> heap;
};

}  // namespace

namespace {

void spm_merge(const Tokenizer::Impl& t, std::string_view text, std::vector<TokenId>& out) {
    thread_local Scratch scratch;
    std::vector<Symbol>& symbols = scratch.symbols;
    std::vector<Bigram>& heap = scratch.heap;
    symbols.clear();
    heap.clear();

    for (size_t offset = 0; offset < text.size();) {
        // A character as llama.cpp cuts it; bytes of invalid UTF-8 stand alone (llama.cpp would let
        // a truncated lead byte swallow the next bytes, e.g. half of a ▁), then become <0xNN>.
        const size_t n = std::max<size_t>(1, well_formed_len(text, offset));
        const auto index = static_cast<int32_t>(symbols.size());
        symbols.push_back({static_cast<uint32_t>(offset), static_cast<uint32_t>(n), index - 1,
                           offset + n == text.size() ? -1 : index + 1});
        offset += n;
    }

    const auto try_add = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return;
        const uint32_t size = symbols[left].size + symbols[right].size;
        const TokenId id = t.lookup(text.substr(symbols[left].start, size));
        if (id == kNoToken) return;
        heap.push_back({t.scores[id], left, right, size});
        std::push_heap(heap.begin(), heap.end(), BigramLess{});
    };

    for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) try_add(i - 1, i);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), BigramLess{});
        const Bigram b = heap.back();
        heap.pop_back();
        Symbol& left = symbols[b.left];
        Symbol& right = symbols[b.right];
        if (left.size == 0 || right.size == 0 || left.size + right.size != b.size) continue;  // stale
        left.size += right.size;
        right.size = 0;
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = b.left;
        try_add(left.prev, b.left);
        try_add(b.left, left.next);
    }

    for (int32_t i = symbols.empty() ? -1 : 0; i != -1; i = symbols[i].next) {
        const Symbol& s = symbols[i];
        const std::string_view piece = text.substr(s.start, s.size);
        const TokenId id = t.lookup(piece);
        if (id != kNoToken) {
            out.push_back(id);
            continue;
        }
        // Only single characters can be missing (merges always form tokens): spell the bytes.
        for (char c : piece) {
            const TokenId byte_id = t.spm_byte_token[static_cast<uint8_t>(c)];
            if (byte_id != kNoToken) out.push_back(byte_id);
        }
    }
}

}  // namespace

void spm_tokenize(const Tokenizer::Impl& t, std::string_view text, std::vector<TokenId>& out) {
    if (!t.spm_split_words) {
        spm_merge(t, text, out);
        return;
    }
    constexpr std::string_view kMark = "\xE2\x96\x81";
    size_t start = 0;
    while (start < text.size()) {
        // The word runs through its leading ▁s to the next ▁ that follows another character.
        size_t pos = start;
        while (text.compare(pos, kMark.size(), kMark) == 0) pos += kMark.size();
        size_t end = text.find(kMark, pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(start, end - start);
        const bool cacheable = word.size() <= WordCache::kWordMax;
        if (!cacheable || !t.spm_cache.find(word, out)) {
            const size_t first = out.size();
            spm_merge(t, word, out);
            if (cacheable) t.spm_cache.insert(word, out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
        }
        start = end;
    }
}

}  // namespace engine::detail
