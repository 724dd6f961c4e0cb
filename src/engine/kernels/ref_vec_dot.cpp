// Scalar reference dot products for every weight type: integer sums per block, scaled in
// float, in the same order as llama.cpp's generic code. The SIMD kernels are tested against these.
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/detail/ref.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels::detail {

float ref_dot_f32(int n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * y[i];
    return static_cast<float>(sum);
}

float ref_dot_f16(int n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += static_cast<double>(fp16_to_fp32(x[i])) * y[i];
    return static_cast<float>(sum);
}

float ref_dot_bf16(int n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += static_cast<double>(bf16_to_fp32(x[i])) * y[i];
    return static_cast<float>(sum);
}

float ref_dot_q4_0(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQK; ++i) {
        int sumi = 0;
        for (int j = 0; j < kQK / 2; ++j)
            sumi +=
                ((x[i].qs[j] & 0xF) - 8) * y[i].qs[j] + ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + 16];
        sum += static_cast<float>(sumi) * fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    }
    return sum;
}

// Q4_1/Q5_1 carry an offset m: sum (d*q + m) * dy*qy = d*dy*sum(q*qy) + m*dy*sum(qy).
float ref_dot_q4_1(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQK; ++i) {
        int sumi = 0, sumy = 0;
        for (int j = 0; j < kQK / 2; ++j) {
            sumi += (x[i].qs[j] & 0xF) * y[i].qs[j] + (x[i].qs[j] >> 4) * y[i].qs[j + 16];
            sumy += y[i].qs[j] + y[i].qs[j + 16];
        }
        const float dy = fp16_to_fp32(y[i].d);
        sum += static_cast<float>(sumi) * fp16_to_fp32(x[i].d) * dy +
               fp16_to_fp32(x[i].m) * dy * static_cast<float>(sumy);
    }
    return sum;
}

namespace {
// The 5-bit values of a Q5_0/Q5_1 block (0..31), in element order.
void unpack_q5(const uint8_t* qs, const uint8_t* qh_bytes, int* q) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    for (int j = 0; j < kQK / 2; ++j) {
        q[j] = (qs[j] & 0xF) | static_cast<int>(((qh >> j) << 4) & 0x10);
        q[j + 16] = (qs[j] >> 4) | static_cast<int>((qh >> (j + 12)) & 0x10);
    }
}
}  // namespace

float ref_dot_q5_0(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQK; ++i) {
        int q[kQK], sumi = 0;
        unpack_q5(x[i].qs, x[i].qh, q);
        for (int j = 0; j < kQK; ++j) sumi += (q[j] - 16) * y[i].qs[j];
        sum += static_cast<float>(sumi) * fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    }
    return sum;
}

float ref_dot_q5_1(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_1*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQK; ++i) {
        int q[kQK], sumi = 0, sumy = 0;
        unpack_q5(x[i].qs, x[i].qh, q);
        for (int j = 0; j < kQK; ++j) {
            sumi += q[j] * y[i].qs[j];
            sumy += y[i].qs[j];
        }
        const float dy = fp16_to_fp32(y[i].d);
        sum += static_cast<float>(sumi) * fp16_to_fp32(x[i].d) * dy +
               fp16_to_fp32(x[i].m) * dy * static_cast<float>(sumy);
    }
    return sum;
}

float ref_dot_q8_0(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQK; ++i) {
        int sumi = 0;
        for (int j = 0; j < kQK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
        sum += static_cast<float>(sumi) * fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    }
    return sum;
}

// Q4_K/Q5_K: d*sc[j]*q - dmin*m[j] per sub-block; the min term uses Q8_K's bsums.
namespace {
float dot_k_minus_mins(const uint8_t* scales, const BlockQ8_K& y, const int* q, float d,
                       float dmin) {
    int sumi = 0, summ = 0;
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        get_scale_min_k4(j, scales, &sc, &m);
        int s = 0;
        for (int l = 0; l < 32; ++l) s += q[32 * j + l] * y.qs[32 * j + l];
        sumi += sc * s;
        summ += m * (y.bsums[2 * j] + y.bsums[2 * j + 1]);
    }
    return d * y.d * static_cast<float>(sumi) - dmin * y.d * static_cast<float>(summ);
}
}  // namespace

float ref_dot_q4_k(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQKK; ++i) {
        int q[kQKK];
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                q[64 * c + l] = x[i].qs[32 * c + l] & 0xF;
                q[64 * c + 32 + l] = x[i].qs[32 * c + l] >> 4;
            }
        sum +=
            dot_k_minus_mins(x[i].scales, y[i], q, fp16_to_fp32(x[i].d), fp16_to_fp32(x[i].dmin));
    }
    return sum;
}

float ref_dot_q5_k(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQKK; ++i) {
        int q[kQKK];
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                q[64 * c + l] = (x[i].qs[32 * c + l] & 0xF) | (((x[i].qh[l] >> (2 * c)) & 1) << 4);
                q[64 * c + 32 + l] =
                    (x[i].qs[32 * c + l] >> 4) | (((x[i].qh[l] >> (2 * c + 1)) & 1) << 4);
            }
        sum +=
            dot_k_minus_mins(x[i].scales, y[i], q, fp16_to_fp32(x[i].d), fp16_to_fp32(x[i].dmin));
    }
    return sum;
}

float ref_dot_q6_k(int n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int i = 0; i < n / kQKK; ++i) {
        int sumi = 0;
        for (int h = 0; h < 2; ++h) {
            const uint8_t* ql = x[i].ql + 64 * h;
            const uint8_t* qh = x[i].qh + 32 * h;
            const int8_t* q8 = y[i].qs + 128 * h;
            int s[8] = {};
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                s[is + 0] += (((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32) * q8[l];
                s[is + 2] += (((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32) * q8[l + 32];
                s[is + 4] += (((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32) * q8[l + 64];
                s[is + 6] += (((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32) * q8[l + 96];
            }
            for (int k = 0; k < 8; ++k) sumi += x[i].scales[8 * h + k] * s[k];
        }
        sum += fp16_to_fp32(x[i].d) * y[i].d * static_cast<float>(sumi);
    }
    return sum;
}

}  // namespace engine::kernels::detail
