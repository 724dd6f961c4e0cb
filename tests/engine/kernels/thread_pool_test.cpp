// Thread pool: every task runs exactly once, on a valid thread index, for many runs in a row
// and for task counts below, at and above the pool size.
#include "engine/kernels/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace engine::kernels {
namespace {

TEST(ThreadPoolTest, EveryTaskRunsExactlyOnce) {
    for (int threads : {1, 2, 3, 5}) {
        ThreadPool pool(threads);
        EXPECT_EQ(pool.size(), threads);
        for (int64_t n : {0, 1, 2, 3, 7, 64, 1000}) {
            for (int rep = 0; rep < 20; ++rep) {
                std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
                std::atomic<int> bad_thread{0};
                pool.parallel_for(n, [&](int64_t task, int thread) {
                    hits[static_cast<size_t>(task)].fetch_add(1);
                    if (thread < 0 || thread >= threads) bad_thread.fetch_add(1);
                });
                for (int64_t i = 0; i < n; ++i)
                    ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1)
                        << threads << " " << n << " " << i;
                EXPECT_EQ(bad_thread.load(), 0);
            }
        }
    }
}

TEST(ThreadPoolTest, WorkersShareTheLoad) {
    ThreadPool pool(3);
    std::vector<std::atomic<int>> per_thread(3);
    // Slow-ish tasks so that a worker that exists picks some up.
    pool.parallel_for(300, [&](int64_t, int thread) {
        volatile double s = 0;
        for (int i = 0; i < 20000; ++i) s = s + i;
        per_thread[static_cast<size_t>(thread)].fetch_add(1);
    });
    int total = 0;
    for (auto& c : per_thread) total += c.load();
    EXPECT_EQ(total, 300);
}

TEST(ThreadPoolTest, DestroysCleanlyWithoutRuns) {
    ThreadPool pool(4);
    EXPECT_EQ(pool.size(), 4);
    ThreadPool clamped(0);
    EXPECT_EQ(clamped.size(), 1);
    EXPECT_GE(ThreadPool::default_threads(), 1);
}

}  // namespace
}  // namespace engine::kernels
