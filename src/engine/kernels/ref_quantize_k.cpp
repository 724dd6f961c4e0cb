// Scalar quantize/dequantize of the K-quant super-blocks (Q4_K, Q5_K, Q6_K) and of Q8_K.
// Scale choice follows llama.cpp's method (a sweep of candidate scales, each refined by
// weighted least squares) so the files we write are as good as the ones it writes.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/detail/ref.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels::detail {
namespace {

constexpr float kGroupMaxEps = 1e-15f;  // below this a group is treated as all zeros

int nearest_int(float f) { return static_cast<int>(std::lrintf(f)); }  // ties to even

// Fits x ~ scale * L + min (min <= 0, L in 0..nmax) for one sub-block, minimising the
// weighted squared error over a sweep of candidate scales. Returns scale; *neg_min = -min.
float fit_scale_min(int n, int nmax, const float* x, const float* w, uint8_t* L, float* neg_min,
                    float rmin, float rdelta, int nstep) {
    float mn = x[0], mx = x[0], sum_w = 0.0f, sum_x = 0.0f;
    for (int i = 0; i < n; ++i) {
        mn = std::min(mn, x[i]);
        mx = std::max(mx, x[i]);
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    mn = std::min(mn, 0.0f);
    if (mx == mn) {
        std::fill(L, L + n, 0);
        *neg_min = -mn;
        return 0.0f;
    }
    float iscale = static_cast<float>(nmax) / (mx - mn);
    float scale = 1.0f / iscale;
    float best_err = 0.0f;
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<uint8_t>(std::clamp(nearest_int(iscale * (x[i] - mn)), 0, nmax));
        const float diff = scale * L[i] + mn - x[i];
        best_err += w[i] * diff * diff;
    }
    uint8_t trial[32];
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (mx - mn);
        float sum_l = 0.0f, sum_l2 = 0.0f, sum_xl = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * (x[i] - mn)), 0, nmax);
            trial[i] = static_cast<uint8_t>(l);
            sum_l += w[i] * static_cast<float>(l);
            sum_l2 += w[i] * static_cast<float>(l * l);
            sum_xl += w[i] * static_cast<float>(l) * x[i];
        }
        const float det = sum_w * sum_l2 - sum_l * sum_l;
        if (det <= 0.0f) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (this_min > 0.0f) {
            this_min = 0.0f;
            this_scale = sum_xl / sum_l2;
        }
        float err = 0.0f;
        for (int i = 0; i < n; ++i) {
            const float diff = this_scale * trial[i] + this_min - x[i];
            err += w[i] * diff * diff;
        }
        if (err < best_err) {
            std::memcpy(L, trial, static_cast<size_t>(n));
            best_err = err;
            scale = this_scale;
            mn = this_min;
        }
    }
    *neg_min = -mn;
    return scale;
}

// Symmetric fit x ~ scale * (L - nmax) with weights x^2, sweeping scales near -nmax/max.
float fit_scale_symmetric(int n, int nmax, const float* x, uint8_t* L) {
    float amax = 0.0f, max = 0.0f;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, 0);
        return 0.0f;
    }
    auto sums = [&](float iscale, float* sumlx, float* suml2) {
        *sumlx = *suml2 = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            const float w = x[i] * x[i];
            *sumlx += w * x[i] * static_cast<float>(l);
            *suml2 += w * static_cast<float>(l * l);
        }
    };
    auto assign = [&](float iscale) {
        for (int i = 0; i < n; ++i)
            L[i] = static_cast<uint8_t>(nmax +
                                        std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1));
    };
    float iscale = -static_cast<float>(nmax) / max;
    float sumlx, suml2;
    sums(iscale, &sumlx, &suml2);
    assign(iscale);
    float scale = suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
        sums(iscale, &sumlx, &suml2);
        if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
            assign(iscale);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// Shared by Q4_K and Q5_K: 8 sub-block fits, 6-bit scales/mins packed, levels recomputed
// against the rounded scales. L receives 256 levels in 0..nmax.
void quantize_k_scales(const float* x, int nmax, float rmin, int nstep, uint16_t* d_out,
                       uint16_t* dmin_out, uint8_t* packed, uint8_t* L) {
    float sum_x2 = 0.0f;
    for (int l = 0; l < kQKK; ++l) sum_x2 += x[l] * x[l];
    const float av_x = std::sqrt(sum_x2 / kQKK);
    float scales[8], mins[8], max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 8; ++j) {
        float w[32];
        for (int l = 0; l < 32; ++l) w[l] = av_x + std::fabs(x[32 * j + l]);
        scales[j] = fit_scale_min(32, nmax, x + 32 * j, w, L + 32 * j, &mins[j], rmin, 0.1f, nstep);
        max_scale = std::max(max_scale, scales[j]);
        max_min = std::max(max_min, mins[j]);
    }
    const float inv_scale = max_scale > 0.0f ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0.0f ? 63.0f / max_min : 0.0f;
    std::memset(packed, 0, 12);
    for (int j = 0; j < 8; ++j) {
        const uint8_t ls = static_cast<uint8_t>(std::min(63, nearest_int(inv_scale * scales[j])));
        const uint8_t lm = static_cast<uint8_t>(std::min(63, nearest_int(inv_min * mins[j])));
        if (j < 4) {
            packed[j] = ls;
            packed[j + 4] = lm;
        } else {
            packed[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
            packed[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
            packed[j] |= static_cast<uint8_t>((lm >> 4) << 6);
        }
    }
    *d_out = fp32_to_fp16(max_scale / 63.0f);
    *dmin_out = fp32_to_fp16(max_min / 63.0f);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        get_scale_min_k4(j, packed, &sc, &m);
        const float d = fp16_to_fp32(*d_out) * sc;
        if (d == 0.0f) continue;
        const float dm = fp16_to_fp32(*dmin_out) * m;
        for (int l = 0; l < 32; ++l)
            L[32 * j + l] =
                static_cast<uint8_t>(std::clamp(nearest_int((x[32 * j + l] + dm) / d), 0, nmax));
    }
}

}  // namespace

