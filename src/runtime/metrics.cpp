#include "runtime/metrics.h"

#include <fmt/format.h>

namespace runtime {

void Histogram::observe(double seconds) {
    if (seconds < 0) seconds = 0;
    for (size_t i = 0; i < kBounds.size(); ++i) {
        if (seconds <= kBounds[i]) {
            buckets_[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

uint64_t Histogram::cumulative(size_t i) const {
    if (i >= kBounds.size()) return count();
    uint64_t n = 0;
    for (size_t k = 0; k <= i; ++k) n += buckets_[k].load(std::memory_order_relaxed);
    return n;
}

double Histogram::sum() const {
    return static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
}

namespace {

void counter(std::string& out, const char* name, const char* help, const Counter& c) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, c.value());
}

}  // namespace

std::string Metrics::render(uint64_t queue_depth) const {
    std::string out;
    counter(out, "lambdagram_updates_received_total", "Updates accepted from Telegram.",
            updates_received);
    counter(out, "lambdagram_updates_handled_total", "Updates the bot handled.", updates_handled);
    counter(out, "lambdagram_updates_failed_total", "Updates whose handling failed.",
            updates_failed);
    counter(out, "lambdagram_updates_duplicate_total", "Updates seen before and skipped.",
            updates_duplicate);
    counter(out, "lambdagram_requests_rejected_total",
            "Webhook requests answered 400, 401, 413 or 503.", requests_rejected);
    counter(out, "lambdagram_queue_full_total", "Webhook requests answered 503 (queue full).",
            queue_full);
    counter(out, "lambdagram_llm_tokens_total", "Language model tokens processed.", llm_tokens);
    out += fmt::format(
        "# HELP lambdagram_queue_depth Updates waiting for a worker.\n"
        "# TYPE lambdagram_queue_depth gauge\nlambdagram_queue_depth {}\n",
        queue_depth);
    const char* h = "lambdagram_handler_latency_seconds";
    out += fmt::format("# HELP {} Time the bot took per update.\n# TYPE {} histogram\n", h, h);
    for (size_t i = 0; i < Histogram::kBounds.size(); ++i) {
        out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", h, Histogram::kBounds[i],
                           handler_latency.cumulative(i));
    }
    out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", h, handler_latency.count());
    out += fmt::format("{}_sum {}\n{}_count {}\n", h, handler_latency.sum(), h,
                       handler_latency.count());
    return out;
}

}  // namespace runtime
