// Byte-level BPE as llama.cpp's llm_tokenizer_bpe runs it on one pre-tokenized word: start
// from one symbol per byte (its GPT-2 alphabet character), repeatedly merge the adjacent pair
// with the lowest merge rank (ties: leftmost). Symbols are ids, so a merge is one hash lookup.
#include <algorithm>

#include "engine/tokenizer/detail/tokenizer_impl.h"
#include "engine/tokenizer/detail/utf8.h"

namespace engine::detail {

namespace {

struct Symbol {
    int32_t id;  // -1 once merged into its left neighbour
    int32_t prev;
    int32_t next;
};

struct Bigram {
    int32_t rank;
    int32_t left;
    int32_t right;
    int32_t left_id;
    int32_t right_id;
    int32_t result;
};

// Heap order: lowest rank on top, then the leftmost pair.
struct BigramLess {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

struct Scratch {
    std::vector<Symbol> symbols;
    std::vector<Bigram> heap;
    std::string encoded;
    std::vector<TokenId> ids;
};

}  // namespace

int32_t BpeModel::symbol_id(const Tokenizer::Impl& t, std::string_view text) {
    if (TokenId id = t.lookup(text); id != kNoToken) return id;
    auto [it, inserted] =
        extra_ids_.try_emplace(std::string(text), n_tokens_ + static_cast<int32_t>(extra_texts_.size()));
    if (inserted) extra_texts_.emplace_back(text);
    return it->second;
}

core::Result<std::unique_ptr<BpeModel>> BpeModel::create(const Tokenizer::Impl& t,
                                                         const std::vector<std::string>& merges,
                                                         bool ignore_merges) {
    auto model = std::make_unique<BpeModel>();
    model->ignore_merges_ = ignore_merges;
    model->n_tokens_ = static_cast<int32_t>(t.texts.size());
    const ByteAlphabet& alphabet = byte_alphabet();
    for (int b = 0; b < 256; ++b) model->byte_symbol_[b] = model->symbol_id(t, alphabet.byte_to_utf8[b]);
    if (merges.empty()) {
        return core::fail(core::ErrorCode::Parse,
                          "tokenizer: tokenizer.ggml.merges is missing or empty: a byte-level BPE vocabulary needs it");
    }
    model->merges_.reserve(merges.size());
    std::string joined;
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const std::string_view line = merges[rank];
        const size_t space = line.find(' ', 1);
        if (space == std::string_view::npos) continue;  // llama.cpp keeps it as an unusable ("", "") pair
        const std::string_view left = line.substr(0, space);
        const std::string_view right = line.substr(space + 1);
        joined.assign(left);
        joined.append(right);
        const int32_t left_id = model->symbol_id(t, left);
        const int32_t right_id = model->symbol_id(t, right);
        const int32_t result = model->symbol_id(t, joined);
        // The first rank of a pair wins, as with llama.cpp's emplace.
        model->merges_.insert(left_id, right_id, Merge{static_cast<int32_t>(rank), result});
    }
    return model;
}

void BpeModel::tokenize_word(const Tokenizer::Impl& t, std::string_view word, std::vector<TokenId>& out) const {
    const bool cacheable = word.size() <= WordCache::kWordMax;
    if (cacheable && cache_.find(word, out)) return;
    const size_t first = out.size();
    merge_word(t, word, out);
    if (cacheable) cache_.insert(word, out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

void BpeModel::merge_word(const Tokenizer::Impl& t, std::string_view word, std::vector<TokenId>& out) const {
    thread_local Scratch scratch;
    std::vector<Symbol>& symbols = scratch.symbols;
    std::vector<Bigram>& heap = scratch.heap;
    symbols.clear();
    heap.clear();

    if (ignore_merges_) {
        // llama3: a word that is a token as a whole is emitted as is, whatever the merges say.
        scratch.encoded.clear();
        encode_bytes(word, scratch.encoded);
        if (TokenId id = t.lookup(scratch.encoded); id != kNoToken) {
            out.push_back(id);
            return;
        }
    }
    const auto n = static_cast<int32_t>(word.size());
    for (int32_t i = 0; i < n; ++i) {
        symbols.push_back({byte_symbol_[static_cast<uint8_t>(word[i])], i - 1, i + 1 == n ? -1 : i + 1});
    }
    const auto try_add = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return;
        const Merge* m = merges_.find(symbols[left].id, symbols[right].id);
        if (m == nullptr) return;
        heap.push_back({m->rank, left, right, symbols[left].id, symbols[right].id, m->result});
        std::push_heap(heap.begin(), heap.end(), BigramLess{});
    };
    for (int32_t i = 1; i < n; ++i) try_add(i - 1, i);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), BigramLess{});
        const Bigram b = heap.back();
        heap.pop_back();
        Symbol& left = symbols[b.left];
        Symbol& right = symbols[b.right];
        // Stale when either side changed since the pair was queued (same id = same text).
        if (left.id != b.left_id || right.id != b.right_id) continue;
        left.id = b.result;
        right.id = -1;
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = b.left;
        try_add(left.prev, b.left);
        try_add(b.left, left.next);
    }

    for (int32_t i = n == 0 ? -1 : 0; i != -1; i = symbols[i].next) {
        const int32_t id = symbols[i].id;
        if (id < n_tokens_) {
            out.push_back(id);
            continue;
        }
        // Not a token (a vocabulary without some merge result): llama.cpp looks up each byte.
        for (char c : extra_texts_[id - n_tokens_]) {
            if (TokenId byte_id = t.lookup(std::string_view(&c, 1)); byte_id != kNoToken) out.push_back(byte_id);
        }
    }
}

}  // namespace engine::detail
