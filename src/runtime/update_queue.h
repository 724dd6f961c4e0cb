// What the webhook server and the Lambda runtime share around the bot: the dedupe hook ("first
// time we see this update id?", wired to store::Store::claim_update by the app) and a bounded
// queue of updates handled by N worker threads, which the webhook server answers 503 from when full.
//   runtime::UpdateQueue q({.capacity = 64, .workers = 2}, [&](telegram::Update u) { handle(u); });
//   if (!q.try_push(update)) answer(503);   // full: Telegram retries later
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.h"
#include "telegram/types.h"

namespace runtime {

// Telegram resends an update after a timeout or a non-2xx answer; the hook keeps it from being
// acted on twice. `claim` returns true exactly once per update id (the caller then handles it);
// `finish`, when set, is told the outcome afterwards (e.g. Store::mark_update_done). A failing
// claim (store down) is logged and the update handled anyway: at-least-once beats dropping it.
struct UpdateDedupe {
    std::function<core::Result<bool>(int64_t update_id)> claim{};
    std::function<void(int64_t update_id, bool handled)> finish{};
};

// An in-process dedupe remembering the last `capacity` update ids (tests, and `serve` without a
// store). Thread-safe; copies share the same memory.
UpdateDedupe memory_dedupe(size_t capacity = 100'000);

// Asks `dedupe` whether to handle `update_id`: true when it must be handled (first time, no hook,
// or the hook failed).
bool claim_update(const UpdateDedupe& dedupe, int64_t update_id);

struct UpdateQueueOptions {
    size_t capacity = 64;  // updates waiting (not counting those being handled)
    int workers = 2;
};

class UpdateQueue {
public:
    using Work = std::function<void(const telegram::Update&)>;

    // Starts the workers. `work` must not throw (exceptions are caught and logged anyway).
    UpdateQueue(UpdateQueueOptions options, Work work);
    ~UpdateQueue();  // shutdown()
    UpdateQueue(const UpdateQueue&) = delete;
    UpdateQueue& operator=(const UpdateQueue&) = delete;

    // Queues an update; false when the queue is full or shut down (nothing was queued).
    bool try_push(telegram::Update update);
    // Updates waiting, and being handled.
    size_t depth() const;
    size_t in_flight() const;
    // Stops taking updates, lets the workers finish every queued one, joins them. Idempotent.
    void shutdown();

private:
    void worker_main();

    UpdateQueueOptions options_;
    Work work_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<telegram::Update> queue_;
    size_t in_flight_ = 0;
    bool closed_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace runtime