void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQKK) {
        uint8_t L[kQKK];
        quantize_k_scales(x, 15, -1.0f, 20, &y[i].d, &y[i].dmin, y[i].scales, L);
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l)
                y[i].qs[32 * c + l] =
                    static_cast<uint8_t>(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
    }
}

void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQKK) {
        uint8_t L[kQKK];
        quantize_k_scales(x, 31, -0.5f, 15, &y[i].d, &y[i].dmin, y[i].scales, L);
        std::memset(y[i].qh, 0, sizeof(y[i].qh));
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                const uint8_t lo = L[64 * c + l], hi = L[64 * c + 32 + l];
                y[i].qs[32 * c + l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
                y[i].qh[l] |=
                    static_cast<uint8_t>(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
            }
    }
}

void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQKK) {
        uint8_t L[kQKK];
        float scales[16], max_scale = 0.0f, max_abs_scale = 0.0f;
        for (int s = 0; s < 16; ++s) {
            scales[s] = fit_scale_symmetric(16, 32, x + 16 * s, L + 16 * s);
            if (std::fabs(scales[s]) > max_abs_scale) {
                max_abs_scale = std::fabs(scales[s]);
                max_scale = scales[s];
            }
        }
        if (max_abs_scale < kGroupMaxEps) {
            std::memset(&y[i], 0, sizeof(BlockQ6_K));
            continue;
        }
        const float iscale = -128.0f / max_scale;
        y[i].d = fp32_to_fp16(1.0f / iscale);
        for (int s = 0; s < 16; ++s)
            y[i].scales[s] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[s])));
        for (int s = 0; s < 16; ++s) {
            const float d = fp16_to_fp32(y[i].d) * y[i].scales[s];
            if (d == 0.0f) continue;
            for (int l = 0; l < 16; ++l)
                L[16 * s + l] =
                    static_cast<uint8_t>(std::clamp(nearest_int(x[16 * s + l] / d), -32, 31) + 32);
        }
        for (int h = 0; h < 2; ++h) {
            const uint8_t* q = L + 128 * h;
            uint8_t* ql = y[i].ql + 64 * h;
            uint8_t* qh = y[i].qh + 32 * h;
            for (int l = 0; l < 32; ++l) {
                ql[l] = static_cast<uint8_t>((q[l] & 0xF) | ((q[l + 64] & 0xF) << 4));
                ql[l + 32] = static_cast<uint8_t>((q[l + 32] & 0xF) | ((q[l + 96] & 0xF) << 4));
                qh[l] = static_cast<uint8_t>((q[l] >> 4) | ((q[l + 32] >> 4) << 2) |
                                             ((q[l + 64] >> 4) << 4) | ((q[l + 96] >> 4) << 6));
            }
        }
    }
}

void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kQKK) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < kQKK; ++j)
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        std::memset(&y[i], 0, sizeof(BlockQ8_K));
        if (amax == 0.0f) continue;
        const float iscale = -127.0f / max;
        for (int j = 0; j < kQKK; ++j) {
            y[i].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[j])));
            y[i].bsums[j / 16] = static_cast<int16_t>(y[i].bsums[j / 16] + y[i].qs[j]);
        }
        y[i].d = 1.0f / iscale;
    }
}

void dequantize_q4_k(const BlockQ4_K* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
        const uint8_t* q = x[i].qs;
        for (int c = 0; c < 4; ++c, q += 32) {
            uint8_t sc, m;
            get_scale_min_k4(2 * c, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            get_scale_min_k4(2 * c + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

void dequantize_q5_k(const BlockQ5_K* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
        const uint8_t* q = x[i].qs;
        for (int c = 0; c < 4; ++c, q += 32) {
            uint8_t sc, m;
            get_scale_min_k4(2 * c, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            get_scale_min_k4(2 * c + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            const uint8_t u1 = static_cast<uint8_t>(1u << (2 * c)),
                          u2 = static_cast<uint8_t>(2u << (2 * c));
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>((q[l] & 0xF) + (x[i].qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>((q[l] >> 4) + (x[i].qh[l] & u2 ? 16 : 0)) - m2;
        }
    }
}

void dequantize_q6_k(const BlockQ6_K* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(x[i].d);
        for (int h = 0; h < 2; ++h, y += 128) {
            const uint8_t* ql = x[i].ql + 64 * h;
            const uint8_t* qh = x[i].qh + 32 * h;
            const int8_t* sc = x[i].scales + 8 * h;
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * sc[is] * static_cast<float>(q1);
                y[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
                y[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
                y[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
            }
        }
    }
}

void dequantize_q8_k(const BlockQ8_K* x, float* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i)
        for (int j = 0; j < kQKK; ++j) *y++ = x[i].d * static_cast<float>(x[i].qs[j]);
}

}  // namespace engine::kernels::detail
