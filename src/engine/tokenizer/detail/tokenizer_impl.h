// The tokenizer's shared state and the pieces of its pipeline (special-token partition,
// SentencePiece merge, byte-level BPE merge), private to src/engine/tokenizer.
//   const Tokenizer::Impl& t = ...; detail::spm_tokenize(t, escaped_text, out);
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "engine/tokenizer/detail/merge_table.h"
#include "engine/tokenizer/detail/pretokenizer.h"
#include "engine/tokenizer/detail/token_table.h"
#include "engine/tokenizer/tokenizer.h"

namespace engine::detail {

// Token ids of recently seen words (bounded; cleared when full). Thread-safe.
class WordCache {
public:
    static constexpr size_t kWordMax = 128;  // longer words are not cached
    static constexpr size_t kEntries = 1 << 16;

    // Appends the cached ids of `word` to `out`; false when it is not cached.
    bool find(std::string_view word, std::vector<TokenId>& out) const {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = map_.find(std::string(word));
        if (it == map_.end()) return false;
        out.insert(out.end(), it->second.begin(), it->second.end());
        return true;
    }
    void insert(std::string_view word, std::vector<TokenId>::const_iterator first,
                std::vector<TokenId>::const_iterator last) const {
        std::lock_guard<std::mutex> lock(mutex_);
        if (map_.size() >= kEntries) map_.clear();
        map_.try_emplace(std::string(word), first, last);
    }

private:
    mutable std::mutex mutex_;
    mutable std::unordered_map<std::string, std::vector<TokenId>> map_;
};

// Byte-level BPE merges over symbol ids, with a per-word cache.
class BpeModel {
public:
    static core::Result<std::unique_ptr<BpeModel>> create(const Tokenizer::Impl& t,
                                                         const std::vector<std::string>& merges, bool ignore_merges);
    // Appends the ids of one pre-tokenized word (raw bytes, well-formed UTF-8).
    void tokenize_word(const Tokenizer::Impl& t, std::string_view word, std::vector<TokenId>& out) const;

private:
    int32_t symbol_id(const Tokenizer::Impl& t, std::string_view text);
    void merge_word(const Tokenizer::Impl& t, std::string_view word, std::vector<TokenId>& out) const;

    bool ignore_merges_ = false;
    int32_t n_tokens_ = 0;
    std::array<int32_t, 256> byte_symbol_{};            // raw byte -> symbol id of its alphabet char
    MergeTable merges_;                                  // (left id, right id) -> rank, result
    std::unordered_map<std::string, int32_t> extra_ids_;  // merge parts that are not tokens
    std::vector<std::string> extra_texts_;               // their texts, id - n_tokens_
    WordCache cache_;
};

// A stretch of input: raw text, or a special token recognised in it.
struct Fragment {
    TokenId token;  // kNoToken for raw text
    uint32_t offset;
    uint32_t size;
};
void partition_special(const Tokenizer::Impl& t, std::string_view text, bool parse_special,
                       std::vector<Fragment>& out);

// SentencePiece BPE over text whose spaces are already ▁.
void spm_tokenize(const Tokenizer::Impl& t, std::string_view text, std::vector<TokenId>& out);

}  // namespace engine::detail

namespace engine {

struct Tokenizer::Impl {
    bool spm = true;
    std::vector<std::string> texts;
    std::vector<float> scores;
    std::vector<TokenType> types;
    std::vector<uint8_t> strip;  // kLstrip | kRstrip per token
    static constexpr uint8_t kLstrip = 1;
    static constexpr uint8_t kRstrip = 2;
    detail::TokenTable text_to_id;

    TokenId bos = kNoToken, eos = kNoToken, unk = kNoToken, pad = kNoToken, eot = kNoToken, eom = kNoToken;
    bool add_bos = false, add_eos = false, add_space_prefix = false;
    std::vector<TokenId> eog;

    // Control, user-defined and unknown tokens, longest text first (llama.cpp's order).
    std::vector<TokenId> special_tokens;
    std::array<uint64_t, 1024> special_prefix_bits{};  // first two bytes of special texts
    bool special_one_byte = false;                     // some special token is one byte long

    std::array<TokenId, 256> spm_byte_token{};  // <0xNN> tokens
    // No token holds ▁ after another character, so no merge crosses the start of a "▁word":
    // SentencePiece can work (and cache) word by word with the same result.
    bool spm_split_words = false;
    detail::WordCache spm_cache;
    std::optional<detail::PreTokenizer> pre;
    std::unique_ptr<detail::BpeModel> bpe;

    TokenId lookup(std::string_view text) const {
        return text_to_id.find(texts, text);
    }
};

}  // namespace engine
