// The kernel table: built once per level, the best level picked at first use, switchable
// with force_level(). Also the public vec_dot/quantize_activations entry points.
#include <algorithm>
#include <atomic>

#include "core/check.h"
#include "engine/kernels/cpu.h"
#include "engine/kernels/detail/ref.h"
#include "engine/kernels/detail/table.h"
#include "engine/kernels/vec_dot.h"

// LG_KERNELS_X86 is set by flags.cmake when x86_avx2.cpp and x86_avx512.cpp are compiled.
#ifndef LG_KERNELS_X86
#define LG_KERNELS_X86 0
#endif

namespace engine::kernels {
namespace detail {
namespace {

constexpr int id(TensorType t) { return static_cast<int>(t); }

void quantize_q8_0_ref(const float* x, void* dst, int64_t n) {
    quantize_q8_0_activations(x, static_cast<BlockQ8_0*>(dst), n / kQK);
}
void quantize_q8_k_ref(const float* x, void* dst, int64_t n) {
    quantize_q8_k(x, static_cast<BlockQ8_K*>(dst), n / kQKK);
}

struct Tables {
    KernelTable ref, avx2, avx512;
    Tables() {
        fill_ref_table(&ref);
#if LG_KERNELS_X86
        fill_avx2_table(&avx2);
        fill_avx512_table(&avx512);
#endif
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

const KernelTable* table_for(Level l) {
    switch (l) {
        case Level::Avx2:
            return &tables().avx2;
        case Level::Avx512:
            return &tables().avx512;
        default:
            return &tables().ref;
    }
}

std::atomic<const KernelTable*> g_active{nullptr};

}  // namespace

void fill_ref_table(KernelTable* t) {
    t->level = Level::Ref;
    t->dot[id(TensorType::F32)] = ref_dot_f32;
    t->dot[id(TensorType::F16)] = ref_dot_f16;
    t->dot[id(TensorType::BF16)] = ref_dot_bf16;
    t->dot[id(TensorType::Q4_0)] = ref_dot_q4_0;
    t->dot[id(TensorType::Q4_1)] = ref_dot_q4_1;
    t->dot[id(TensorType::Q5_0)] = ref_dot_q5_0;
    t->dot[id(TensorType::Q5_1)] = ref_dot_q5_1;
    t->dot[id(TensorType::Q8_0)] = ref_dot_q8_0;
    t->dot[id(TensorType::Q4_K)] = ref_dot_q4_k;
    t->dot[id(TensorType::Q5_K)] = ref_dot_q5_k;
    t->dot[id(TensorType::Q6_K)] = ref_dot_q6_k;
    t->quantize_q8_0 = quantize_q8_0_ref;
    t->quantize_q8_k = quantize_q8_k_ref;
    t->attend_f16 = ref_attend_f16;
}

bool build_has_level(Level l) {
    if (l == Level::Ref) return true;
    if (l == Level::Avx2 || l == Level::Avx512) return LG_KERNELS_X86 != 0;
    return false;  // no NEON file yet (arm_neon.cpp slot)
}

const KernelTable& active_table() {
    const KernelTable* t = g_active.load(std::memory_order_acquire);
    if (t) [[likely]]
        return *t;
    const KernelTable* best = table_for(best_level());
    const KernelTable* expected = nullptr;
    g_active.compare_exchange_strong(expected, best, std::memory_order_acq_rel);
    return *g_active.load(std::memory_order_acquire);
}

}  // namespace detail

Level active_level() { return detail::active_table().level; }

bool force_level(Level l) {
    if (!level_available(l)) return false;
    detail::g_active.store(detail::table_for(l), std::memory_order_release);
    return true;
}

bool vec_dot_supported(TensorType w) {
    const int i = static_cast<int>(w);
    return i >= 0 && i < detail::kMaxTypeId && detail::tables().ref.dot[i] != nullptr;
}

TensorType activation_type(TensorType w) {
    switch (w) {
        case TensorType::Q4_0:
        case TensorType::Q4_1:
        case TensorType::Q5_0:
        case TensorType::Q5_1:
        case TensorType::Q8_0:
            return TensorType::Q8_0;
        case TensorType::Q4_K:
        case TensorType::Q5_K:
        case TensorType::Q6_K:
            return TensorType::Q8_K;
        default:
            return TensorType::F32;
    }
}

void quantize_activations(TensorType act, const float* x, void* dst, int64_t n) {
    const auto& k = detail::active_table();
    switch (act) {
        case TensorType::Q8_0:
            k.quantize_q8_0(x, dst, n);
            break;
        case TensorType::Q8_K:
            k.quantize_q8_k(x, dst, n);
            break;
        default:
            LG_CHECK(act == TensorType::F32, "quantize_activations: unsupported activation type");
            std::copy(x, x + n, static_cast<float*>(dst));
    }
}

float vec_dot(TensorType wtype, int n, const void* w_row, const void* act) {
    return detail::active_table().dot[static_cast<int>(wtype)](n, w_row, act);
}

}  // namespace engine::kernels
