#include "engine/model/kv_cache.h"

#include <algorithm>
#include <cstddef>

#include "engine/kernels/fp16.h"

namespace engine::model {

KvCache::KvCache(int n_layer, int n_ctx, int row, bool f16)
    : n_layer_(n_layer), n_ctx_(n_ctx), row_(row), f16_(f16) {
    const size_t n = static_cast<size_t>(n_layer) * static_cast<size_t>(n_ctx) * static_cast<size_t>(row);
    if (f16_) {
        k16_.assign(n, 0);
        v16_.assign(n, 0);
    } else {
        k32_.assign(n, 0.0f);
        v32_.assign(n, 0.0f);
    }
}

size_t KvCache::offset(int il, int pos) const {
    return (static_cast<size_t>(il) * static_cast<size_t>(n_ctx_) + static_cast<size_t>(pos)) *
           static_cast<size_t>(row_);
}

void KvCache::store(int il, int pos, const float* k, const float* v) {
    const size_t at = offset(il, pos);
    if (f16_) {
        for (int i = 0; i < row_; ++i) {
            k16_[at + static_cast<size_t>(i)] = kernels::fp32_to_fp16(k[i]);
            v16_[at + static_cast<size_t>(i)] = kernels::fp32_to_fp16(v[i]);
        }
    } else {
        std::copy(k, k + row_, k32_.begin() + static_cast<ptrdiff_t>(at));
        std::copy(v, v + row_, v32_.begin() + static_cast<ptrdiff_t>(at));
    }
}

KvView KvCache::layer(int il) const {
    KvView view;
    const size_t at = offset(il, 0);
    view.f16 = f16_;
    view.row = row_;
    if (f16_) {
        view.k = k16_.data() + at;
        view.v = v16_.data() + at;
    } else {
        view.k = k32_.data() + at;
        view.v = v32_.data() + at;
    }
    return view;
}

uint64_t KvCache::bytes_for(int n_layer, int n_ctx, int row, bool f16) {
    return 2ull * static_cast<uint64_t>(n_layer) * static_cast<uint64_t>(n_ctx) * static_cast<uint64_t>(row) *
           (f16 ? 2u : 4u);
}

uint64_t KvCache::bytes() const { return bytes_for(n_layer_, n_ctx_, row_, f16_); }

}  // namespace engine::model
