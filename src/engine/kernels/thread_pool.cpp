// Thread pool: workers spin briefly after each job (the next matmul usually follows within
// microseconds during decode), then sleep on a condition variable.
#include "engine/kernels/thread_pool.h"

#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "core/check.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace engine::kernels {
namespace {

// Waiting: kSpinPauses busy iterations (~ a few microseconds), then kSpinYields rounds of
// giving the core away (so a descheduled thread we wait for can run when cores are
// oversubscribed), then sleeping on the condition variable.
constexpr int kSpinPauses = 2000;
constexpr int kSpinYields = 200;

inline void cpu_relax(int i) {
    if (i >= kSpinPauses) {
        std::this_thread::yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}

constexpr int kSpinIterations = kSpinPauses + kSpinYields;

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
    workers_.reserve(static_cast<size_t>(n_threads_ - 1));
    for (int t = 1; t < n_threads_; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
        ++generation_;
        published_.store(generation_, std::memory_order_release);
    }
    start_cv_.notify_all();
    for (auto& w : workers_) w.join();
}

void ThreadPool::work(int thread) {
    for (;;) {
        const int64_t task = next_.fetch_add(1, std::memory_order_relaxed);
        if (task >= n_tasks_) return;
        fn_(ctx_, task, thread);
    }
}

void ThreadPool::worker_loop(int thread) {
    uint64_t seen = 0;
    for (;;) {
        for (int i = 0; i < kSpinIterations && published_.load(std::memory_order_acquire) == seen;
             ++i)
            cpu_relax(i);
        {
            std::unique_lock<std::mutex> lock(mu_);
            start_cv_.wait(lock, [&] { return generation_ != seen; });
            seen = generation_;
            if (stop_) return;
        }
        work(thread);
        if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            std::lock_guard<std::mutex> lock(mu_);
            done_cv_.notify_one();
        }
    }
}

void ThreadPool::run(int64_t n_tasks, TaskFn fn, void* ctx) {
    LG_CHECK(!running_.exchange(true), "ThreadPool::run called while another run is in progress");
    if (n_threads_ == 1 || n_tasks <= 1) {
        for (int64_t t = 0; t < n_tasks; ++t) fn(ctx, t, 0);
        running_.store(false);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mu_);
        fn_ = fn;
        ctx_ = ctx;
        n_tasks_ = n_tasks;
        next_.store(0, std::memory_order_relaxed);
        busy_.store(n_threads_ - 1, std::memory_order_relaxed);
        ++generation_;
        published_.store(generation_, std::memory_order_release);
    }
    start_cv_.notify_all();
    work(0);
    for (int i = 0; i < kSpinIterations && busy_.load(std::memory_order_acquire) != 0; ++i)
        cpu_relax(i);
    if (busy_.load(std::memory_order_acquire) != 0) {
        std::unique_lock<std::mutex> lock(mu_);
        done_cv_.wait(lock, [&] { return busy_.load(std::memory_order_acquire) == 0; });
    }
    running_.store(false);
}

int ThreadPool::default_threads() {
    // Count distinct (package, core) pairs; fall back to the logical CPU count.
    std::set<std::pair<std::string, std::string>> cores;
    const unsigned logical = std::thread::hardware_concurrency();
    for (unsigned cpu = 0; cpu < logical; ++cpu) {
        const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
        std::ifstream core(dir + "core_id"), pkg(dir + "physical_package_id");
        std::string c, p;
        if (!(core >> c) || !(pkg >> p)) continue;
        cores.emplace(p, c);
    }
    if (!cores.empty()) return static_cast<int>(cores.size());
    return logical > 0 ? static_cast<int>(logical) : 1;
}

}  // namespace engine::kernels
