#include "net/retry.h"

#include <algorithm>

namespace net {

using std::chrono::milliseconds;

milliseconds RetryPolicy::backoff_cap(int retry) const {
    if (retry < 1) retry = 1;
    int64_t cap = std::max<int64_t>(0, base_delay.count());
    for (int i = 1; i < retry && cap < max_delay.count(); ++i) cap *= 2;
    return milliseconds(std::min<int64_t>(cap, max_delay.count()));
}

bool is_retryable(const core::Error& error) {
    switch (error.code) {
        case core::ErrorCode::Network:
        case core::ErrorCode::Timeout:
        case core::ErrorCode::RateLimited:
            return true;
        case core::ErrorCode::Http:
            return error.http_status >= 500 || error.http_status == 0;
        default:
            return false;
    }
}

Backoff::Backoff(const RetryPolicy& policy, core::Clock& clock, core::Deadline deadline)
    : policy_(policy),
      clock_(clock),
      deadline_(deadline),
      rng_(policy.seed ? *policy.seed : std::random_device{}()) {}

std::optional<milliseconds> Backoff::next_delay(const core::Error& error) {
    if (!is_retryable(error) || attempts_ >= policy_.max_attempts) return std::nullopt;
    if (deadline_.expired(clock_)) return std::nullopt;
    milliseconds delay{0};
    if (error.retry_after) {
        if (*error.retry_after > policy_.max_retry_after) return std::nullopt;
        delay = *error.retry_after;
    } else {
        int64_t cap = policy_.backoff_cap(attempts_).count();
        std::uniform_int_distribution<int64_t> dist(0, cap);
        delay = milliseconds(dist(rng_));
    }
    // Never sleep past the deadline: a wait that ends at or after it leaves no time for the try.
    if (!deadline_.is_never() && delay >= deadline_.remaining(clock_)) return std::nullopt;
    ++attempts_;
    return delay;
}

bool Backoff::wait_before_retry(const core::Error& error) {
    auto delay = next_delay(error);
    if (!delay) return false;
    if (delay->count() > 0) clock_.sleep_for(*delay);
    return true;
}

}  // namespace net
