#include "engine/model/blocks.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include "engine/kernels/attention.h"
#include "engine/kernels/ref_attention.h"

namespace engine::model {

void rms_norm(const float* x, const float* w, float* out, int n, float eps) {
    double sum = 0;  // double like ggml, so long rows do not lose the small squares
    for (int i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
    const float scale = 1.0f / std::sqrt(static_cast<float>(sum / n) + eps);
    if (w == nullptr) {
        for (int i = 0; i < n; ++i) out[i] = x[i] * scale;
    } else {
        for (int i = 0; i < n; ++i) out[i] = (x[i] * scale) * w[i];
    }
}

void swiglu(float* gate, const float* up, int n) {
    for (int i = 0; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
}

void softmax(float* x, int n) {
    float max = x[0];
    for (int i = 1; i < n; ++i) max = std::max(max, x[i]);
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max);
        sum += x[i];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int i = 0; i < n; ++i) x[i] *= inv;
}

namespace {

// YaRN: the dimension at which a frequency completes `n_rot_turns` turns over the original
// context; dimensions below the low bound keep extrapolating, above the high bound interpolate.
float yarn_corr_dim(int n_dims, int n_ctx_orig, float n_rot_turns, float base) {
    return static_cast<float>(n_dims) *
           std::log(static_cast<float>(n_ctx_orig) / (n_rot_turns * 2.0f * std::numbers::pi_v<float>)) /
           (2.0f * std::log(base));
}

float yarn_ramp(float low, float high, int i0) {
    const float y = (static_cast<float>(i0) / 2.0f - low) / std::max(0.001f, high - low);
    return 1.0f - std::min(1.0f, std::max(0.0f, y));
}

}  // namespace

RopeTable::RopeTable(const RopeConfig& cfg)
    : cfg_(cfg), cos_(static_cast<size_t>(cfg.n_rot / 2)), sin_(static_cast<size_t>(cfg.n_rot / 2)) {
    if (cfg_.yarn && cfg_.n_ctx_orig > 0) {
        const float low = std::floor(yarn_corr_dim(cfg_.n_rot, cfg_.n_ctx_orig, cfg_.yarn_beta_fast, cfg_.freq_base));
        const float high = std::ceil(yarn_corr_dim(cfg_.n_rot, cfg_.n_ctx_orig, cfg_.yarn_beta_slow, cfg_.freq_base));
        corr_low_ = std::max(0.0f, low);
        corr_high_ = std::min(static_cast<float>(cfg_.n_rot - 1), high);
    }
}

void RopeTable::fill(int pos) {
    const int half = cfg_.n_rot / 2;
    const float theta_scale = std::pow(cfg_.freq_base, -2.0f / static_cast<float>(cfg_.n_rot));
    const bool yarn = cfg_.yarn && cfg_.yarn_ext_factor != 0.0f;
    float mscale = cfg_.yarn_attn_factor;
    if (yarn) mscale *= 1.0f + 0.1f * std::log(1.0f / cfg_.freq_scale);
    float theta_base = static_cast<float>(pos);
    for (int i = 0; i < half; ++i) {
        const float ff = cfg_.freq_factors ? cfg_.freq_factors[i] : 1.0f;
        const float extrap = theta_base / ff;
        const float interp = cfg_.freq_scale * extrap;
        float theta = interp;
        if (yarn) {
            const float mix = yarn_ramp(corr_low_, corr_high_, 2 * i) * cfg_.yarn_ext_factor;
            theta = interp * (1.0f - mix) + extrap * mix;
        }
        cos_[static_cast<size_t>(i)] = std::cos(theta) * (cfg_.yarn ? mscale : 1.0f);
        sin_[static_cast<size_t>(i)] = std::sin(theta) * (cfg_.yarn ? mscale : 1.0f);
        theta_base *= theta_scale;
    }
}

void rope_apply(float* x, int n_head, int head_dim, const RopeConfig& cfg, const RopeTable& t) {
    const int half = cfg.n_rot / 2;
    const float* c = t.cos();
    const float* s = t.sin();
    for (int h = 0; h < n_head; ++h) {
        float* v = x + static_cast<ptrdiff_t>(h) * head_dim;
        for (int i = 0; i < half; ++i) {
            // Normal pairs neighbours; NeoX pairs dimension i with i + n_rot/2. fma as llama.cpp's
            // compiled rope does: its logits then agree to 2.5e-4 instead of 7.6e-4.
            const int a = cfg.style == RopeStyle::Normal ? 2 * i : i;
            const int b = cfg.style == RopeStyle::Normal ? 2 * i + 1 : i + half;
            const float x0 = v[a];
            const float x1 = v[b];
            v[a] = std::fma(x0, c[i], -(x1 * s[i]));
            v[b] = std::fma(x0, s[i], x1 * c[i]);
        }
    }
}

namespace {

float dot_row(const float* q, const KvView& kv, int j, int off, int n) {
    const float* k = static_cast<const float*>(kv.k) + static_cast<size_t>(j) * static_cast<size_t>(kv.row) +
                     static_cast<size_t>(off);
    float sum = 0;
    for (int d = 0; d < n; ++d) sum += q[d] * k[d];
    return sum;
}

void add_scaled_row(float* out, float p, const KvView& kv, int j, int off, int n) {
    const float* v = static_cast<const float*>(kv.v) + static_cast<size_t>(j) * static_cast<size_t>(kv.row) +
                     static_cast<size_t>(off);
    for (int d = 0; d < n; ++d) out[d] += p * v[d];
}

// F32 cache: scores, softmax, weighted sum of values.
void attend_head_f32(const float* qh, const KvView& kv, int n, int off, int head_dim, float scale, float* oh,
                     float* scores) {
    for (int j = 0; j < n; ++j) scores[j] = dot_row(qh, kv, j, off, head_dim) * scale;
    softmax(scores, n);
    std::fill(oh, oh + head_dim, 0.0f);
    for (int j = 0; j < n; ++j) add_scaled_row(oh, scores[j], kv, j, off, head_dim);
}

}  // namespace

void attention_init() {}

int attend_scratch_floats(int n_ctx, int head_dim) {
    return std::max(n_ctx, kernels::attend_f16_scratch_floats(n_ctx, head_dim));
}

void attend_one(const float* q, const KvView& kv, int pos, int n_head, int n_head_kv, int head_dim, float scale,
                int head_begin, int head_end, float* out, float* scratch) {
    const int group = n_head / n_head_kv;
    for (int h = head_begin; h < head_end; ++h) {
        const int off = (h / group) * head_dim;
        const float* qh = q + static_cast<ptrdiff_t>(h) * head_dim;
        float* oh = out + static_cast<ptrdiff_t>(h) * head_dim;
        if (kv.f16) {
            // F16 cache: llama.cpp's CPU flash attention (kernels/attention.h), so logits agree
            // with it to ~1e-3 rather than ~4e-3.
            const auto attend = kv.exact ? kernels::attend_f16_reference : kernels::attend_f16;
            attend(qh, static_cast<const uint16_t*>(kv.k) + off, static_cast<const uint16_t*>(kv.v) + off,
                   static_cast<size_t>(kv.row), pos + 1, head_dim, scale, oh, scratch);
        } else {
            attend_head_f32(qh, kv, pos + 1, off, head_dim, scale, oh, scratch);
        }
    }
}

}  // namespace engine::model
