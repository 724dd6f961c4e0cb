// Open-addressing hash table from a symbol pair (left id, right id) to its merge (rank and
// result id): one flat array, no per-entry allocation, so building 280k merges and looking
// them up in the BPE loop are both cheap.
//   MergeTable t; t.reserve(n); t.insert(l, r, {rank, result}); const Merge* m = t.find(l, r);
#pragma once

#include <cstdint>
#include <vector>

namespace engine::detail {

struct Merge {
    int32_t rank;
    int32_t result;  // symbol id of the merged pair
};

class MergeTable {
public:
    void reserve(size_t n) {
        size_t capacity = 16;
        while (capacity < n * 2) capacity *= 2;  // load factor <= 0.5
        slots_.assign(capacity, Slot{kEmpty, {}});
        mask_ = capacity - 1;
        size_ = 0;
    }
    // Keeps the first entry of a pair (llama.cpp's emplace semantics). Ids must be >= 0.
    void insert(int32_t left, int32_t right, Merge merge) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        const uint64_t k = key(left, right);
        for (size_t i = hash(k) & mask_;; i = (i + 1) & mask_) {
            if (slots_[i].key == k) return;
            if (slots_[i].key == kEmpty) {
                slots_[i] = {k, merge};
                ++size_;
                return;
            }
        }
    }
    const Merge* find(int32_t left, int32_t right) const {
        if (slots_.empty()) return nullptr;
        const uint64_t k = key(left, right);
        for (size_t i = hash(k) & mask_;; i = (i + 1) & mask_) {
            if (slots_[i].key == k) return &slots_[i].merge;
            if (slots_[i].key == kEmpty) return nullptr;
        }
    }
    size_t size() const { return size_; }

private:
    struct Slot {
        uint64_t key;
        Merge merge;
    };
    static constexpr uint64_t kEmpty = ~uint64_t{0};  // never a key: ids are non-negative
    static uint64_t key(int32_t left, int32_t right) {
        return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
    }
    static size_t hash(uint64_t k) {
        k ^= k >> 33;
        k *= 0xFF51AFD7ED558CCDULL;
        k ^= k >> 33;
        return static_cast<size_t>(k);
    }
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        reserve(old.empty() ? 8 : old.size());
        for (const Slot& s : old) {
            if (s.key != kEmpty) {
                insert(static_cast<int32_t>(s.key >> 32), static_cast<int32_t>(s.key & 0xFFFFFFFFu), s.merge);
            }
        }
    }

    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

}  // namespace engine::detail
