// PollLoop: long polling. Fetches updates with getUpdates, hands each to the bot, and commits an
// offset only after the update was handled (the next getUpdates asks from last handled id + 1).
// Survives network loss and Telegram errors with exponential backoff; stops when told.
//   runtime::PollLoop loop(api, bot, stop_flag, clock, {.timeout_s = 30});
//   core::Status st = loop.run();   // returns once stop_flag is true (or on a fatal error)
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bot/update_handler.h"
#include "core/clock.h"
#include "core/result.h"
#include "telegram/bot_api.h"

namespace runtime {

struct PollOptions {
    int timeout_s = 30;  // getUpdates long-polling timeout
    int limit = 100;
    std::vector<std::string> allowed_updates;  // empty: Telegram's default
    core::Millis handler_timeout{50'000};      // deadline of one update
    core::Millis backoff_initial{1'000};
    core::Millis backoff_max{60'000};
    // Pause after an empty answer that came back early (emulators do not hold the request).
    core::Millis idle_pause{200};
    int max_attempts = 3;  // per update, for retryable handler errors; then it is skipped
};

struct PollStats {
    int64_t handled = 0;       // updates handled successfully
    int64_t skipped = 0;       // updates given up on after errors
    int64_t fetch_errors = 0;  // failed getUpdates calls
    int64_t handler_errors = 0;
};

class PollLoop {
public:
    enum class Phase { Idle, Fetching, Handling, Sleeping, Committing, Done };

    PollLoop(telegram::BotApi& api, bot::UpdateHandler& handler, const std::atomic<bool>& stop,
             core::Clock& clock, PollOptions options);

    // Polls until the stop flag is set; then confirms the handled updates to Telegram and
    // returns ok. Returns an error only when polling cannot work at all (token rejected).
    core::Status run();

    // One getUpdates and its handling, without the backoff sleep; false when getUpdates failed.
    // For tests and for run().
    core::Status poll_once();

    // The offset the next getUpdates will send: last handled update_id + 1.
    std::optional<int64_t> next_offset() const;
    Phase phase() const { return phase_.load(); }
    // Waits until no update is in hand and keeps the loop from starting on more while held.
    // With it held and phase() == Fetching, the process may exit without losing anything: the
    // pending getUpdates already carries the offset past every handled update.
    std::unique_lock<std::mutex> hold_handling() { return std::unique_lock<std::mutex>(batch_mu_); }
    PollStats stats() const;

private:
    core::Status handle_batch(const std::vector<telegram::Update>& updates);
    core::Status handle_one(const telegram::Update& update);
    void sleep_unless_stopped(core::Millis d);
    core::Millis next_backoff(const core::Error& error);
    void commit();

    telegram::BotApi& api_;
    bot::UpdateHandler& handler_;
    const std::atomic<bool>& stop_;
    core::Clock& clock_;
    PollOptions options_;

    std::mutex batch_mu_;    // held while a batch of updates is handled
    mutable std::mutex mu_;  // guards the fields below
    std::optional<int64_t> next_offset_;
    std::optional<int64_t> confirmed_offset_;  // offset Telegram last saw from us
    std::map<int64_t, int> attempts_;          // update_id -> failed attempts
    PollStats stats_;
    core::Millis backoff_{0};
    std::atomic<Phase> phase_{Phase::Idle};
};

// True for errors worth retrying: network, timeouts, 429 and 5xx.
bool is_retryable(const core::Error& error);

}  // namespace runtime
