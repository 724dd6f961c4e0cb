// The sampler's hot path must not allocate: this binary replaces the global operator new to
// count allocations made while sample() runs.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <vector>

#include "engine/sampling/sampler.h"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t n) {
    ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace engine {
namespace {

TEST(SamplerAlloc, SampleDoesNotAllocate) {
    const int n = 50'000;
    std::vector<float> logits(n);
    for (int i = 0; i < n; ++i) logits[i] = std::sin(static_cast<float>(i)) * 5.0f;
    std::vector<int> recent = {1, 2, 3, 4, 5, 3, 2, 1, 49'999};
    std::vector<float> work(n);

    SamplingParams configs[4];
    configs[0].seed = 1;  // defaults: top-k 40, top-p, min-p
    configs[1].seed = 2;
    configs[1].top_k = 0;  // top-p over the whole vocabulary
    configs[1].repeat_penalty = 1.3f;
    configs[1].frequency_penalty = 0.2f;
    configs[2].seed = 3;
    configs[2].temperature = 0;  // greedy
    configs[3].seed = 4;
    configs[3].top_k = 0;
    configs[3].top_p = 1.0f;  // min-p over the unsorted vocabulary
    for (const auto& p : configs) {
        Sampler s(p, n);
        long before = g_allocations.load();
        for (int i = 0; i < 5; ++i) {
            std::copy(logits.begin(), logits.end(), work.begin());
            int t = s.sample(work, recent);
            ASSERT_GE(t, 0);
            ASSERT_LT(t, n);
        }
        EXPECT_EQ(g_allocations.load() - before, 0) << "top_k=" << p.top_k;
    }
}

}  // namespace
}  // namespace engine
