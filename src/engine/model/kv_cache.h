// The keys and values of every layer for positions 0..n_ctx-1, in F16 (default, half the
// memory) or F32. Allocated once; a forward pass writes rows pos..pos+n-1 of each layer.
//   KvCache kv(n_layer, n_ctx, n_head_kv * head_dim, KvType::F16);  kv.store(il, pos, k_row, v_row);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/model/blocks.h"

namespace engine::model {

enum class KvType;

class KvCache {
public:
    KvCache(int n_layer, int n_ctx, int row, bool f16);

    // Writes one position's key and value rows (row floats each) of layer il.
    void store(int il, int pos, const float* k, const float* v);
    KvView layer(int il) const;

    int n_ctx() const { return n_ctx_; }
    uint64_t bytes() const;
    static uint64_t bytes_for(int n_layer, int n_ctx, int row, bool f16);

private:
    size_t offset(int il, int pos) const;

    int n_layer_;
    int n_ctx_;
    int row_;
    bool f16_;
    std::vector<uint16_t> k16_, v16_;
    std::vector<float> k32_, v32_;
};

}  // namespace engine::model
