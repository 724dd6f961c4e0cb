#include "naive_forward.h"

#include <cmath>
#include <string>

#include "engine/kernels/quantize.h"

namespace engine::model::testing {

namespace {

// The whole tensor as F32 (empty when absent).
std::vector<float> load(const gguf::GgufFile& f, const std::string& name) {
    const gguf::TensorInfo* t = f.find_tensor(name);
    if (t == nullptr) return {};
    std::vector<float> out(t->n_elements);
    const uint64_t cols = t->ne[0];
    const uint64_t row_bytes = *row_size(t->type, cols);
    for (uint64_t r = 0; r < t->n_rows(); ++r) {
        kernels::dequantize_row(t->type, t->data + r * row_bytes, out.data() + r * cols, static_cast<int64_t>(cols));
    }
    return out;
}

// out[r] = sum_c w[r][c] * x[c]
void matvec(const std::vector<float>& w, const float* x, float* out, int rows, int cols) {
    for (int r = 0; r < rows; ++r) {
        double sum = 0;
        for (int c = 0; c < cols; ++c) sum += static_cast<double>(w[static_cast<size_t>(r) * cols + c]) * x[c];
        out[r] = static_cast<float>(sum);
    }
}

void rmsnorm(float* out, const float* x, const float* w, int n, float eps) {
    double ss = 0;
    for (int i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / n + eps));
    for (int i = 0; i < n; ++i) out[i] = x[i] * scale * w[i];
}

// Rotates one head: llama pairs (2i, 2i+1), qwen (i, i + d/2); angle pos * base^(-2i/d).
void rope(float* head, int head_dim, int pos, float base, bool neox) {
    for (int i = 0; i < head_dim / 2; ++i) {
        const double theta = pos * std::pow(static_cast<double>(base), -2.0 * i / head_dim);
        const int a = neox ? i : 2 * i;
        const int b = neox ? i + head_dim / 2 : 2 * i + 1;
        const double x0 = head[a], x1 = head[b];
        head[a] = static_cast<float>(x0 * std::cos(theta) - x1 * std::sin(theta));
        head[b] = static_cast<float>(x0 * std::sin(theta) + x1 * std::cos(theta));
    }
}

}  // namespace

NaiveModel::NaiveModel(const gguf::GgufFile& f, int n_ctx) : n_ctx_(n_ctx) {
    hp_ = *read_model_hparams(f);
    embd_ = load(f, "token_embd.weight");
    out_norm_ = load(f, "output_norm.weight");
    out_ = load(f, "output.weight");
    if (out_.empty()) out_ = embd_;
    for (int il = 0; il < hp_.n_layer; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        Layer l;
        l.attn_norm = load(f, p + "attn_norm.weight");
        l.wq = load(f, p + "attn_q.weight");
        l.wk = load(f, p + "attn_k.weight");
        l.wv = load(f, p + "attn_v.weight");
        l.wo = load(f, p + "attn_output.weight");
        l.bq = load(f, p + "attn_q.bias");
        l.bk = load(f, p + "attn_k.bias");
        l.bv = load(f, p + "attn_v.bias");
        l.q_norm = load(f, p + "attn_q_norm.weight");
        l.k_norm = load(f, p + "attn_k_norm.weight");
        l.ffn_norm = load(f, p + "ffn_norm.weight");
        l.gate = load(f, p + "ffn_gate.weight");
        l.up = load(f, p + "ffn_up.weight");
        l.down = load(f, p + "ffn_down.weight");
        layers_.push_back(std::move(l));
    }
    const size_t kv_dim = static_cast<size_t>(hp_.n_head_kv) * hp_.head_dim;
    k_cache_.assign(static_cast<size_t>(hp_.n_layer) * n_ctx * kv_dim, 0.0f);
    v_cache_ = k_cache_;
}

