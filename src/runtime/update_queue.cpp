#include "runtime/update_queue.h"

#include <exception>
#include <unordered_set>

#include "core/log.h"

namespace runtime {

namespace {

// The memory behind memory_dedupe(): a set with a FIFO of ids to forget the oldest.
struct MemoryDedupeState {
    std::mutex mu;
    std::unordered_set<int64_t> seen;
    std::deque<int64_t> order;
    size_t capacity = 0;
};

}  // namespace

UpdateDedupe memory_dedupe(size_t capacity) {
    auto state = std::make_shared<MemoryDedupeState>();
    state->capacity = capacity == 0 ? 1 : capacity;
    UpdateDedupe d;
    d.claim = [state](int64_t update_id) -> core::Result<bool> {
        std::lock_guard<std::mutex> lock(state->mu);
        if (!state->seen.insert(update_id).second) return false;
        state->order.push_back(update_id);
        if (state->order.size() > state->capacity) {
            state->seen.erase(state->order.front());
            state->order.pop_front();
        }
        return true;
    };
    return d;
}

bool claim_update(const UpdateDedupe& dedupe, int64_t update_id) {
    if (!dedupe.claim) return true;
    core::Result<bool> first = dedupe.claim(update_id);
    if (!first) {
        core::log::warn("dedupe: could not check update {} ({}); handling it anyway", update_id,
                        first.error().message);
        return true;
    }
    return *first;
}

UpdateQueue::UpdateQueue(UpdateQueueOptions options, Work work)
    : options_(options), work_(std::move(work)) {
    if (options_.workers < 1) options_.workers = 1;
    workers_.reserve(static_cast<size_t>(options_.workers));
    for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { worker_main(); });
}

UpdateQueue::~UpdateQueue() { shutdown(); }

bool UpdateQueue::try_push(telegram::Update update) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (closed_ || queue_.size() >= options_.capacity) return false;
        queue_.push_back(std::move(update));
    }
    cv_.notify_one();
    return true;
}

size_t UpdateQueue::depth() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
}

size_t UpdateQueue::in_flight() const {
    std::lock_guard<std::mutex> lock(mu_);
    return in_flight_;
}

void UpdateQueue::shutdown() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        closed_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) {
        if (t.joinable()) t.join();
    }
    workers_.clear();
}

void UpdateQueue::worker_main() {
    for (;;) {
        telegram::Update update;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
            if (queue_.empty()) return;  // closed and drained
            update = std::move(queue_.front());
            queue_.pop_front();
            ++in_flight_;
        }
        try {
            work_(update);
        } catch (const std::exception& e) {
            core::log::error("queue: update {} raised: {}", update.update_id, e.what());
        } catch (...) {
            core::log::error("queue: update {} raised a non-standard exception", update.update_id);
        }
        std::lock_guard<std::mutex> lock(mu_);
        --in_flight_;
    }
}

}  // namespace runtime
