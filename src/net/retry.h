// Retry with exponential backoff and full jitter, bounded by attempts and by a deadline, honouring
// a server's retry_after. Clock-injected, so tests run it on core::FakeClock without sleeping.
//   net::Backoff backoff(policy, clock, deadline);
//   for (;;) { auto r = call(); if (r || !backoff.wait_before_retry(r.error())) return r; }
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include "core/clock.h"
#include "core/result.h"

namespace net {

struct RetryPolicy {
    int max_attempts = 4;                         // total tries, the first included
    std::chrono::milliseconds base_delay{500};    // backoff before the 1st retry is in [0, base]
    std::chrono::milliseconds max_delay{30'000};  // cap of the exponential growth
    std::chrono::milliseconds max_retry_after{60'000};  // longer server-asked waits: give up
    std::optional<uint64_t> seed{};                       // jitter seed (tests); random when unset

    // The upper bound of the jittered delay before retry number `retry` (1-based):
    // min(max_delay, base_delay * 2^(retry-1)).
    std::chrono::milliseconds backoff_cap(int retry) const;
};

// True for failures that another try may fix: transport errors, 5xx, 429.
bool is_retryable(const core::Error& error);

// The retry state of one operation.
class Backoff {
public:
    Backoff(const RetryPolicy& policy, core::Clock& clock, core::Deadline deadline);

    // The wait before the next try after `error`, or nullopt when there must be none: the error
    // is not retryable, attempts are used up, or the wait would end past the deadline.
    // Counts an attempt when it returns a value.
    std::optional<std::chrono::milliseconds> next_delay(const core::Error& error);
    // next_delay, then sleeps it on the clock; false when the caller must give up.
    bool wait_before_retry(const core::Error& error);

    int attempts() const { return attempts_; }  // tries made so far, per next_delay's count

private:
    RetryPolicy policy_;
    core::Clock& clock_;
    core::Deadline deadline_;
    int attempts_ = 1;
    std::mt19937_64 rng_;
};

// Calls `op()` (returning a core::Result) until it succeeds or Backoff says stop.
template <class Op>
auto with_retries(const RetryPolicy& policy, core::Clock& clock, core::Deadline deadline, Op&& op)
    -> decltype(op()) {
    Backoff backoff(policy, clock, deadline);
    for (;;) {
        auto r = op();
        if (r || !backoff.wait_before_retry(r.error())) return r;
    }
}

}  // namespace net
