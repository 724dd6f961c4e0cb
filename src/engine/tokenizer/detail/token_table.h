// Token text -> id, as an open-addressing table over the vocabulary's own strings (no copies,
// no per-entry allocation). Later ids win for duplicate texts, as in llama.cpp's token_to_id.
//   TokenTable t; t.build(texts); TokenId id = t.find(texts, "hello");  // kNoToken when absent
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/vocab.h"

namespace engine::detail {

class TokenTable {
public:
    void build(const std::vector<std::string>& texts) {
        size_t capacity = 16;
        while (capacity < texts.size() * 2) capacity *= 2;
        slots_.assign(capacity, Slot{0, kNoToken});
        mask_ = capacity - 1;
        for (size_t id = 0; id < texts.size(); ++id) {
            const size_t h = std::hash<std::string_view>{}(texts[id]);
            for (size_t i = h & mask_;; i = (i + 1) & mask_) {
                Slot& s = slots_[i];
                if (s.id == kNoToken || (s.hash == static_cast<uint32_t>(h) && texts[s.id] == texts[id])) {
                    s = {static_cast<uint32_t>(h), static_cast<TokenId>(id)};
                    break;
                }
            }
        }
    }
    TokenId find(const std::vector<std::string>& texts, std::string_view text) const {
        if (slots_.empty()) return kNoToken;
        const size_t h = std::hash<std::string_view>{}(text);
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.id == kNoToken) return kNoToken;
            if (s.hash == static_cast<uint32_t>(h) && texts[s.id] == text) return s.id;
        }
    }

private:
    struct Slot {
        uint32_t hash;  // low bits of the text's hash, to skip most string compares
        TokenId id;
    };
    std::vector<Slot> slots_;
    size_t mask_ = 0;
};

}  // namespace engine::detail
