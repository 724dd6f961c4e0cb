// Counters and a latency histogram for the webhook server, rendered in the Prometheus text format
// (version 0.0.4) for GET /metrics. Lock-free to update from any thread.
//   runtime::Metrics m;  m.updates_received.inc();  m.handler_latency.observe(0.25);
//   std::string text = m.render(queue_depth);
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace runtime {

class Counter {
public:
    void inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> v_{0};
};

// A histogram of seconds with fixed buckets (0.05 s to 60 s: a bot's handler latencies).
class Histogram {
public:
    static constexpr std::array<double, 11> kBounds = {0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                       5,    10,  20,   40,  60};
    void observe(double seconds);
    // Cumulative count of observations <= kBounds[i]; i == kBounds.size() is +Inf (all).
    uint64_t cumulative(size_t i) const;
    uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    double sum() const;

private:
    std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};  // per bucket, not cumulative
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_us_{0};  // microseconds, so it can be atomic
};

struct Metrics {
    Counter updates_received;   // accepted POSTs with an update (queued)
    Counter updates_handled;    // the bot handled them
    Counter updates_failed;     // the bot returned an error or threw
    Counter updates_duplicate;  // update ids seen before, not handled again
    Counter requests_rejected;  // 401/400/413/503 answers
    Counter queue_full;         // 503 answers
    Counter llm_tokens;         // tokens generated or classified; the bot's hook adds to it
    Histogram handler_latency;  // seconds per handled update

    // The Prometheus text; `queue_depth` is sampled by the caller.
    std::string render(uint64_t queue_depth) const;
};

}  // namespace runtime
