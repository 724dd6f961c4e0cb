// A fixed pool of worker threads for the kernels: created once, reused by every matmul. The
// calling thread works too, so ThreadPool(4) runs 4 tasks at once with 3 extra threads.
// run() hands out task indices 0..n-1 (each exactly once) and returns when all are done.
//   ThreadPool pool(ThreadPool::default_threads());
//   pool.parallel_for(rows, [&](int64_t r, int /*thread*/) { y[r] = dot(r); });
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace engine::kernels {

class ThreadPool {
public:
    using TaskFn = void (*)(void* ctx, int64_t task, int thread);

    // n_threads >= 1 counts the caller; n_threads - 1 workers are started.
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Calls fn(ctx, task, thread) for every task in [0, n_tasks) once, thread in [0, size()).
    // Blocks until all calls returned. Neither allocates nor throws; fn must not throw.
    // One run() at a time per pool (not re-entrant).
    void run(int64_t n_tasks, TaskFn fn, void* ctx);

    template <class F>
    void parallel_for(int64_t n_tasks, F&& f) {
        run(
            n_tasks,
            [](void* c, int64_t task, int thread) {
                (*static_cast<std::remove_reference_t<F>*>(c))(task, thread);
            },
            static_cast<void*>(&f));
    }

    // Physical cores usable by this process (hyper-threads of one core count once), >= 1.
    static int default_threads();

private:
    void worker_loop(int thread);
    void work(int thread);

    int n_threads_;
    std::vector<std::thread> workers_;
    std::mutex mu_;
    std::condition_variable start_cv_, done_cv_;
    uint64_t generation_ = 0;             // guarded by mu_; bumped per run()
    bool stop_ = false;                   // guarded by mu_
    std::atomic<uint64_t> published_{0};  // generation_, readable without the lock (spinning)
    TaskFn fn_ = nullptr;
    void* ctx_ = nullptr;
    int64_t n_tasks_ = 0;
    std::atomic<int64_t> next_{0};
    std::atomic<int> busy_{0};  // workers still in the current run
    std::atomic<bool> running_{false};
};

}  // namespace engine::kernels
