#include "engine/model/forward.h"

#include <algorithm>
#include <cmath>

#include "engine/kernels/quantize.h"
#include "engine/model/linear.h"

namespace engine::model {

namespace {

size_t sz(int64_t n) { return static_cast<size_t>(n); }

}  // namespace

Forward::Forward(const Hparams& hp, const ModelWeights& w, const ArchOps& arch, int n_ctx, int n_batch,
                 bool kv_f16, int n_threads, bool precise)
    : hp_(hp),
      w_(w),
      arch_(arch),
      n_batch_(n_batch),
      n_threads_(n_threads),
      kv_(hp.n_layer, n_ctx, hp.n_head_kv * hp.head_dim, kv_f16),
      rope_([&] {
          RopeConfig r = hp.rope;
          r.freq_factors = w.rope_freqs.present() ? w.rope_freqs.f32() : nullptr;
          return r;
      }()),
      rope_table_(rope_) {
    const size_t b = sz(n_batch);
    const int64_t q_width = static_cast<int64_t>(hp.n_head) * hp.head_dim;
    const int64_t kv_width = static_cast<int64_t>(hp.n_head_kv) * hp.head_dim;
    linear_ = std::make_unique<Linear>(n_threads, precise);
    attention_init();
    n_threads_ = linear_->n_threads();
    x_.resize(b * sz(hp.n_embd));
    xb_.resize(b * sz(std::max<int64_t>(hp.n_embd, q_width)));
    q_.resize(b * sz(q_width));
    k_.resize(b * sz(kv_width));
    v_.resize(b * sz(kv_width));
    att_.resize(b * sz(q_width));
    gate_.resize(b * sz(hp.n_ff));
    up_.resize(b * sz(hp.n_ff));
    scratch_per_thread_ = sz(attend_scratch_floats(n_ctx, hp.head_dim));
    scores_.resize(sz(n_threads_) * scratch_per_thread_);
}

Forward::~Forward() = default;

bool Forward::activations_quantized() const { return linear_->quantizes_activations(); }

uint64_t Forward::scratch_bytes(const Hparams& hp, int n_ctx, int n_batch, int n_threads) {
    const uint64_t q_width = static_cast<uint64_t>(hp.n_head) * static_cast<uint64_t>(hp.head_dim);
    const uint64_t kv_width = static_cast<uint64_t>(hp.n_head_kv) * static_cast<uint64_t>(hp.head_dim);
    const uint64_t per_token = 2 * static_cast<uint64_t>(hp.n_embd) + 2 * q_width + 2 * kv_width +
                               2 * static_cast<uint64_t>(hp.n_ff) + q_width;
    return 4 * (per_token * static_cast<uint64_t>(n_batch) +
                static_cast<uint64_t>(n_threads) * static_cast<uint64_t>(attend_scratch_floats(n_ctx, hp.head_dim)));
}

void Forward::run(std::span<const int> tokens, int pos, float* logits, bool all_logits) {
    n_ = static_cast<int>(tokens.size());
    pos_ = pos;
    const Weight& emb = w_.token_embd;
    for (int t = 0; t < n_; ++t) {
        kernels::dequantize_row(emb.type, emb.row(tokens[sz(t)]), x_.data() + sz(t) * sz(hp_.n_embd), emb.cols);
    }
    for (int il = 0; il < hp_.n_layer; ++il) arch_.forward_layer(*this, w_.layers[sz(il)], il);
    if (logits == nullptr) return;

    // Only the rows whose logits are wanted go through the output projection.
    const int first = all_logits ? 0 : n_ - 1;
    const size_t e = sz(hp_.n_embd);
    for (int t = first; t < n_; ++t) {
        rms_norm(x_.data() + sz(t) * e, w_.output_norm.f32(), xb_.data() + sz(t - first) * e, hp_.n_embd,
                 hp_.rms_eps);
    }
    linear_->matmul(w_.output, xb_.data(), n_ - first, logits);
}

void Forward::norm(const Weight& w, float* out) {
    const size_t e = sz(hp_.n_embd);
    for (int t = 0; t < n_; ++t) rms_norm(x_.data() + sz(t) * e, w.f32(), out + sz(t) * e, hp_.n_embd, hp_.rms_eps);
}

void Forward::linear(const Weight& w, const float* in, float* out) { linear_->matmul(w, in, n_, out); }

void Forward::qkv(const LayerWeights& l, const float* in) {
    linear_->matmul3(l.wq, l.wk, l.wv, in, n_, q_.data(), k_.data(), v_.data());
}

void Forward::add_bias(const Weight& b, float* y) {
    const float* bias = b.f32();
    const size_t width = sz(b.cols);
    for (int t = 0; t < n_; ++t) {
        float* row = y + sz(t) * width;
        for (size_t i = 0; i < width; ++i) row[i] += bias[i];
    }
}

void Forward::head_norm(const Weight& w, float* y, bool is_k) {
    const int heads = n_ * (is_k ? hp_.n_head_kv : hp_.n_head);
    for (int h = 0; h < heads; ++h) {
        float* v = y + sz(h) * sz(hp_.head_dim);
        rms_norm(v, w.f32(), v, hp_.head_dim, hp_.rms_eps);
    }
}

void Forward::rope_qk() {
    const size_t qw = sz(hp_.n_head) * sz(hp_.head_dim);
    const size_t kw = sz(hp_.n_head_kv) * sz(hp_.head_dim);
    for (int t = 0; t < n_; ++t) {
        rope_table_.fill(pos_ + t);
        rope_apply(q_.data() + sz(t) * qw, hp_.n_head, hp_.head_dim, rope_, rope_table_);
        rope_apply(k_.data() + sz(t) * kw, hp_.n_head_kv, hp_.head_dim, rope_, rope_table_);
    }
}

void Forward::attention(int il) {
    const size_t qw = sz(hp_.n_head) * sz(hp_.head_dim);
    const size_t kw = sz(hp_.n_head_kv) * sz(hp_.head_dim);
    for (int t = 0; t < n_; ++t) kv_.store(il, pos_ + t, k_.data() + sz(t) * kw, v_.data() + sz(t) * kw);
    KvView kv = kv_.layer(il);
    kv.exact = !linear_->quantizes_activations();  // precise mode
    const float scale = 1.0f / std::sqrt(static_cast<float>(hp_.head_dim));
    // Work items are (token, head) pairs, split between the threads.
    const int n_items = n_ * hp_.n_head;
    linear_->parallel_for(n_items, [&](int64_t item, int thread) {
        float* scratch = scores_.data() + sz(thread) * scratch_per_thread_;
        const int t = static_cast<int>(item) / hp_.n_head;
        const int h = static_cast<int>(item) % hp_.n_head;
        attend_one(q_.data() + sz(t) * qw, kv, pos_ + t, hp_.n_head, hp_.n_head_kv, hp_.head_dim, scale, h, h + 1,
                   att_.data() + sz(t) * qw, scratch);
    });
}

void Forward::add_to_residual(const float* y) {
    const size_t n = sz(n_) * sz(hp_.n_embd);
    for (size_t i = 0; i < n; ++i) x_[i] += y[i];
}

void Forward::ffn_swiglu(const LayerWeights& l) {
    norm(l.ffn_norm, xb_.data());
    if (Linear::can_pair(l.ffn_gate, l.ffn_up)) {
        linear_->matmul2(l.ffn_gate, l.ffn_up, xb_.data(), n_, gate_.data(), up_.data());
    } else {
        linear(l.ffn_gate, xb_.data(), gate_.data());
        linear(l.ffn_up, xb_.data(), up_.data());
    }
    swiglu(gate_.data(), up_.data(), n_ * hp_.n_ff);
    linear(l.ffn_down, gate_.data(), xb_.data());
    add_to_residual(xb_.data());
}

}  // namespace engine::model