std::vector<float> NaiveModel::step(int token, int pos) {
    const int dim = hp_.n_embd, hd = hp_.head_dim, n_head = hp_.n_head, n_kv = hp_.n_head_kv;
    const int q_dim = n_head * hd, kv_dim = n_kv * hd, ff = hp_.n_ff;
    const bool neox = hp_.rope.style == RopeStyle::Neox;
    std::vector<float> x(embd_.begin() + static_cast<ptrdiff_t>(token) * dim,
                         embd_.begin() + static_cast<ptrdiff_t>(token + 1) * dim);
    std::vector<float> xb(dim), q(q_dim), att(q_dim), tmp(dim), h1(ff), h2(ff), scores(pos + 1);
    for (int il = 0; il < hp_.n_layer; ++il) {
        const Layer& l = layers_[il];
        float* kc = k_cache_.data() + (static_cast<size_t>(il) * n_ctx_ + pos) * kv_dim;
        float* vc = v_cache_.data() + (static_cast<size_t>(il) * n_ctx_ + pos) * kv_dim;
        rmsnorm(xb.data(), x.data(), l.attn_norm.data(), dim, hp_.rms_eps);
        matvec(l.wq, xb.data(), q.data(), q_dim, dim);
        matvec(l.wk, xb.data(), kc, kv_dim, dim);
        matvec(l.wv, xb.data(), vc, kv_dim, dim);
        for (int i = 0; !l.bq.empty() && i < q_dim; ++i) q[i] += l.bq[i];
        for (int i = 0; !l.bk.empty() && i < kv_dim; ++i) kc[i] += l.bk[i];
        for (int i = 0; !l.bv.empty() && i < kv_dim; ++i) vc[i] += l.bv[i];
        for (int h = 0; h < n_head; ++h) {
            if (!l.q_norm.empty()) rmsnorm(&q[h * hd], &q[h * hd], l.q_norm.data(), hd, hp_.rms_eps);
            rope(&q[h * hd], hd, pos, hp_.rope.freq_base, neox);
        }
        for (int h = 0; h < n_kv; ++h) {
            if (!l.k_norm.empty()) rmsnorm(&kc[h * hd], &kc[h * hd], l.k_norm.data(), hd, hp_.rms_eps);
            rope(&kc[h * hd], hd, pos, hp_.rope.freq_base, neox);
        }
        // Attention: each query head reads kv head h / (n_head / n_kv) at positions 0..pos.
        for (int h = 0; h < n_head; ++h) {
            const int kvh = h / (n_head / n_kv);
            float max = -1e30f;
            for (int t = 0; t <= pos; ++t) {
                const float* k = k_cache_.data() + (static_cast<size_t>(il) * n_ctx_ + t) * kv_dim + kvh * hd;
                double s = 0;
                for (int i = 0; i < hd; ++i) s += static_cast<double>(q[h * hd + i]) * k[i];
                scores[t] = static_cast<float>(s / std::sqrt(static_cast<double>(hd)));
                max = std::max(max, scores[t]);
            }
            double sum = 0;
            for (int t = 0; t <= pos; ++t) sum += (scores[t] = std::exp(scores[t] - max));
            for (int i = 0; i < hd; ++i) {
                double acc = 0;
                for (int t = 0; t <= pos; ++t) {
                    acc += scores[t] * v_cache_[(static_cast<size_t>(il) * n_ctx_ + t) * kv_dim + kvh * hd + i];
                }
                att[h * hd + i] = static_cast<float>(acc / sum);
            }
        }
        matvec(l.wo, att.data(), tmp.data(), dim, q_dim);
        for (int i = 0; i < dim; ++i) x[i] += tmp[i];
        // SwiGLU feed-forward.
        rmsnorm(xb.data(), x.data(), l.ffn_norm.data(), dim, hp_.rms_eps);
        matvec(l.gate, xb.data(), h1.data(), ff, dim);
        matvec(l.up, xb.data(), h2.data(), ff, dim);
        for (int i = 0; i < ff; ++i) h1[i] = h1[i] / (1.0f + std::exp(-h1[i])) * h2[i];
        matvec(l.down, h1.data(), tmp.data(), dim, ff);
        for (int i = 0; i < dim; ++i) x[i] += tmp[i];
    }
    rmsnorm(x.data(), x.data(), out_norm_.data(), dim, hp_.rms_eps);
    std::vector<float> logits(hp_.n_vocab);
    matvec(out_, x.data(), logits.data(), hp_.n_vocab, dim);
    return logits;
}

}  // namespace engine::model::testing
